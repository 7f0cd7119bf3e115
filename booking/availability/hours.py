"""Use cases of the working-hours and absences pages: change a counsellor's weekly hours and
absences (refusing overlaps), and find the confirmed appointments a change leaves stranded.

Nothing here cancels or moves an appointment: the pages list the ones that now lie outside the
hours or inside an absence, and people decide. The slot engine reads the same tables, so every
change shows in the public slots at once. Functions flush; the views commit.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking.appointments.models import Appointment
from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import booking_timezone, local_date
from booking.counsellors.models import Counsellor
from booking.domain.calendar_rules import WeeklyRule, local_to_utc
from booking.domain.slots import working_blocks
from booking.domain.weekly_overlap import earliest_clash
from booking.extensions import db
from booking.network.models import Location
from booking.staff.access import audit


@dataclass(frozen=True)
class HoursValues:
    """What the hours form asks for; the counsellor and organisation come from the page."""

    location_id: str
    weekday: int
    start_time: time
    end_time: time
    starts_on: date
    ends_on: date | None
    every_n_weeks: int


class RuleClash(Exception):
    """The hours overlap another rule of the same counsellor, first on ``day``."""

    def __init__(self, other: WeeklyHours, day: date):
        super().__init__(f"clashes with weekly hours {other.id} on {day}")
        self.other = other
        self.day = day


class AbsenceClash(Exception):
    """The absence overlaps one already recorded."""

    def __init__(self, other: Absence):
        super().__init__(f"overlaps absence {other.id}")
        self.other = other


def as_rule(hours: WeeklyHours | HoursValues, counsellor_id: int) -> WeeklyRule:
    return WeeklyRule(counsellor_id, hours.location_id, hours.weekday, hours.start_time,
                      hours.end_time, hours.starts_on, hours.ends_on, hours.every_n_weeks)


# -- weekly hours ---------------------------------------------------------------------------

def weekly_hours_of(counsellor: Counsellor) -> list[WeeklyHours]:
    """All rules of the counsellor, by weekday and time; past ones too (they explain history)."""
    return list(db.session.scalars(
        select(WeeklyHours).where(WeeklyHours.counsellor_id == counsellor.id)
        .order_by(WeeklyHours.weekday, WeeklyHours.start_time, WeeklyHours.starts_on)))


def bookable_locations(counsellor: Counsellor, keep: str | None = None) -> list[Location]:
    """Active offices and mobile venues of the counsellor's organisation (and ``keep``, the
    place an existing rule names, even if it has since been closed)."""
    condition = Location.is_active if keep is None else or_(Location.is_active,
                                                            Location.id == keep)
    return list(db.session.scalars(
        select(Location).where(Location.organisation_id == counsellor.organisation_id, condition)
        .order_by(Location.kind.desc(), Location.town, Location.name)))


def _check_no_clash(counsellor: Counsellor, values: HoursValues,
                    ignore: WeeklyHours | None = None) -> None:
    others = [rule for rule in weekly_hours_of(counsellor) if rule is not ignore]
    clash = earliest_clash(as_rule(values, counsellor.id),
                           ((rule, as_rule(rule, counsellor.id)) for rule in others))
    if clash is not None:
        raise RuleClash(*clash)


def add_weekly_hours(counsellor: Counsellor, values: HoursValues) -> WeeklyHours:
    """A new rule; raises RuleClash when the counsellor would be in two places at once."""
    _check_no_clash(counsellor, values)
    rule = WeeklyHours(organisation_id=counsellor.organisation_id, counsellor_id=counsellor.id,
                       **asdict(values))
    db.session.add(rule)
    db.session.flush()
    audit("create", "weekly_hours", rule.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    return rule


def update_weekly_hours(rule: WeeklyHours, counsellor: Counsellor,
                        values: HoursValues) -> WeeklyHours:
    _check_no_clash(counsellor, values, ignore=rule)
    for name, value in asdict(values).items():
        setattr(rule, name, value)
    db.session.flush()
    audit("update", "weekly_hours", rule.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    return rule


def delete_weekly_hours(rule: WeeklyHours, counsellor: Counsellor) -> None:
    audit("delete", "weekly_hours", rule.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    db.session.delete(rule)
    db.session.flush()


def _future_confirmed(counsellor: Counsellor, now: datetime, start: datetime | None = None,
                      end: datetime | None = None) -> list[Appointment]:
    query = (select(Appointment)
             .where(Appointment.counsellor_id == counsellor.id,
                    Appointment.status == "confirmed", Appointment.start_at >= now)
             .options(selectinload(Appointment.location))  # the pages name the place
             .order_by(Appointment.start_at))
    if start is not None and end is not None:
        query = query.where(Appointment.start_at < end, Appointment.end_at > start)
    return list(db.session.scalars(query))


def appointments_outside_hours(counsellor: Counsellor, now: datetime,
                               rules: list[WeeklyHours] | None = None) -> list[Appointment]:
    """Confirmed future appointments not inside the counsellor's working hours at their place.

    The hours (``rules``, loaded when not given) become working blocks exactly as the slot
    engine builds them (merged per place, overlaps between places removed), so "inside" means
    what clients could have booked."""
    appointments = _future_confirmed(counsellor, now)
    if not appointments:
        return []
    first_day = local_date(appointments[0].start_at)
    end_day = max(local_date(a.end_at) for a in appointments) + timedelta(days=1)
    if rules is None:
        rules = weekly_hours_of(counsellor)
    weekly = [as_rule(rule, counsellor.id) for rule in rules]
    blocks = working_blocks(weekly, first_day, end_day, booking_timezone()).get(counsellor.id, [])
    # The blocks are disjoint and sorted: only the last one starting by the appointment's
    # start can hold it.
    starts = [start for start, _end, _location in blocks]
    outside = []
    for appointment in appointments:
        start, end = appointment.start_at.timestamp(), appointment.end_at.timestamp()
        index = bisect_right(starts, start) - 1
        inside = index >= 0 and blocks[index][1] >= end and \
            blocks[index][2] == appointment.location_id
        if not inside:
            outside.append(appointment)
    return outside


# -- absences -------------------------------------------------------------------------------

def absence_period(starts_on: date, ends_on: date, start_time: time | None,
                   end_time: time | None) -> tuple[datetime, datetime]:
    """UTC instants of an absence given in local days (the last one included) and optional
    local times: whole days unless a time narrows the first or the last day."""
    tz = booking_timezone()
    start_at = local_to_utc(starts_on, start_time or time(0), tz)
    if end_time is None:
        end_at = local_to_utc(ends_on + timedelta(days=1), time(0), tz)
    else:
        end_at = local_to_utc(ends_on, end_time, tz)
    return start_at, end_at


def upcoming_absences(counsellor: Counsellor, now: datetime) -> list[Absence]:
    return list(db.session.scalars(
        select(Absence).where(Absence.counsellor_id == counsellor.id, Absence.end_at > now)
        .order_by(Absence.start_at)))


def add_absence(counsellor: Counsellor, start_at: datetime, end_at: datetime,
                reason: str) -> Absence:
    """A new absence; raises AbsenceClash when it overlaps one already recorded (a second
    entry for the same time would only have to be deleted twice)."""
    other = db.session.scalar(
        select(Absence).where(Absence.counsellor_id == counsellor.id,
                              Absence.start_at < end_at, Absence.end_at > start_at)
        .order_by(Absence.start_at).limit(1))
    if other is not None:
        raise AbsenceClash(other)
    absence = Absence(counsellor_id=counsellor.id, start_at=start_at, end_at=end_at,
                      reason=reason)
    db.session.add(absence)
    db.session.flush()
    audit("create", "absence", absence.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    return absence


def delete_absence(absence: Absence, counsellor: Counsellor) -> None:
    audit("delete", "absence", absence.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    db.session.delete(absence)
    db.session.flush()


def appointments_in_absences(counsellor: Counsellor, absences: list[Absence],
                             now: datetime) -> dict[int, list[Appointment]]:
    """Per absence id, the confirmed future appointments that fall (partly) inside it."""
    if not absences:
        return {}
    appointments = _future_confirmed(counsellor, now, min(a.start_at for a in absences),
                                     max(a.end_at for a in absences))
    return {absence.id: [a for a in appointments
                         if a.start_at < absence.end_at and a.end_at > absence.start_at]
            for absence in absences}
