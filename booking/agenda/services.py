"""Agenda use cases: a counsellor's days, appointment outcomes and history, follow-up series.

They flush, never commit. Working hours come from the slot engine's own rule expansion
(``working_blocks``), so the agenda shows exactly the hours clients can book into; follow-up
times are checked by the same engine (``find_free_slots``) and booked with
``book_appointment``, so a follow-up can never take a time the engine would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import selectinload

from booking.appointments import services as booking
from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.auth.models import User
from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import (
    bookable_range,
    booking_timezone,
    find_free_slots,
    local_date,
)
from booking.catalogue.models import Service
from booking.domain.calendar_rules import WeeklyRule, local_to_utc, public_holidays
from booking.domain.series import SeriesPlan, pick_alternatives
from booking.domain.slots import Slot, working_blocks
from booking.extensions import db
from booking.network.models import Location
from booking.tours.engine import load_day_plans

OUTCOMES = ("attended", "no_show")
NO_NOTICE = timedelta(0)  # staff book follow-ups for any time that is still ahead
ALTERNATIVES = 4
# Alternatives for a taken occurrence come from these days before and after it.
DAYS_BEFORE, DAYS_AFTER = timedelta(days=3), timedelta(days=15)


class AgendaError(Exception):
    """A refused action; ``code`` is stable and mapped to a message by the views."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class SeriesInterrupted(Exception):
    """A booking of the series lost a race and took the earlier bookings of the transaction
    with it: the caller rolls back and shows the plan again."""


# -- agenda -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Working hours or an absence on one local day (clipped to that day)."""

    start: datetime
    end: datetime
    location: Location | None = None
    is_whole_day: bool = False


@dataclass
class AgendaDay:
    day: date
    is_holiday: bool = False
    hours: list[Period] = field(default_factory=list)
    absences: list[Period] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.hours or self.absences or self.appointments)


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week of ``day``."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def load_agenda(counsellor_ids: list[int], days: list[date]) -> dict[int, list[AgendaDay]]:
    """Per counsellor, one ``AgendaDay`` per local day in ``days`` (consecutive): a query per
    table for the whole window, whatever the number of counsellors and days."""
    tz = booking_timezone()
    first_day, end_day = days[0], days[-1] + timedelta(days=1)
    window = (local_to_utc(first_day, time(0), tz), local_to_utc(end_day, time(0), tz))
    holidays = public_holidays(first_day, days[-1])
    agenda = {cid: {d: AgendaDay(d, is_holiday=d in holidays) for d in days}
              for cid in counsellor_ids}
    if not counsellor_ids:
        return {}

    rules = [WeeklyRule(h.counsellor_id, h.location_id, h.weekday, h.start_time, h.end_time,
                        h.starts_on, h.ends_on, h.every_n_weeks)
             for h in db.session.scalars(select(WeeklyHours).where(
                 WeeklyHours.counsellor_id.in_(counsellor_ids),
                 WeeklyHours.starts_on < end_day,
                 or_(WeeklyHours.ends_on.is_(None), WeeklyHours.ends_on >= first_day)))]
    # Published tours replace the office hours of their day, as in the slot engine.
    plans = load_day_plans(None, set(counsellor_ids), first_day, end_day)
    locations = {loc.id: loc for loc in db.session.scalars(
        select(Location).where(Location.id.in_(
            {r.location_id for r in rules}
            | {location_id for plan in plans for location_id, _, _ in plan.blocks})))}
    # Holidays are passed as closed days, as the slot engine does: no hours on a holiday.
    for cid, blocks in working_blocks(rules, first_day, end_day, tz, holidays, plans).items():
        for start, end, location_id in blocks:
            start_at, end_at = datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
            agenda[cid][local_date(start_at)].hours.append(
                Period(start_at, end_at, locations.get(location_id)))

    absences = db.session.scalars(select(Absence).where(
        Absence.counsellor_id.in_(counsellor_ids), Absence.start_at < window[1],
        Absence.end_at > window[0]).order_by(Absence.start_at))
    bounds = [(d, local_to_utc(d, time(0), tz), local_to_utc(d + timedelta(days=1), time(0), tz))
              for d in days]
    for absence in absences:
        for day, day_start, day_end in bounds:
            start, end = max(absence.start_at, day_start), min(absence.end_at, day_end)
            if start < end:
                agenda[absence.counsellor_id][day].absences.append(
                    Period(start, end, is_whole_day=(start, end) == (day_start, day_end)))

    appointments = db.session.scalars(
        select(Appointment)
        .where(Appointment.counsellor_id.in_(counsellor_ids),
               Appointment.start_at < window[1], Appointment.end_at > window[0])
        .options(selectinload(Appointment.service).selectinload(Service.translations),
                 selectinload(Appointment.location))
        .order_by(Appointment.start_at, Appointment.id))
    for appointment in appointments:
        day = max(local_date(appointment.start_at), first_day)
        agenda[appointment.counsellor_id][day].appointments.append(appointment)
    return {cid: [per_day[d] for d in days] for cid, per_day in agenda.items()}


# -- one appointment ----------------------------------------------------------------------


def set_outcome(appointment: Appointment, outcome: str, *, now: datetime) -> str:
    """Record whether the client came; returns the previous status. Allowed once the
    appointment has started, never for a cancelled one; attended and no-show may be swapped
    (a client who turned up late)."""
    if outcome not in OUTCOMES:
        raise AgendaError("unknown_outcome")
    if appointment.status == "cancelled":
        raise AgendaError("cancelled")
    if appointment.start_at > now:
        raise AgendaError("not_started")
    previous = appointment.status
    appointment.status = outcome
    appointment.updated_at = now
    db.session.flush()
    return previous


def appointment_history(appointment: Appointment) -> list[tuple[AuditEntry, User | None]]:
    """Who did what with the appointment, oldest first, from the audit log."""
    return list(db.session.execute(
        select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.object_type == "appointment",
               AuditEntry.object_id == str(appointment.id))
        .order_by(AuditEntry.occurred_at, AuditEntry.id)))


# -- follow-up series ---------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """What to book after ``original``: the same client with the same counsellor."""

    original: Appointment
    service: Service
    location: Location
    channel: str
    series: SeriesPlan


@dataclass(frozen=True)
class Occurrence:
    number: int  # 1-based position in the series
    start_at: datetime  # as planned
    slot: Slot | None  # the free slot at that time, or None
    alternatives: list[Slot]
    is_beyond_horizon: bool = False

    @property
    def is_free(self) -> bool:
        return self.slot is not None


def follow_up_locations(original: Appointment) -> list[Location]:
    """Where the follow-up may be: the places the counsellor has working hours, and the
    original appointment's place."""
    working = select(WeeklyHours.location_id).where(
        WeeklyHours.counsellor_id == original.counsellor_id)
    return list(db.session.scalars(
        select(Location).where(or_(Location.id.in_(working), Location.id == original.location_id),
                               Location.is_active)
        .order_by(Location.kind.desc(), Location.town, Location.name)))


def plan_follow_up(follow_up: FollowUp, *, now: datetime) -> list[Occurrence]:
    """Each occurrence checked against the counsellor's availability; a taken one comes with
    free times nearby with the same counsellor at the same place (``pick_alternatives``), none
    of them on another occurrence of the series, so no choice collides with the plan. One run
    of the slot engine covers the whole series, whatever its length."""
    tz = booking_timezone()
    starts = follow_up.series.starts(tz)
    latest = bookable_range(now, NO_NOTICE)[1]
    free = _free_slots(follow_up, starts, latest, now)
    at_start = {slot.start: slot for slot in free}
    checked = [(start, at_start.get(start)) for start in starts]
    # The series' own appointments, with the room the engine keeps free around each.
    buffer = timedelta(minutes=follow_up.service.buffer_minutes)
    planned = [(slot.start - buffer, slot.end + buffer) for _, slot in checked if slot]
    occurrences = []
    for number, (start, slot) in enumerate(checked, start=1):
        alternatives: list[Slot] = []
        if slot is None:
            day = local_date(start)
            window_start = local_to_utc(day - DAYS_BEFORE, time(0), tz)
            window_end = local_to_utc(day + DAYS_AFTER, time(0), tz)
            nearby = [s for s in free if s.start >= window_start and s.end <= window_end]
            alternatives = pick_alternatives(nearby, start, tz, limit=ALTERNATIVES,
                                             taken=planned)
        occurrences.append(Occurrence(number, start, slot, alternatives,
                                      is_beyond_horizon=start >= latest))
    return occurrences


def _free_slots(follow_up: FollowUp, starts: list[datetime], latest: datetime,
                now: datetime) -> list[Slot]:
    """The counsellor's free times at the place from a few days before the first occurrence
    to some days after the last (within the booking horizon), earliest first."""
    first_day = local_date(starts[0]) - DAYS_BEFORE
    end_day = min(local_date(starts[-1]) + DAYS_AFTER, local_date(latest) + timedelta(days=1))
    if first_day >= end_day:
        return []
    search = find_free_slots(
        service=follow_up.service, locations=[follow_up.location],
        language=follow_up.original.language_code, first_day=first_day, end_day=end_day,
        now=now, counsellor_id=follow_up.original.counsellor_id, min_notice=NO_NOTICE)
    return sorted(search.slots, key=lambda slot: slot.start)


def book_follow_up(follow_up: FollowUp, starts: list[datetime], *, user_id: int,
                   now: datetime) -> list[booking.Booked]:
    """Book every start in the caller's transaction, or raise: ``SlotTaken`` (one is no longer
    free) or ``SeriesInterrupted``. The caller rolls back on either, so a series is booked
    whole or not at all; each booking writes the client's invitation to the outbox."""
    original = follow_up.original
    client = {"language": original.language_code, "name": original.client_name,
              "email": original.client_email, "phone": original.client_phone,
              "wants_interpreter": original.is_interpreter_needed, "locale": original.locale,
              "counsellor_id": original.counsellor_id}
    service_id, location_id = follow_up.service.id, follow_up.location.id
    booked: list[booking.Booked] = []
    for start in starts:
        booked.append(booking.book_appointment(booking.BookingRequest(
            service_id=service_id, location_id=location_id, start_at=start, consent=True,
            channel=follow_up.channel, source="desk", booked_by_user_id=user_id,
            min_notice=NO_NOTICE, **client), now=now))
        # book_appointment rolls the whole transaction back when it loses a race in the
        # database, which silently drops the bookings made before it in this series.
        if not all(inspect(b.appointment).persistent for b in booked):
            raise SeriesInterrupted()
    return booked
