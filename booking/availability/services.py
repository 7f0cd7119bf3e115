"""Free slots for a service at some locations: load the window in one query per table, then
run the pure engine. Cost follows the appointments inside the window, not the table size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, or_, select

from booking import clock
from booking.appointments.models import ACTIVE_STATUSES, Appointment
from booking.availability.models import Absence, Closure, WeeklyHours
from booking.calendarsync.models import ExternalBusy, ExternalCalendar
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.domain.calendar_rules import WeeklyRule, booking_window, local_to_utc, public_holidays
from booking.domain.slots import (
    BusyPeriod,
    ClosedPeriod,
    CounsellorProfile,
    Slot,
    SlotRequest,
    compute_free_slots,
)
from booking.extensions import db
from booking.network.models import Location
from booking.tours.engine import load_day_plans
from booking.waitlist.models import SlotHold

# Appointments are at most 8 hours long (a CHECK on services), so one that overlaps the window
# starts at most a day before it; bounding start_at lets the (counsellor, start) index answer.
LONGEST_APPOINTMENT = timedelta(days=1)


@dataclass(frozen=True)
class SlotSearch:
    slots: list[Slot]
    counsellors: dict[int, Counsellor]
    languages: dict[int, list[str]]
    timezone: ZoneInfo


def booking_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BOOKING_TIMEZONE"])


def local_date(instant: datetime) -> date:
    """The calendar day of an instant in the booking time zone."""
    return instant.astimezone(booking_timezone()).date()


def local_today() -> date:
    return local_date(clock.now())


@dataclass(frozen=True)
class DayWithSlots:
    day: date
    count: int
    interpreter_only: bool


def days_with_slots(slots: list[Slot]) -> list[DayWithSlots]:
    """Local days that have free slots, in order: the month overview of pages and API alike,
    so a day is never shown as free without a bookable slot."""
    per_day: dict[date, list[Slot]] = {}
    for slot in slots:
        per_day.setdefault(local_date(slot.start), []).append(slot)
    return [DayWithSlots(day, len(found), all(s.interpreter for s in found))
            for day, found in sorted(per_day.items())]


def bookable_range(now: datetime, min_notice: timedelta | None = None
                   ) -> tuple[datetime, datetime]:
    """From now plus the notice clients must give (the office desk may pass a shorter one,
    for walk-ins) to the end of the booking horizon."""
    cfg = current_app.config
    if min_notice is None:
        min_notice = timedelta(hours=cfg["BOOKING_MIN_NOTICE_HOURS"])
    return booking_window(now, min_notice=min_notice, horizon_days=cfg["BOOKING_HORIZON_DAYS"],
                          tz=booking_timezone())


def find_free_slots(*, service: Service, locations: list[Location], language: str | None,
                    first_day: date, end_day: date, now: datetime,
                    counsellor_id: int | None = None, ignore_appointment_id: int | None = None,
                    min_notice: timedelta | None = None,
                    ignore_hold_id: int | None = None) -> SlotSearch:
    """Bookable slots for ``service`` at ``locations`` on local days [first_day, end_day).

    ``counsellor_id`` keeps one counsellor's slots; ``ignore_appointment_id`` treats that
    appointment as gone (moving it must not collide with itself); ``min_notice`` overrides
    the configured notice (staff booking a walk-in); ``ignore_hold_id`` is the waiting-list
    hold of the person booking (everybody else's open holds block their time)."""
    tz = booking_timezone()
    earliest, latest = bookable_range(now, min_notice)
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(end_day, time(0), tz)
    location_ids = {loc.id for loc in locations}
    organisation_ids = {loc.organisation_id for loc in locations}

    # Rules of the whole booking horizon as well: who speaks which language at a location must
    # not depend on the days asked for.
    horizon_end = latest.astimezone(tz).date() + timedelta(days=1)
    horizon = (min(first_day, now.astimezone(tz).date()), max(end_day, horizon_end))
    rules = _load_rules(location_ids, *horizon)
    # Published tours: those stopping here, and every tour of a counsellor with hours here
    # (their office hours disappear on a tour day).
    day_plans = load_day_plans(location_ids, {r.counsellor_id for r in rules}, *horizon)
    counsellor_ids = {r.counsellor_id for r in rules} | {p.counsellor_id for p in day_plans}
    counsellors, languages = _load_counsellors(counsellor_ids)
    rules = [r for r in rules if r.counsellor_id in counsellors]
    day_plans = [p for p in day_plans if p.counsellor_id in counsellors]
    buffer = timedelta(minutes=service.buffer_minutes)

    request = SlotRequest(
        locations=frozenset(location_ids), first_day=first_day, end_day=end_day,
        duration=timedelta(minutes=service.duration_minutes),
        interpreter_extra=timedelta(minutes=service.interpreter_extra_minutes),
        buffer=buffer,
        step=timedelta(minutes=current_app.config["BOOKING_SLOT_STEP_MINUTES"]),
        earliest_start=max(earliest, window_start), latest_end=min(latest, window_end),
        tz=tz, language=language, counsellor_id=counsellor_id,
    )
    slots = compute_free_slots(
        request,
        counsellors=[CounsellorProfile(cid, frozenset(langs)) for cid, langs in languages.items()],
        rules=rules,
        appointments=_load_appointments(counsellors, window_start - buffer, window_end + buffer,
                                        ignore_appointment_id),
        absences=_load_absences(counsellors, window_start, window_end)
        + _load_external_busy(counsellors, window_start, window_end)
        + _load_holds(counsellors, window_start, window_end, now, ignore_hold_id),
        closures=_load_closures(location_ids, organisation_ids, locations, window_start,
                                window_end),
        holidays=public_holidays(first_day, end_day),
        day_plans=day_plans,
    )
    return SlotSearch(slots, counsellors, languages, tz)


def _load_rules(location_ids: set[str], first_day: date, end_day: date) -> list[WeeklyRule]:
    # Every rule of every counsellor who works at one of the locations, wherever it is, so
    # that hours elsewhere keep the counsellor in one place at a time.
    working_here = select(WeeklyHours.counsellor_id).where(
        WeeklyHours.location_id.in_(location_ids))
    rows = db.session.execute(
        select(WeeklyHours.counsellor_id, WeeklyHours.location_id, WeeklyHours.weekday,
               WeeklyHours.start_time, WeeklyHours.end_time, WeeklyHours.starts_on,
               WeeklyHours.ends_on, WeeklyHours.every_n_weeks)
        .where(WeeklyHours.counsellor_id.in_(working_here),
               WeeklyHours.starts_on < end_day,
               or_(WeeklyHours.ends_on.is_(None), WeeklyHours.ends_on >= first_day))
    ).all()
    return [WeeklyRule(*row) for row in rows]


def _load_counsellors(ids: set[int]) -> tuple[dict[int, Counsellor], dict[int, list[str]]]:
    if not ids:
        return {}, {}
    rows = db.session.execute(
        select(Counsellor, CounsellorLanguage.language_code)
        .outerjoin(CounsellorLanguage, CounsellorLanguage.counsellor_id == Counsellor.id)
        .where(Counsellor.id.in_(ids), Counsellor.is_active)
    ).all()
    counsellors: dict[int, Counsellor] = {}
    languages: dict[int, list[str]] = {}
    for counsellor, code in rows:
        counsellors[counsellor.id] = counsellor
        languages.setdefault(counsellor.id, [])
        if code:
            languages[counsellor.id].append(code)
    return counsellors, languages


def _load_appointments(counsellors: dict, start: datetime, end: datetime,
                       ignore_id: int | None) -> list[BusyPeriod]:
    if not counsellors:
        return []
    query = (
        select(Appointment.counsellor_id, Appointment.start_at, Appointment.end_at)
        .where(Appointment.counsellor_id.in_(counsellors),
               Appointment.status.in_(ACTIVE_STATUSES),
               Appointment.start_at >= start - LONGEST_APPOINTMENT,
               Appointment.start_at < end, Appointment.end_at > start)
    )
    if ignore_id is not None:
        query = query.where(Appointment.id != ignore_id)
    rows = db.session.execute(query).all()
    return [BusyPeriod(*row) for row in rows]


def _load_absences(counsellors: dict, start: datetime, end: datetime) -> list[BusyPeriod]:
    if not counsellors:
        return []
    rows = db.session.execute(
        select(Absence.counsellor_id, Absence.start_at, Absence.end_at)
        .where(Absence.counsellor_id.in_(counsellors), Absence.start_at < end,
               Absence.end_at > start)
    ).all()
    return [BusyPeriod(*row) for row in rows]


def _load_external_busy(counsellors: dict, start: datetime, end: datetime) -> list[BusyPeriod]:
    """Busy times read from the counsellors' own calendars block like absences (no buffer:
    the counsellor's calendar says exactly when they are busy)."""
    if not counsellors:
        return []
    rows = db.session.execute(
        select(ExternalBusy.counsellor_id, ExternalBusy.start_at, ExternalBusy.end_at)
        .join(ExternalCalendar, ExternalCalendar.id == ExternalBusy.calendar_id)
        .where(ExternalBusy.counsellor_id.in_(counsellors), ExternalCalendar.is_active,
               ExternalBusy.start_at < end, ExternalBusy.end_at > start)
    ).all()
    return [BusyPeriod(*row) for row in rows]


def _load_holds(counsellors: dict, start: datetime, end: datetime, now: datetime,
                ignore_id: int | None) -> list[BusyPeriod]:
    """A freed time held for a waiting person (``booking.waitlist``) is taken for everybody
    else until the hold expires."""
    if not counsellors:
        return []
    query = (select(SlotHold.counsellor_id, SlotHold.start_at, SlotHold.end_at)
             .where(SlotHold.counsellor_id.in_(counsellors), SlotHold.status == "open",
                    SlotHold.expires_at > now, SlotHold.start_at < end,
                    SlotHold.end_at > start))
    if ignore_id is not None:
        query = query.where(SlotHold.id != ignore_id)
    return [BusyPeriod(*row) for row in db.session.execute(query).all()]


def _load_closures(location_ids: set[str], organisation_ids: set[str],
                   locations: list[Location], start: datetime, end: datetime
                   ) -> list[ClosedPeriod]:
    rows = db.session.execute(
        select(Closure.location_id, Closure.organisation_id, Closure.start_at, Closure.end_at)
        .where(or_(Closure.location_id.in_(location_ids),
                   Closure.organisation_id.in_(organisation_ids)),
               and_(Closure.start_at < end, Closure.end_at > start))
    ).all()
    closed = []
    for location_id, organisation_id, closure_start, closure_end in rows:
        targets = [location_id] if location_id else [
            loc.id for loc in locations if loc.organisation_id == organisation_id]
        closed.extend(ClosedPeriod(t, closure_start, closure_end) for t in targets)
    return closed
