"""Use cases of tour planning: plan a mobile advice day from the staff's wishes, save it as a
draft, publish it (its counselling windows become bookable, the office hours of that day
go), cancel it (booked clients are told and offered other times), recurring outreach days.

Functions flush; the views commit once. Refusals carry codes (``booking.tours.messages`` says
them in the user's language). ``user`` is the signed-in staff member (None for the CLI and
jobs): it is recorded in the audit log, never required.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import select

from booking import clock
from booking.appointments.services import cancel_appointment
from booking.audit.services import record
from booking.availability.hours import weekly_hours_of
from booking.availability.models import WeeklyHours
from booking.availability.services import booking_timezone, local_today
from booking.counsellors.models import Counsellor
from booking.domain import tours as planner
from booking.domain.calendar_rules import public_holidays
from booking.extensions import db
from booking.network.models import Location
from booking.tours.checks import Problem, appointments_of, publication_problems, working_window
from booking.tours.models import Tour, TourSeries, TourStop
from booking.tours.travel import place_of, travel_function

MAX_STOPS = 12


@dataclass(frozen=True)
class StopWish:
    """Counsel at ``location_id`` (a mobile venue) for ``counselling_minutes``, not before
    ``earliest_start`` and done by ``latest_end`` (local wall-clock times, both optional)."""

    location_id: str
    counselling_minutes: int = 120
    earliest_start: time | None = None
    latest_end: time | None = None


class TourError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


class Problems(list):
    """The problems that kept a tour from being published: empty when it was. ``invited`` is
    how many people who registered interest were invited to book."""

    invited: int = 0


@dataclass(frozen=True)
class TourPlan:
    """A planned (or refused) day: the wishes, the planner's answer (None when the wishes were
    refused before planning), and the venues behind the planner's place ids."""

    counsellor: Counsellor
    day: date
    start_office: Location
    end_office: Location
    wishes: tuple[StopWish, ...]
    setup_minutes: int
    venues: dict[str, Location] = field(default_factory=dict)  # place id → venue
    work_window: tuple[time, time] | None = None
    result: planner.TourPlan | None = None
    refusal: Problem | None = None

    @property
    def is_feasible(self) -> bool:
        return self.refusal is None

    def place(self, place_id: str) -> Location | None:
        offices = {place_of(o): o for o in (self.start_office, self.end_office)}
        return self.venues.get(place_id) or offices.get(place_id)


def _actor(user) -> tuple[str, int | None]:
    return (user.email, user.id) if user is not None else ("system", None)


def _location(value: Location | str | None) -> Location | None:
    if value is None or isinstance(value, Location):
        return value
    return db.session.get(Location, value)


def _check_places(counsellor: Counsellor, offices: list[Location | None],
                  venues: list[Location | None], wishes: tuple[StopWish, ...]) -> Problem | None:
    if not wishes:
        return Problem("no_stops")
    if len(wishes) > MAX_STOPS:
        return Problem("too_many_stops")
    for office in offices:
        if office is None or office.kind != "office" or not office.is_active:
            return Problem("not_an_office", office)
    for venue in venues:
        if venue is None or venue.kind != "mobile" or not venue.is_active:
            return Problem("not_a_venue", venue)
    for place in [*offices, *venues]:
        if place.organisation_id != counsellor.organisation_id:
            return Problem("other_organisation", place)
    return None


def plan_tour_for(counsellor: Counsellor, day: date, start_office: Location | str,
                  end_office: Location | str, stops: list[StopWish],
                  setup_minutes: int = 15,
                  travel: planner.Travel | None = None,
                  hours: list[WeeklyHours] | None = None) -> TourPlan:
    """Plan the day with the least driving that keeps the counsellor's working hours, every
    stop's window and the 10-hour limit. ``travel`` and ``hours`` (the counsellor's weekly
    hours): loaded when not given (a series plans many days with one load of each)."""
    wishes = tuple(stops)
    start, end = _location(start_office), _location(end_office)
    venues = [_location(w.location_id) for w in wishes]
    plan = TourPlan(counsellor, day, start, end, wishes, setup_minutes)
    refusal = _check_places(counsellor, [start, end], venues, wishes)
    if refusal is not None:
        return replace(plan, refusal=refusal)
    window = working_window(counsellor, day, hours)
    request = planner.TourRequest(
        day=day, start_office_id=place_of(start), end_office_id=place_of(end),
        stops=tuple(planner.TourStop(place_of(v), w.counselling_minutes, w.earliest_start,
                                     w.latest_end) for v, w in zip(venues, wishes, strict=True)),
        tz=booking_timezone(), work_start=window[0] if window else None,
        work_end=window[1] if window else None, setup_minutes=setup_minutes)
    result = planner.plan_tour(request, travel or travel_function())
    by_place = {place_of(v): v for v in venues}
    plan = TourPlan(counsellor, day, start, end, wishes, setup_minutes, by_place, window,
                    result)
    if result.refusal is not None:
        place_id = result.refusal.place_id
        refusal = Problem(result.refusal.code.value, plan.place(place_id) if place_id else None)
        plan = replace(plan, refusal=refusal)
    return plan


def whole_minutes(duration: timedelta) -> int:
    return round(duration.total_seconds() / 60)


def save_draft(plan: TourPlan, *, user=None, public_note: str = "",
               series_id: int | None = None) -> Tour:
    """Store a feasible plan's timetable as a draft (nothing is bookable yet)."""
    if not plan.is_feasible:
        raise TourError(plan.refusal)
    result, now = plan.result, clock.now()
    # The venues are keyed in the order of the wishes (a place twice is refused).
    wish_of = dict(zip(plan.venues, plan.wishes, strict=True))
    organisation_id = plan.counsellor.organisation_id
    actor, user_id = _actor(user)
    tour = Tour(organisation_id=organisation_id, counsellor_id=plan.counsellor.id,
                day=plan.day, start_office_id=plan.start_office.id,
                end_office_id=plan.end_office.id, status="draft", series_id=series_id,
                setup_minutes=plan.setup_minutes, depart_at=result.depart_at,
                return_at=result.return_at, drive_minutes=whole_minutes(result.total_drive),
                public_note=public_note, created_by_user_id=user_id, created_at=now,
                updated_at=now)
    for position, (visit, leg) in enumerate(zip(result.visits, result.legs, strict=False)):
        wish = wish_of[visit.place_id]
        tour.stops.append(TourStop(
            organisation_id=organisation_id, location_id=plan.venues[visit.place_id].id,
            position=position, counselling_minutes=wish.counselling_minutes,
            earliest_start=wish.earliest_start, latest_end=wish.latest_end,
            drive_minutes_before=whole_minutes(leg.drive), arrive_at=visit.arrive_at,
            start_at=visit.counselling_start_at, end_at=visit.counselling_end_at,
            depart_at=visit.depart_at))
    db.session.add(tour)
    db.session.flush()
    record("create", "tour", tour.id, actor=actor, user_id=user_id,
           organisation_id=organisation_id, details={"day": plan.day.isoformat()})
    return tour


# -- publishing -----------------------------------------------------------------------------

def publish_tour(tour: Tour, user=None) -> Problems:
    """Make the tour's counselling windows bookable. Refused (nothing changes) with the
    problems found; on success the people who registered interest in its towns are invited
    (``Problems.invited``)."""
    now = clock.now()
    problems = Problems(publication_problems(tour, now))
    if problems:
        return problems
    tour.status, tour.published_at, tour.updated_at = "published", now, now
    db.session.flush()
    actor, user_id = _actor(user)
    record("update", "tour", tour.id, actor=actor, user_id=user_id,
           organisation_id=tour.organisation_id, details={"status": "published"})
    # Late import: demand builds on tours (it suggests them), not the other way round.
    from booking.demand.services import invite_for_tour

    problems.invited = invite_for_tour(tour)
    return problems


# -- cancelling and deleting ----------------------------------------------------------------

def cancel_tour(tour: Tour, user=None, reason_text: str = "") -> int:
    """Cancel the tour; a published one's confirmed appointments still to come are cancelled
    (each client gets the calendar CANCEL) and every client with an e-mail address is told
    the advice day is off, with other times to book. Returns how many were cancelled."""
    from booking.tours.notifications import enqueue_tour_cancelled

    if tour.status == "cancelled":
        raise TourError(Problem("already_cancelled"))
    now = clock.now()
    was_published = tour.status == "published"
    tour.status, tour.cancelled_at, tour.updated_at = "cancelled", now, now
    # Flushed first, so the slot engine (alternatives, waiting list) no longer sees the tour.
    db.session.flush()
    actor, user_id = _actor(user)
    cancelled = []
    if was_published:
        for appointments in appointments_of(tour).values():
            for appointment in appointments:
                if appointment.start_at > now and cancel_appointment(
                        appointment, now=now, actor=actor, user_id=user_id):
                    cancelled.append(appointment)
        enqueue_tour_cancelled(tour, cancelled, now)
    record("cancel", "tour", tour.id, actor=actor, user_id=user_id,
           organisation_id=tour.organisation_id,
           details={"reason": reason_text.strip()[:500], "appointments": len(cancelled)})
    return len(cancelled)


def delete_draft(tour: Tour, user=None) -> None:
    if tour.status != "draft":
        raise TourError(Problem("not_draft"))
    actor, user_id = _actor(user)
    record("delete", "tour", tour.id, actor=actor, user_id=user_id,
           organisation_id=tour.organisation_id, details={"day": tour.day.isoformat()})
    db.session.delete(tour)
    db.session.flush()


# -- recurring outreach days ----------------------------------------------------------------

MAX_OCCURRENCES = 12
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 §3.3.10 weekdays


@dataclass(frozen=True)
class Recurrence:
    """``monthly``: the ``nth`` weekday (1–4, or -1 for the last) of every month; ``weekly``:
    every ``interval`` weeks. The weekday is the first day's."""

    kind: str
    nth: int = 1
    interval: int = 1

    def rule(self, first_day: date, count: int) -> str:
        """The RFC 5545 RRULE value (§3.3.10), e.g. ``FREQ=MONTHLY;BYDAY=1TU;COUNT=6``."""
        weekday = WEEKDAY_CODES[first_day.weekday()]
        if self.kind == "monthly":
            return f"FREQ=MONTHLY;BYDAY={self.nth}{weekday};COUNT={count}"
        return f"FREQ=WEEKLY;INTERVAL={self.interval};BYDAY={weekday};COUNT={count}"


def occurrences(rule: str, first_day: date) -> list[date]:
    """The days of ``rule`` from ``first_day`` on (which is one only if it matches)."""
    start = datetime.combine(first_day, time(0))  # local days: no time zone needed
    return [moment.date() for moment in rrulestr(rule, dtstart=start)]


@dataclass(frozen=True)
class TourTemplate:
    """What every tour of a series repeats."""

    counsellor: Counsellor
    start_office: Location
    end_office: Location
    stops: tuple[StopWish, ...]
    setup_minutes: int = 15
    public_note: str = ""


@dataclass(frozen=True)
class Occurrence:
    day: date
    plan: TourPlan | None
    problem: Problem | None  # why the day is skipped


@dataclass(frozen=True)
class SeriesOutcome:
    series: TourSeries | None  # None when every day was skipped
    tours: list[Tour]
    skipped: list[Occurrence]


def plan_series(template: TourTemplate, first_day: date, recurrence: Recurrence,
                count: int) -> tuple[str, list[Occurrence]]:
    """The rule and each of its days planned on its own (past days and public holidays are
    skipped without planning)."""
    rule = recurrence.rule(first_day, min(count, MAX_OCCURRENCES))
    today, travel, planned = local_today(), travel_function(), []
    hours = weekly_hours_of(template.counsellor)
    for day in occurrences(rule, first_day):
        if day < today:
            planned.append(Occurrence(day, None, Problem("in_the_past")))
        elif public_holidays(day, day):
            planned.append(Occurrence(day, None, Problem("public_holiday")))
        else:
            plan = plan_tour_for(template.counsellor, day, template.start_office,
                                 template.end_office, list(template.stops),
                                 template.setup_minutes, travel=travel, hours=hours)
            planned.append(Occurrence(day, plan, plan.refusal))
    return rule, planned


def create_series(template: TourTemplate, first_day: date, recurrence: Recurrence, count: int,
                  *, user=None) -> SeriesOutcome:
    """Drafts for every day of the rule that can be planned; the others are reported."""
    rule, planned = plan_series(template, first_day, recurrence, count)
    feasible = [o for o in planned if o.problem is None]
    skipped = [o for o in planned if o.problem is not None]
    if not feasible:
        return SeriesOutcome(None, [], skipped)
    actor, user_id = _actor(user)
    organisation_id = template.counsellor.organisation_id
    series = TourSeries(organisation_id=organisation_id, rule=rule,
                        created_by_user_id=user_id, created_at=clock.now())
    db.session.add(series)
    db.session.flush()
    tours = [save_draft(o.plan, user=user, public_note=template.public_note,
                        series_id=series.id) for o in feasible]
    record("create", "tour_series", series.id, actor=actor, user_id=user_id,
           organisation_id=organisation_id,
           details={"rule": rule, "skipped": [o.day.isoformat() for o in skipped]})
    return SeriesOutcome(series, tours, skipped)


def series_tours(series_id: int) -> list[Tour]:
    return list(db.session.scalars(select(Tour).where(Tour.series_id == series_id)
                                   .order_by(Tour.day)))


def publish_series(series: TourSeries, user=None) -> dict[date, Problems]:
    """Publish every draft of the series, each checked on its own; per day, what kept it
    back (an empty list: published)."""
    return {tour.day: publish_tour(tour, user)
            for tour in series_tours(series.id) if tour.status == "draft"}
