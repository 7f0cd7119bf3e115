"""Published tours as the slot engine sees them: one ``DayPlan`` per tour, its stops'
counselling windows as the counsellor's only hours that day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import or_, select

from booking.domain.slots import DayPlan
from booking.extensions import db
from booking.tours.models import Tour, TourStop


def load_day_plans(location_ids: set[str] | None, counsellor_ids: set[int], first_day: date,
                   end_day: date) -> list[DayPlan]:
    """Published tours on local days [first_day, end_day) that stop at one of
    ``location_ids`` (None: none) or belong to one of ``counsellor_ids``; one query."""
    query = (select(Tour.id, Tour.counsellor_id, Tour.day, TourStop.location_id,
                    TourStop.start_at, TourStop.end_at)
             .join(TourStop, TourStop.tour_id == Tour.id)
             .where(Tour.status == "published", Tour.day >= first_day, Tour.day < end_day)
             .order_by(Tour.id, TourStop.position))
    ours = Tour.counsellor_id.in_(counsellor_ids)
    if location_ids:
        stopping_here = select(TourStop.tour_id).where(TourStop.location_id.in_(location_ids))
        ours = or_(Tour.id.in_(stopping_here), ours)
    query = query.where(ours)
    tours: dict[int, tuple[int, date]] = {}
    blocks: dict[int, list] = defaultdict(list)
    for tour_id, counsellor_id, day, location_id, start_at, end_at in db.session.execute(query):
        tours[tour_id] = (counsellor_id, day)
        blocks[tour_id].append((location_id, start_at, end_at))
    return [DayPlan(counsellor_id, day, tuple(blocks[tour_id]))
            for tour_id, (counsellor_id, day) in tours.items()]


def day_plan_of(tour: Tour) -> DayPlan:
    """The same day plan from a loaded tour (the feeds read whole tours)."""
    return DayPlan(tour.counsellor_id, tour.day,
                   tuple((stop.location_id, stop.start_at, stop.end_at) for stop in tour.stops))
