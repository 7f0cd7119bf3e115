"""Suggested mobile advice days: tours that cover the most weighted waiting demand.

Per base office, towns are taken greedily by weight (heaviest first) while the pure planner
still finds a feasible day for one counsellor: ``COUNSELLING_MINUTES`` at each town's venue,
leaving from and returning to the base office, within the legal limit on working time. The
towns of one suggestion are not offered again in the next one. Each suggestion gets the first
working day (no weekend, no public holiday in MV), at least ``LEAD_DAYS`` ahead so invited
people can arrange the trip, on which a counsellor of the organisation who speaks the most
requested language (any counsellor when nobody does: an interpreter is arranged) works by
their weekly hours and has no absence and no published tour.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import booking_timezone, local_date
from booking.counsellors.models import Counsellor
from booking.demand.figures import TownDemand, town_demand
from booking.domain.calendar_rules import WeeklyRule, local_to_utc, public_holidays
from booking.domain.tours import TourPlan, TourRequest, TourStop, plan_tour
from booking.extensions import db
from booking.network.models import Location
from booking.tours.models import Tour
from booking.tours.travel import travel_function

COUNSELLING_MINUTES = 120
LEAD_DAYS = 7
MAX_SUGGESTIONS = 6


@dataclass(frozen=True)
class Suggestion:
    organisation_id: str
    base_office_id: str
    towns: tuple[TownDemand, ...]  # in the planner's order
    venues: tuple[Location, ...]  # one mobile venue per town, same order
    people: int
    weight: float
    language: str  # the most requested consultation language
    plan: TourPlan
    day: date | None = None
    counsellor: Counsellor | None = None
    speaks_language: bool = False  # False: the counsellor needs an interpreter


def suggest_tours(organisation_id: str, now: datetime, weeks: int = 6, max_stops: int = 4,
                  demand: list[TownDemand] | None = None) -> list[Suggestion]:
    """Tours to plan next for one organisation, heaviest first (see the module's docstring).
    ``demand``: that organisation's ``town_demand``, when the caller has it already."""
    if demand is None:
        demand = town_demand(organisation_id, now)
    demand = [d for d in demand if d.town.base_office_id]
    venues = _venues(organisation_id, [d.town.id for d in demand])
    demand = [d for d in demand if d.town.id in venues]
    if not demand:
        return []
    travel = travel_function()
    first_day = local_date(now) + timedelta(days=LEAD_DAYS)
    last_day = local_date(now) + timedelta(weeks=weeks)
    planned: list[tuple[str, list[TownDemand], TourPlan]] = []
    left = list(demand)
    while left and len(planned) < MAX_SUGGESTIONS:
        office = left[0].town.base_office_id
        chosen, plan = _greedy(office, [d for d in left if d.town.base_office_id == office],
                               first_day, travel, max_stops)
        if not chosen:  # even the heaviest town alone does not fit a day: no tour from here
            left = [d for d in left if d.town.base_office_id != office]
            continue
        taken = {d.town.id for d in chosen}
        left = [d for d in left if d.town.id not in taken]
        planned.append((office, chosen, plan))
    scheduler = _Scheduler(organisation_id, first_day, last_day)
    suggestions = []
    for office, chosen, plan in planned:
        by_id = {d.town.id: d for d in chosen}
        towns = tuple(by_id[place] for place in plan.order)
        languages = Counter()
        for town in towns:
            languages.update(town.languages)
        language = sorted(languages.items(), key=lambda item: (-item[1], item[0]))[0][0]
        day, counsellor, speaks = scheduler.first_free_day(language, office)
        if day is not None:
            plan = plan_tour(_request(office, towns, day), travel)  # the timetable of that day
        suggestions.append(Suggestion(
            organisation_id=organisation_id, base_office_id=office, towns=towns,
            venues=tuple(venues[t.town.id] for t in towns),
            people=sum(t.waiting for t in towns), weight=sum(t.weight for t in towns),
            language=language, plan=plan, day=day, counsellor=counsellor,
            speaks_language=speaks))
    return sorted(suggestions, key=lambda s: -s.weight)


def _venues(organisation_id: str, town_ids: list[str]) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for venue in db.session.scalars(select(Location).where(
            Location.organisation_id == organisation_id, Location.kind == "mobile",
            Location.is_active, Location.town_id.in_(town_ids)).order_by(Location.id)):
        found.setdefault(venue.town_id, venue)
    return found


def _request(office: str, towns, day: date) -> TourRequest:
    return TourRequest(day=day, start_office_id=office, end_office_id=office,
                       stops=tuple(TourStop(t.town.id, COUNSELLING_MINUTES) for t in towns),
                       tz=booking_timezone())


def _greedy(office: str, candidates: list[TownDemand], day: date, travel, max_stops: int
            ) -> tuple[list[TownDemand], TourPlan | None]:
    """Add towns heaviest first as long as one counsellor can still do the day."""
    chosen: list[TownDemand] = []
    plan = None
    for candidate in candidates:
        if len(chosen) == max_stops:
            break
        attempt = plan_tour(_request(office, [*chosen, candidate], day), travel)
        if attempt.is_feasible:
            chosen, plan = [*chosen, candidate], attempt
    return chosen, plan


class _Scheduler:
    """Free working days of the organisation's counsellors (a weekday they work on, by their
    weekly hours), from three queries; a day handed out to one suggestion is not handed out
    again for the same counsellor."""

    def __init__(self, organisation_id: str, first_day: date, last_day: date):
        self.first_day, self.last_day = first_day, last_day
        self.holidays = public_holidays(first_day, last_day)
        self.counsellors = list(db.session.scalars(select(Counsellor).where(
            Counsellor.organisation_id == organisation_id, Counsellor.is_active)
            .order_by(Counsellor.display_name, Counsellor.id)))
        ids = [c.id for c in self.counsellors]
        tz = booking_timezone()
        start = local_to_utc(first_day, time(0), tz)
        end = local_to_utc(last_day + timedelta(days=1), time(0), tz)
        self.busy: set[tuple[int, date]] = set()
        for absence in db.session.scalars(select(Absence).where(
                Absence.counsellor_id.in_(ids), Absence.start_at < end, Absence.end_at > start)):
            day = max(local_date(absence.start_at), first_day)
            while day <= min(local_date(absence.end_at - timedelta(microseconds=1)), last_day):
                self.busy.add((absence.counsellor_id, day))
                day += timedelta(days=1)
        self.rules: dict[int, list[WeeklyRule]] = {}
        for row in db.session.execute(select(
                WeeklyHours.counsellor_id, WeeklyHours.location_id, WeeklyHours.weekday,
                WeeklyHours.start_time, WeeklyHours.end_time, WeeklyHours.starts_on,
                WeeklyHours.ends_on, WeeklyHours.every_n_weeks).where(
                WeeklyHours.counsellor_id.in_(ids), WeeklyHours.starts_on <= last_day,
                or_(WeeklyHours.ends_on.is_(None), WeeklyHours.ends_on >= first_day))):
            self.rules.setdefault(row.counsellor_id, []).append(WeeklyRule(*row))
        self.busy |= {(counsellor_id, day) for counsellor_id, day in db.session.execute(
            select(Tour.counsellor_id, Tour.day).where(
                Tour.counsellor_id.in_(ids), Tour.status == "published",
                Tour.day >= first_day, Tour.day <= last_day))}

    def _working_days(self):
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() < 5 and day not in self.holidays:
                yield day
            day += timedelta(days=1)

    def first_free_day(self, language: str, office: str
                       ) -> tuple[date | None, Counsellor | None, bool]:
        speakers = [c for c in self.counsellors
                    if language in {lang.language_code for lang in c.languages}]
        team = speakers or self.counsellors
        # Counsellors working at the base office first: they start there anyway.
        team = sorted(team, key=lambda c: c.home_location_id != office)
        for day in self._working_days():
            for counsellor in team:
                if (counsellor.id, day) not in self.busy and any(
                        rule.applies_on(day) for rule in self.rules.get(counsellor.id, ())):
                    self.busy.add((counsellor.id, day))
                    return day, counsellor, bool(speakers)
        return None, None, False
