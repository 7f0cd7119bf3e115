"""Tour planner: the exact order against brute force, the rules with their codes, DST days."""

import itertools
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.domain.tours import (
    DriveMatrix,
    RefusalCode,
    TourRequest,
    TourStop,
    exact_order,
    heuristic_order,
    nearest_neighbour_order,
    plan_tour,
    route_cost,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2027, 6, 15)  # a Tuesday in summer time (UTC+2)
TOWNS = ["wismar", "grevesmuehlen", "gadebusch", "hagenow", "ludwigslust", "parchim",
         "boizenburg", "luebz", "sternberg", "guestrow", "bad-doberan", "buetzow"]
MINUTE = timedelta(minutes=1)


def travel_from(minutes: dict[tuple[str, str], int], symmetric: bool = True):
    table = dict(minutes)
    if symmetric:
        table |= {(b, a): m for (a, b), m in minutes.items()}
    return lambda a, b: table[a, b] * MINUTE  # KeyError for an unknown pair


# Schwerin office and three towns west of it (minutes, symmetric).
WEST = travel_from({("schwerin", "wismar"): 40, ("schwerin", "grevesmuehlen"): 45,
                    ("schwerin", "gadebusch"): 30, ("wismar", "grevesmuehlen"): 20,
                    ("wismar", "gadebusch"): 35, ("grevesmuehlen", "gadebusch"): 20})


def request(*stops, day=DAY, start=time(8), end=time(16), setup=15, **kwargs):
    return TourRequest(day=day, start_office_id="schwerin", end_office_id="schwerin",
                       stops=tuple(stops), tz=BERLIN, work_start=start, work_end=end,
                       setup_minutes=setup, **kwargs)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def random_instance(rng: random.Random, n: int, symmetric: bool):
    places = ["schwerin", "rostock", *TOWNS[:n]]
    minutes = {}
    for a, b in itertools.permutations(places, 2):
        if symmetric and (b, a) in minutes:
            minutes[a, b] = minutes[b, a]
        else:
            minutes[a, b] = rng.randint(5, 120)
    return TOWNS[:n], minutes


def brute_force_drive(stops, minutes, start="schwerin", end="rostock"):
    def cost(order):
        return sum(minutes[a, b] for a, b in itertools.pairwise((start, *order, end)))
    return min(map(cost, itertools.permutations(stops))) * MINUTE


def test_exact_order_matches_brute_force_on_random_instances():
    rng = random.Random(20270328)
    for instance in range(240):
        n = 1 + instance % 8
        symmetric = instance % 2 == 0
        towns, minutes = random_instance(rng, n, symmetric)
        travel = travel_from(minutes, symmetric=False)
        plan = plan_tour(TourRequest(DAY, "schwerin", "rostock",
                                     tuple(TourStop(t, 10) for t in towns), BERLIN,
                                     legal_limit=timedelta(days=1)), travel)
        assert plan.is_feasible and plan.is_exact
        assert sorted(plan.order) == sorted(towns)
        assert plan.total_drive == brute_force_drive(towns, minutes), (instance, n, symmetric)
        assert plan.total_drive == sum((leg.drive for leg in plan.legs), timedelta(0))


def reference_is_feasible(req: TourRequest, order, travel) -> bool:
    """An independent reading of the rules, with datetimes: leave at the working start (or
    later, so as not to wait at the first stop), set up, counsel, drive on."""
    stops = {s.place_id: s for s in req.stops}
    first = stops[order[0]]
    depart = at(req.day, req.work_start.hour, req.work_start.minute)
    if first.earliest_start:
        depart = max(depart, at(req.day, first.earliest_start.hour, first.earliest_start.minute)
                     - req.setup_minutes * MINUTE - travel("schwerin", first.place_id))
    now, here = depart, "schwerin"
    for place in order:
        stop = stops[place]
        start = now + travel(here, place) + req.setup_minutes * MINUTE
        if stop.earliest_start:
            start = max(start, at(req.day, stop.earliest_start.hour, stop.earliest_start.minute))
        now, here = start + stop.counselling_minutes * MINUTE, place
        if stop.latest_end and now > at(req.day, stop.latest_end.hour, stop.latest_end.minute):
            return False
    now += travel(here, "schwerin")
    return now - depart <= req.legal_limit and now <= at(req.day, req.work_end.hour,
                                                         req.work_end.minute)


def test_cheapest_feasible_order_matches_brute_force_with_windows():
    rng = random.Random(1031)
    for instance in range(120):
        n = 2 + instance % 5
        places = ["schwerin", *TOWNS[:n]]
        minutes = {(a, b): rng.randint(10, 60) for a, b in itertools.permutations(places, 2)}
        travel = travel_from(minutes, symmetric=False)
        stops = []
        for town in TOWNS[:n]:
            earliest = time(rng.randint(8, 13)) if rng.random() < 0.4 else None
            latest = time(rng.randint(10, 16)) if rng.random() < 0.4 else None
            stops.append(TourStop(town, rng.choice([30, 45, 60]), earliest, latest))
        req = request(*stops, end=time(17))
        plan = plan_tour(req, travel)
        feasible = [o for o in itertools.permutations(TOWNS[:n])
                    if reference_is_feasible(req, o, travel)]
        if not feasible:
            assert not plan.is_feasible, instance
            continue
        assert plan.is_feasible, (instance, plan.refusal)
        best = min(sum((travel(a, b) for a, b in itertools.pairwise(["schwerin", *o,
                                                                      "schwerin"])),
                       timedelta(0)) for o in feasible)
        assert plan.total_drive == best, instance
        assert reference_is_feasible(req, plan.order, travel)


def test_timetable_of_a_simple_day():
    plan = plan_tour(request(TourStop("wismar", 60)), WEST)
    assert plan.order == ("wismar",)
    (visit,) = plan.visits
    assert plan.depart_at == at(DAY, 8)
    assert (visit.arrive_at, visit.counselling_start_at, visit.counselling_end_at) == (
        at(DAY, 8, 40), at(DAY, 8, 55), at(DAY, 9, 55))
    assert visit.depart_at == visit.counselling_end_at
    assert plan.return_at == at(DAY, 10, 35)
    assert plan.total_drive == 80 * MINUTE
    assert plan.total_working == timedelta(hours=2, minutes=35)
    assert [(leg.from_place_id, leg.to_place_id) for leg in plan.legs] == [
        ("schwerin", "wismar"), ("wismar", "schwerin")]


def test_departure_waits_at_the_office_rather_than_at_the_first_stop():
    plan = plan_tour(request(TourStop("wismar", 60, earliest_start=time(10))), WEST)
    assert plan.depart_at == at(DAY, 9, 5)  # 10:00 - 15 min set-up - 40 min drive
    assert plan.visits[0].counselling_start_at == at(DAY, 10)


def test_a_stop_window_makes_another_order_the_best_feasible_one():
    stops = [TourStop("wismar", 60), TourStop("grevesmuehlen", 60), TourStop("gadebusch", 60)]
    free = plan_tour(request(*stops), WEST)
    assert free.order == ("gadebusch", "grevesmuehlen", "wismar")  # 30+20+20+40 = 110 min
    late = plan_tour(request(*stops[:2], TourStop("gadebusch", 60, earliest_start=time(13))),
                     WEST)
    assert late.is_feasible and late.order[-1] == "gadebusch"
    assert late.total_drive == 110 * MINUTE  # 40+20+20+30: as cheap, the other way round
    assert late.visits[-1].counselling_start_at == at(DAY, 13)


@pytest.mark.parametrize(("stops", "kwargs", "code", "place"), [
    ((), {}, RefusalCode.NO_STOPS, None),
    ((TourStop("wismar", 30), TourStop("wismar", 45)), {}, RefusalCode.DUPLICATE_STOP,
     "wismar"),
    ((TourStop("wismar", 30), TourStop("atlantis", 30)), {}, RefusalCode.UNKNOWN_PLACE,
     "atlantis"),
    ((TourStop("wismar", 6 * 60), TourStop("gadebusch", 60)), {"end": time(14)},
     RefusalCode.OUTSIDE_WORKING_HOURS, None),
    ((TourStop("wismar", 9 * 60),), {"end": None}, RefusalCode.OVER_LEGAL_LIMIT, None),
    ((TourStop("wismar", 5 * 60), TourStop("gadebusch", 4 * 60)), {"end": time(20)},
     RefusalCode.OVER_LEGAL_LIMIT, None),
    ((TourStop("wismar", 60, latest_end=time(9)),), {}, RefusalCode.STOP_WINDOW, "wismar"),
    ((TourStop("wismar", 60, earliest_start=time(12), latest_end=time(12, 30)),), {},
     RefusalCode.STOP_WINDOW, "wismar"),
    # Each window fits alone, but not both: the cheapest order is refused at its stop.
    ((TourStop("wismar", 120, latest_end=time(11)),
      TourStop("gadebusch", 120, latest_end=time(11))), {}, RefusalCode.STOP_WINDOW, None),
])
def test_refusals_carry_a_code(stops, kwargs, code, place):
    plan = plan_tour(request(*stops, **kwargs), WEST)
    assert not plan.is_feasible and plan.visits == () and plan.depart_at is None
    assert plan.refusal.code == code
    if place is not None:
        assert plan.refusal.place_id == place


def test_legal_limit_is_configurable_and_inclusive():
    stops = (TourStop("wismar", 8 * 60 + 25),)  # 40 + 15 + 505 + 40 = 10 h exactly
    assert plan_tour(request(*stops, end=None), WEST).total_working == timedelta(hours=10)
    assert plan_tour(request(*stops, end=None), WEST).is_feasible
    short = plan_tour(request(*stops, end=None, legal_limit=timedelta(hours=8)), WEST)
    assert short.refusal.code == RefusalCode.OVER_LEGAL_LIMIT
    assert short.order == ("wismar",) and short.total_working == timedelta(hours=10)


def test_travel_returning_none_is_an_unknown_place():
    plan = plan_tour(request(TourStop("wismar", 30)),
                     lambda a, b: None if "wismar" in (a, b) else MINUTE)
    assert plan.refusal.code == RefusalCode.UNKNOWN_PLACE and plan.refusal.place_id == "wismar"


@pytest.mark.parametrize(("day", "utc_offset"), [
    (date(2027, 3, 28), 2),  # clocks went forward at 02:00: the day is in CEST
    (date(2027, 10, 31), 1),  # clocks went back at 03:00: the day is in CET
])
def test_dst_days_keep_wall_clock_times(day, utc_offset):
    plan = plan_tour(request(TourStop("wismar", 60), TourStop("gadebusch", 90), day=day), WEST)
    assert plan.depart_at == datetime(day.year, day.month, day.day, 8 - utc_offset, tzinfo=UTC)
    wall = [(v.place_id, v.arrive_at.astimezone(BERLIN).time(),
             v.counselling_start_at.astimezone(BERLIN).time(),
             v.counselling_end_at.astimezone(BERLIN).time()) for v in plan.visits]
    assert wall == [("gadebusch", time(8, 30), time(8, 45), time(10, 15)),
                    ("wismar", time(10, 50), time(11, 5), time(12, 5))]
    assert plan.return_at.astimezone(BERLIN).time() == time(12, 45)
    assert plan.total_working == timedelta(hours=4, minutes=45)


def test_a_night_tour_over_the_spring_gap_counts_real_time():
    day = date(2027, 3, 28)
    plan = plan_tour(request(TourStop("wismar", 30), day=day, start=time(1), end=time(6)),
                     WEST)
    assert plan.depart_at == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)  # 01:00 CET
    # 40 min drive + 15 set-up + 30 counselling: 02:25 CET does not exist; it is 03:25 CEST.
    assert plan.visits[0].counselling_end_at.astimezone(BERLIN).time() == time(3, 25)
    assert plan.total_working == timedelta(hours=2, minutes=5)
    assert plan.return_at.astimezone(BERLIN).time() == time(4, 5)


def planar_matrix(rng: random.Random, n: int) -> DriveMatrix:
    points = [(rng.uniform(0, 150), rng.uniform(0, 100)) for _ in range(n + 2)]

    def minutes(a, b):  # km × 1.2 at 70 km/h, as whole seconds in microseconds
        return round(math.dist(points[a], points[b]) * 1.2 / 70 * 3600) * 1_000_000

    stops = range(2, n + 2)
    return DriveMatrix(tuple(minutes(0, i) for i in stops),
                       tuple(tuple(minutes(i, j) for j in stops) for i in stops),
                       tuple(minutes(i, 1) for i in stops))


def test_heuristic_for_twelve_stops_beats_nearest_neighbour_and_nears_the_optimum():
    rng = random.Random(12)
    for _ in range(3):
        matrix = planar_matrix(rng, 12)
        heuristic = route_cost(matrix, heuristic_order(matrix))
        optimum = route_cost(matrix, exact_order(matrix))  # the best possible: a lower bound
        assert optimum <= heuristic <= route_cost(matrix, nearest_neighbour_order(matrix))
        assert heuristic <= 1.15 * optimum
    for _ in range(20):  # asymmetric: only the guarantee against nearest neighbour
        n = 12
        matrix = DriveMatrix(tuple(rng.randint(1, 99) for _ in range(n)),
                             tuple(tuple(rng.randint(1, 99) for _ in range(n))
                                   for _ in range(n)),
                             tuple(rng.randint(1, 99) for _ in range(n)))
        order = heuristic_order(matrix)
        assert sorted(order) == list(range(n))
        assert route_cost(matrix, order) <= route_cost(matrix, nearest_neighbour_order(matrix))


def twelve_town_travel():
    rng = random.Random(7)
    places = ["schwerin", *TOWNS]
    coordinates = {p: (rng.uniform(0, 150), rng.uniform(0, 100)) for p in places}
    return lambda a, b: round(math.dist(coordinates[a], coordinates[b]) * 1.03) * MINUTE


def test_twelve_stops_plan_with_the_heuristic_and_deterministically():
    travel = twelve_town_travel()
    stops = tuple(TourStop(t, 10) for t in TOWNS)
    req = request(*stops, setup=5, end=None, legal_limit=timedelta(hours=24))
    plan = plan_tour(req, travel)
    assert not plan.is_exact and plan.is_feasible and sorted(plan.order) == sorted(TOWNS)
    assert plan_tour(req, travel) == plan
    ten = request(*stops[:10], setup=5, end=None, legal_limit=timedelta(hours=24))
    assert plan_tour(ten, travel).is_exact
    assert plan_tour(ten, travel) == plan_tour(ten, travel)


def test_invalid_input_is_a_programming_error():
    with pytest.raises(ValueError, match="positive"):
        TourStop("wismar", 0)
    with pytest.raises(ValueError, match="work_end"):
        request(TourStop("wismar", 30), start=time(12), end=time(9))
    with pytest.raises(ValueError, match="negative"):
        plan_tour(request(TourStop("wismar", 30)), lambda a, b: -MINUTE)
