"""Tour planner: planning a mobile advice day from Schwerin with 8, 10 and 12 towns.

The planner is pure (``booking.domain.tours``), so this measures ``plan_tour`` alone, with the
drive matrix built from the travel function on every run as in production:

(a) 8 and 10 stops: the exact order (Held–Karp, O(n²·2ⁿ));
(b) 12 stops: nearest neighbour improved with 2-opt and or-opt;
(c) 8 stops where the cheapest order breaks a stop's window, so the branch-and-bound search
    for the cheapest feasible order runs as well.

Office-to-town drives are the estimates in ``booking/network/data``; town-to-town drives are
estimated here only (great-circle km × 1.2 at 70 km/h) from the towns' coordinates.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.timing import Result, measure, measurement_plan, table
from booking.domain.tours import TourRequest, TourStop, plan_tour

NAME = "tours"
DESCRIPTION = "tour planner: exact order for 8 and 10 towns, heuristic for 12"

DATA = Path(__file__).resolve().parent.parent / "booking" / "network" / "data"
OFFICE = "schwerin"
TOWNS = ("wismar", "grevesmuehlen", "gadebusch", "hagenow", "ludwigslust", "parchim",
         "boizenburg", "luebz", "sternberg", "guestrow", "bad-doberan", "buetzow")
DAY = date(2027, 6, 15)
BERLIN = ZoneInfo("Europe/Berlin")
COUNSELLING = {8: 30, 10: 15, 12: 5}  # minutes a stop, so that each day fits ten hours


def run(options) -> None:
    plan = measurement_plan(getattr(options, "quick", False))
    travel = _travel()
    scenarios = []
    for n in (8, 10, 12):
        label = f"({'b' if n > 10 else 'a'}) {n} stops, {'heuristic' if n > 10 else 'exact'}"
        scenarios.append((label, _request(TOWNS[:n], counselling=COUNSELLING[n])))
    # The first town of the cheapest loop may only start at 14:00: the search must reorder.
    first = plan_tour(scenarios[0][1], travel).order[0]
    windowed = _request(TOWNS[:8], counselling=COUNSELLING[8], windows={first: time(14)})
    scenarios.append(("(c) 8 stops, window: search", windowed))
    results = []
    for label, request in scenarios:
        outcome = plan_tour(request, travel)
        samples, full_gc = measure(lambda request=request: plan_tour(request, travel), **plan)
        results.append(Result(label, len(request.stops), samples, {
            "drive": _hours(outcome.total_drive), "working": _hours(outcome.total_working),
            "outcome": "ok" if outcome.is_feasible else outcome.refusal.code.value,
            "first": outcome.order[0] if outcome.order else "-",
            "gc": full_gc}))
    print(table(results, [("drive", "drive h"), ("working", "working h"),
                          ("outcome", "outcome"), ("first", "first stop"),
                          ("gc", "gc")]))
    print("stored: stops in the tour; drive and working time of the chosen order."
          f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; figures are information, not "
          "a pass/fail check.")


def _request(towns, *, counselling: int, windows: dict | None = None) -> TourRequest:
    windows = windows or {}
    return TourRequest(DAY, OFFICE, OFFICE,
                       tuple(TourStop(t, counselling, windows.get(t)) for t in towns),
                       BERLIN, work_start=time(7), work_end=time(19), setup_minutes=10)


def _travel():
    with open(DATA / "mv_towns.csv", encoding="utf-8") as f:
        where = {r["town_id"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)}
    with open(DATA / "mv_office_town_drive_estimates.csv", encoding="utf-8") as f:
        office = {(r["office_id"], r["town_id"]): int(r["drive_min_est"])
                  for r in csv.DictReader(f)}
    minutes = {}
    for (o, t), m in office.items():
        minutes[o, t] = minutes[t, o] = m
    for a in where:
        for b in where:
            if a != b:
                minutes[a, b] = round(_great_circle_km(where[a], where[b]) * 1.2 / 70 * 60)
    return lambda a, b: timedelta(minutes=minutes[a, b])


def _great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (a, b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


def _hours(value: timedelta) -> str:
    return f"{value / timedelta(hours=1):.2f}"
