"""A tour's day as the pages show it, whether just planned (a preview) or saved: departure,
each drive and stop, return, the totals against the 10-hour limit, and the route map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from booking.domain.tours import LEGAL_LIMIT
from booking.extensions import db
from booking.network.models import Location
from booking.tours.mapsvg import MapPoint, mv_map
from booking.tours.messages import day_text
from booking.tours.models import Tour
from booking.tours.services import TourPlan, whole_minutes, working_window


@dataclass(frozen=True)
class ItineraryStop:
    number: int
    location: Location
    drive_minutes: int  # from the previous place
    arrive_at: datetime
    start_at: datetime
    end_at: datetime
    depart_at: datetime
    stop_id: int | None = None  # saved tours


@dataclass(frozen=True)
class Itinerary:
    start_office: Location
    end_office: Location
    depart_at: datetime
    return_at: datetime
    stops: list[ItineraryStop]
    drive_back_minutes: int
    work_window: tuple[time, time] | None

    @property
    def drive_minutes(self) -> int:
        return sum(s.drive_minutes for s in self.stops) + self.drive_back_minutes

    @property
    def working_minutes(self) -> int:
        return whole_minutes(self.return_at - self.depart_at)

    @property
    def counselling_minutes(self) -> int:
        return sum(whole_minutes(s.end_at - s.start_at) for s in self.stops)

    @property
    def limit_minutes(self) -> int:
        return whole_minutes(LEGAL_LIMIT)


def itinerary_of_plan(plan: TourPlan) -> Itinerary | None:
    """The preview of a feasible plan (None for a refused one: it has no timetable)."""
    if not plan.is_feasible:
        return None
    result = plan.result
    stops = [ItineraryStop(number, plan.venues[visit.place_id], whole_minutes(leg.drive),
                           visit.arrive_at, visit.counselling_start_at,
                           visit.counselling_end_at, visit.depart_at)
             for number, (visit, leg) in enumerate(zip(result.visits, result.legs,
                                                       strict=False), start=1)]
    return Itinerary(plan.start_office, plan.end_office, result.depart_at, result.return_at,
                     stops, whole_minutes(result.legs[-1].drive), plan.work_window)


def places_of_tour(tour: Tour) -> dict[str, Location]:
    """The tour's offices and venues by id, in one query."""
    ids = {tour.start_office_id, tour.end_office_id, *(s.location_id for s in tour.stops)}
    return {location.id: location
            for location in db.session.scalars(select(Location).where(Location.id.in_(ids)))}


def itinerary_of_tour(tour: Tour) -> Itinerary:
    """A saved tour's timetable."""
    places = places_of_tour(tour)
    stops = [ItineraryStop(stop.position + 1, places[stop.location_id],
                           stop.drive_minutes_before, stop.arrive_at, stop.start_at, stop.end_at,
                           stop.depart_at, stop.id)
             for stop in tour.stops]
    back = tour.drive_minutes - sum(s.drive_minutes for s in stops)
    return Itinerary(places[tour.start_office_id], places[tour.end_office_id],
                     tour.depart_at, tour.return_at, stops, back,
                     working_window(tour.counsellor, tour.day))


def _point(location: Location, kind: str) -> MapPoint | None:
    if location.lat is None or location.lon is None:
        return None
    return MapPoint(location.id, location.town or location.name, location.lat, location.lon,
                    kind)


def route_map(day: date, start_office: Location, stops: list[Location], end_office: Location
              ) -> Markup:
    """The day's route from the start office through the stops (numbered) to the end
    office."""
    points: dict[str, MapPoint] = {}
    for location, kind in [(start_office, "office"), *((s, "town") for s in stops),
                           (end_office, "office")]:
        point = _point(location, kind)
        if point is not None:
            points.setdefault(point.id, point)
    route = [start_office.id, *(s.id for s in stops), end_office.id]
    return mv_map(list(points.values()), route,
                  title=_("Route of the tour on %(day)s", day=day_text(day)),
                  description=_("Offices are squares, towns dots; the stops are numbered in "
                                "the order of the visits."),
                  id_prefix="tour-map", zoom=True)
