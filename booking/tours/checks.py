"""Read-only questions about tours: the counsellor's working window on a day, what keeps a
draft from being published, and which appointments are booked into a tour's stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from booking import clock
from booking.appointments.models import Appointment
from booking.availability.hours import as_rule, weekly_hours_of
from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import booking_timezone
from booking.counsellors.models import Counsellor
from booking.domain.calendar_rules import local_to_utc, public_holidays
from booking.extensions import db
from booking.network.models import Location
from booking.tours.models import Tour, TourStop


@dataclass(frozen=True)
class Problem:
    """Why a plan, a publication or a cancellation is refused: a code (see messages.py), the
    place it concerns, and for stranded appointments the appointments themselves."""

    code: str
    location: Location | None = None
    appointments: tuple[Appointment, ...] = ()


def working_window(counsellor: Counsellor, day: date,
                   hours: list[WeeklyHours] | None = None) -> tuple[time, time] | None:
    """The earliest start and latest end of the counsellor's weekly hours on ``day``
    (``hours``: all their rules, loaded when not given; a series plans many days with one
    load)."""
    if hours is None:
        hours = weekly_hours_of(counsellor)
    rules = [rule for rule in hours
             if rule.weekday == day.weekday() and as_rule(rule, counsellor.id).applies_on(day)]
    if not rules:
        return None
    return min(r.start_time for r in rules), max(r.end_time for r in rules)


# -- publishing -----------------------------------------------------------------------------

def _local_day_range(day: date) -> tuple[datetime, datetime]:
    tz = booking_timezone()
    return local_to_utc(day, time(0), tz), local_to_utc(day + timedelta(days=1), time(0), tz)


def _inside_a_window(appointment: Appointment, stops: list[TourStop]) -> bool:
    return any(appointment.location_id == stop.location_id
               and stop.start_at <= appointment.start_at and appointment.end_at <= stop.end_at
               for stop in stops)


def stranded_appointments(tour: Tour) -> list[Appointment]:
    """The counsellor's confirmed appointments that day outside the tour's counselling
    windows: publishing replaces the day's office hours with the tour, so they would lose
    their place."""
    start, end = _local_day_range(tour.day)
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.counsellor_id == tour.counsellor_id,
                                  Appointment.status == "confirmed",
                                  Appointment.start_at < end, Appointment.end_at > start)
        .order_by(Appointment.start_at))
    return [a for a in appointments if not _inside_a_window(a, tour.stops)]


def publication_problems(tour: Tour, now: datetime | None = None) -> list[Problem]:
    """Everything that keeps the draft from being published (empty: it can be)."""
    now = now or clock.now()
    if tour.status != "draft":
        return [Problem("not_draft")]
    problems = []
    if tour.depart_at <= now:
        problems.append(Problem("in_the_past"))
    if public_holidays(tour.day, tour.day):
        problems.append(Problem("public_holiday"))
    other = db.session.scalar(select(Tour.id).where(
        Tour.counsellor_id == tour.counsellor_id, Tour.day == tour.day,
        Tour.status == "published", Tour.id != tour.id).limit(1))
    if other is not None:
        problems.append(Problem("other_tour"))
    absent = db.session.scalar(select(Absence.id).where(
        Absence.counsellor_id == tour.counsellor_id, Absence.start_at < tour.return_at,
        Absence.end_at > tour.depart_at).limit(1))
    if absent is not None:
        problems.append(Problem("absence"))
    stranded = stranded_appointments(tour)
    if stranded:
        problems.append(Problem("stranded_appointments", appointments=tuple(stranded)))
    return problems


def appointments_of(tour: Tour, statuses: tuple[str, ...] = ("confirmed",)
                    ) -> dict[int, list[Appointment]]:
    """Per stop id, the counsellor's appointments booked into its counselling window (other
    counsellors' hours at the same venue are not the tour's)."""
    if not tour.stops:
        return {}
    rows = db.session.scalars(
        select(Appointment).where(
            Appointment.counsellor_id == tour.counsellor_id,
            Appointment.location_id.in_({s.location_id for s in tour.stops}),
            Appointment.status.in_(statuses), Appointment.start_at >= tour.depart_at,
            Appointment.start_at < tour.return_at)
        .order_by(Appointment.start_at))
    found: dict[int, list[Appointment]] = {stop.id: [] for stop in tour.stops}
    for appointment in rows:
        for stop in tour.stops:
            if (appointment.location_id == stop.location_id
                    and stop.start_at <= appointment.start_at < stop.end_at):
                found[stop.id].append(appointment)
    return found
