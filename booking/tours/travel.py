"""The travel matrix: drive times between offices and towns, seeded from estimates and
corrected by office staff with measured times.

Seeding (idempotent, never overwrites a measured time): the reference estimates for
office–town and office–office pairs, both directions; town–town pairs, which the reference
does not list, by the reference's own rule of thumb (straight-line distance × 1.2 road factor,
about 10 minutes plus 0.77 minutes per road kilometre, rounded to 5), which has the same
±20 % (more across water: Rügen and Usedom are reached over their bridges, so staff should
measure those).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from importlib import resources

from sqlalchemy import insert, select

from booking.extensions import db
from booking.network.models import Location, Town
from booking.tours.models import TravelTime

ROAD_FACTOR = 1.2
EARTH_RADIUS_KM = 6371.0


def _read(name: str) -> list[dict]:
    text = resources.files("booking.network").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def reference_estimates() -> dict[tuple[str, str], tuple[int, int]]:
    """(road km, drive minutes) from the reference data for office–town and office–office
    pairs, both directions (read once: the files ship with the package)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for name, a, b in (("mv_office_town_drive_estimates.csv", "office_id", "town_id"),
                       ("mv_office_office_drive_estimates.csv", "from", "to")):
        for row in _read(name):
            value = (int(row["road_km_est"]), int(row["drive_min_est"]))
            found.setdefault((row[a], row[b]), value)
            found.setdefault((row[b], row[a]), value)
    return found


def _round5(value: float) -> int:
    return max(5, int(5 * round(value / 5)))


def straight_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def estimate(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[int, int]:
    """(road km, drive minutes) by the reference data's rule of thumb."""
    road = _round5(straight_km(lat1, lon1, lat2, lon2) * ROAD_FACTOR)
    return road, _round5(10 + 0.77 * road)


def seeded_estimate(a: str, b: str, coordinates: dict[str, tuple[float, float]]
                    ) -> tuple[int, int] | None:
    """(road km, drive minutes) the matrix is seeded with for the pair: the reference's
    estimate, else the rule of thumb from ``coordinates`` (place id → lat, lon); None when
    neither knows the pair. A measured time replaces it in the matrix, not here."""
    known = reference_estimates().get((a, b))
    if known is not None or a not in coordinates or b not in coordinates:
        return known
    return estimate(*coordinates[a], *coordinates[b])


def seed_travel_times() -> int:
    """Add the estimated drive time for every pair of places that has none (both
    directions); existing rows, measured or not, are left alone. Returns how many were added."""
    known = set(db.session.execute(select(TravelTime.from_place_id, TravelTime.to_place_id)))
    towns = list(db.session.scalars(select(Town)))
    offices = list(db.session.scalars(select(Location).where(Location.kind == "office")))
    coordinates = {**{t.id: (t.lat, t.lon) for t in towns},
                   **{o.id: (o.lat, o.lon) for o in offices
                      if o.lat is not None and o.lon is not None}}
    ids = sorted({*(t.id for t in towns), *(o.id for o in offices)})
    pending = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            found = seeded_estimate(a, b, coordinates)
            if found is None:
                continue
            pending += [{"from_place_id": x, "to_place_id": y, "road_km": found[0],
                         "minutes": found[1], "source": "estimate"}
                        for x, y in ((a, b), (b, a)) if (x, y) not in known]
    if pending:  # one multi-row INSERT: the demo network has some 1,300 pairs
        db.session.execute(insert(TravelTime), pending)
    return len(pending)


def travel_minutes() -> dict[tuple[str, str], int]:
    """The whole matrix (some 1,300 rows for the demo network: one query)."""
    return {(a, b): m for a, b, m in db.session.execute(
        select(TravelTime.from_place_id, TravelTime.to_place_id, TravelTime.minutes))}


def travel_function() -> Callable[[str, str], timedelta]:
    """The planner's ``travel(a, b)``; a missing pair raises KeyError (``unknown_place``)."""
    matrix = travel_minutes()

    def travel(a: str, b: str) -> timedelta:
        return timedelta(minutes=matrix[(a, b)])

    return travel


def set_travel_time(from_place_id: str, to_place_id: str, minutes: int, *,
                    road_km: int | None = None, user_id: int | None = None,
                    both_ways: bool = True) -> list[TravelTime]:
    """Record a measured drive time (and the way back, unless ``both_ways`` is False)."""
    if from_place_id == to_place_id:
        raise ValueError("a place has no drive time to itself")
    pairs = [(from_place_id, to_place_id)]
    if both_ways:
        pairs.append((to_place_id, from_place_id))
    rows = []
    for a, b in pairs:
        row = db.session.get(TravelTime, (a, b))
        if row is None:
            row = TravelTime(from_place_id=a, to_place_id=b)
            db.session.add(row)
        row.minutes, row.source, row.updated_by_user_id = minutes, "measured", user_id
        if road_km is not None:
            row.road_km = road_km
        rows.append(row)
    db.session.flush()
    return rows


def place_of(location: Location) -> str:
    """The travel-matrix id of a location: an office is its own place, a mobile venue is in
    its town."""
    return location.id if location.kind == "office" or not location.town_id \
        else location.town_id
