"""Mobile advice days: the order of towns with the least driving, and the day's timetable.

A counsellor leaves the start office, sets up and counsels in each town, and drives to the end
office. The order minimises total driving: exactly for up to ``EXACT_LIMIT`` stops (Held–Karp
dynamic programming over subsets with a fixed start and end, O(n²·2ⁿ)), and by nearest neighbour
improved with 2-opt and or-opt moves beyond that (never worse than nearest neighbour alone).

Time windows do not enter the drive-time search. When the cheapest order breaks a rule (a stop's
own window, the working window, the legal limit) and there are at most ``FEASIBLE_SEARCH_LIMIT``
stops, a depth-first branch and bound over orders looks for the cheapest order that keeps every
rule; it prunes a prefix as soon as it breaks one, which is sound because time only moves forward
along a tour. With more stops, or when no order fits, the plan is refused with the reason of the
cheapest order.

Times: local bounds (working window, a stop's earliest start and latest end) become instants with
``local_to_utc``; the timetable then adds real durations to those instants, so a tour over a DST
change is as long as the driving and counselling it holds, and every ``*_at`` is aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise

from booking.domain.calendar_rules import local_to_utc

EXACT_LIMIT = 10  # Held–Karp: 10 stops are ~10⁵ steps; 12 would be ~6·10⁵ (a slow second)
FEASIBLE_SEARCH_LIMIT = 8  # 8! orders at worst, pruned by the rules and the best cost so far
LEGAL_LIMIT = timedelta(hours=10)  # ArbZG § 3: at most ten working hours a day, travel included
DEFAULT_DAY_START = time(8)  # departure without a working window
_US = timedelta(microseconds=1)  # costs and clocks are whole microseconds: exact and fast

Travel = Callable[[str, str], timedelta]


class RefusalCode(StrEnum):
    NO_STOPS = "no_stops"
    DUPLICATE_STOP = "duplicate_stop"
    UNKNOWN_PLACE = "unknown_place"
    STOP_WINDOW = "stop_window"
    OVER_LEGAL_LIMIT = "over_legal_limit"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"


@dataclass(frozen=True)
class TourStop:
    """Counsel for ``counselling_minutes`` at ``place_id``, beginning no earlier than
    ``earliest_start`` and ending no later than ``latest_end`` (local times, both optional)."""

    place_id: str
    counselling_minutes: int
    earliest_start: time | None = None
    latest_end: time | None = None

    def __post_init__(self) -> None:
        if self.counselling_minutes <= 0:
            raise ValueError(f"{self.place_id}: counselling_minutes must be positive")


@dataclass(frozen=True)
class TourRequest:
    """One mobile advice day. ``work_start``/``work_end`` are the counsellor's local working
    window that day (optional); ``setup_minutes`` is spent on arrival before counselling."""

    day: date
    start_office_id: str
    end_office_id: str
    stops: tuple[TourStop, ...]
    tz: tzinfo
    work_start: time | None = None
    work_end: time | None = None
    setup_minutes: int = 15
    legal_limit: timedelta = LEGAL_LIMIT

    def __post_init__(self) -> None:
        if self.setup_minutes < 0:
            raise ValueError("setup_minutes must not be negative")
        if self.work_start and self.work_end and self.work_end <= self.work_start:
            raise ValueError("work_end must be after work_start")


@dataclass(frozen=True)
class Leg:
    from_place_id: str
    to_place_id: str
    drive: timedelta


@dataclass(frozen=True)
class Visit:
    place_id: str
    arrive_at: datetime
    counselling_start_at: datetime
    counselling_end_at: datetime
    depart_at: datetime


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    place_id: str | None = None  # the offending stop, when there is one


@dataclass(frozen=True)
class TourPlan:
    """The chosen order and its legs, and either the timetable or the refusal. A refused plan
    still carries the order, legs and totals it was refused for (none for input errors)."""

    order: tuple[str, ...]
    legs: tuple[Leg, ...]
    total_drive: timedelta
    total_working: timedelta  # departure to return, waiting included
    visits: tuple[Visit, ...] = ()
    depart_at: datetime | None = None
    return_at: datetime | None = None
    refusal: Refusal | None = None
    # The order has the least driving of all orders (of those keeping every rule, when the
    # cheapest broke one and the search found another); False for the heuristic.
    is_exact: bool = False

    @property
    def is_feasible(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class DriveMatrix:
    """Drive times in microseconds between the stops (indices 0..n-1): ``first[i]`` from the
    start office to stop i, ``between[i][j]`` from stop i to stop j, ``last[i]`` from stop i to
    the end office. Travel may be asymmetric."""

    first: tuple[int, ...]
    between: tuple[tuple[int, ...], ...]
    last: tuple[int, ...]


def route_cost(matrix: DriveMatrix, order: Sequence[int]) -> int:
    cost = matrix.first[order[0]] + matrix.last[order[-1]]
    for a, b in pairwise(order):
        cost += matrix.between[a][b]
    return cost


def exact_order(matrix: DriveMatrix) -> list[int]:
    """The order with the least driving (Held–Karp). ``best[mask][j]`` is the cheapest drive
    from the start office through the stops in ``mask``, ending at j; ties go to the lower
    index, so the answer depends only on the input."""
    n = len(matrix.first)
    infinite = float("inf")
    best = [[infinite] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for j in range(n):
        best[1 << j][j] = matrix.first[j]
    for mask in range(1, 1 << n):
        row = best[mask]
        for j in range(n):
            cost = row[j]
            if cost == infinite:
                continue
            drives = matrix.between[j]
            for k in range(n):
                if mask >> k & 1:
                    continue
                extended = mask | 1 << k
                value = cost + drives[k]
                if value < best[extended][k]:
                    best[extended][k] = value
                    parent[extended][k] = j
    full = (1 << n) - 1
    _, j = min((best[full][j] + matrix.last[j], j) for j in range(n))
    order, mask = [], full
    while j != -1:
        order.append(j)
        j, mask = parent[mask][j], mask & ~(1 << j)
    return order[::-1]


def nearest_neighbour_order(matrix: DriveMatrix) -> list[int]:
    left, order = list(range(len(matrix.first))), []
    drives = matrix.first
    while left:
        nearest = min(left, key=lambda k: (drives[k], k))
        order.append(nearest)
        left.remove(nearest)
        drives = matrix.between[nearest]
    return order


def heuristic_order(matrix: DriveMatrix) -> list[int]:
    """Nearest neighbour, then 2-opt (reverse a run) and or-opt (move a run of 1–3 stops,
    either way round) moves, taking the best move while one shortens the tour. Every move is
    priced on the whole route because reversing a run changes its cost when travel is
    asymmetric; only shortening moves are taken, so the result is never worse than nearest
    neighbour."""
    order = nearest_neighbour_order(matrix)
    cost = route_cost(matrix, order)
    while True:
        value, candidate = min(((route_cost(matrix, c), c) for c in _neighbours(order)),
                               default=(cost, order))
        if value >= cost:
            return order
        order, cost = candidate, value


def _neighbours(order: list[int]) -> Iterator[list[int]]:
    n = len(order)
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            yield order[:i] + order[i:j][::-1] + order[j:]
    for length in (1, 2, 3):
        for i in range(n - length + 1):
            run, rest = order[i:i + length], order[:i] + order[i + length:]
            for p in range(len(rest) + 1):
                yield rest[:p] + run + rest[p:]
                if length > 1:
                    yield rest[:p] + run[::-1] + rest[p:]


@dataclass(frozen=True)
class _Clock:
    """The day's rules in microseconds after ``anchor`` (local midnight as a UTC instant)."""

    anchor: datetime
    day_start: int
    day_end: int | None
    limit: int
    setup: int
    minutes: tuple[int, ...]
    earliest: tuple[int | None, ...]
    latest: tuple[int | None, ...]

    @classmethod
    def of(cls, request: TourRequest) -> _Clock:
        anchor = local_to_utc(request.day, time(0), request.tz)

        def offset(wall: time | None) -> int | None:
            if wall is None:
                return None
            return (local_to_utc(request.day, wall, request.tz) - anchor) // _US

        return cls(anchor, offset(request.work_start or DEFAULT_DAY_START),
                   offset(request.work_end), request.legal_limit // _US,
                   timedelta(minutes=request.setup_minutes) // _US,
                   tuple(timedelta(minutes=s.counselling_minutes) // _US for s in request.stops),
                   tuple(offset(s.earliest_start) for s in request.stops),
                   tuple(offset(s.latest_end) for s in request.stops))

    def departure(self, first_stop: int, drive: int) -> int:
        # Leave late enough not to wait at the first stop: waiting is working time.
        earliest = self.earliest[first_stop]
        if earliest is None:
            return self.day_start
        return max(self.day_start, earliest - self.setup - drive)

    def serve(self, arrive: int, stop: int) -> tuple[int, int]:
        """Counselling start and end for an arrival; setting up may overlap the wait."""
        start = arrive + self.setup
        earliest = self.earliest[stop]
        if earliest is not None and earliest > start:
            start = earliest
        return start, start + self.minutes[stop]

    def breach(self, depart: int, now: int, stop: int | None) -> RefusalCode | None:
        """The rule broken once the day has run until ``now`` (the end of counselling at
        ``stop``, or the return with ``stop`` None). Each check only grows along a tour."""
        latest = None if stop is None else self.latest[stop]
        if latest is not None and now > latest:
            return RefusalCode.STOP_WINDOW
        if now - depart > self.limit:
            return RefusalCode.OVER_LEGAL_LIMIT
        if self.day_end is not None and now > self.day_end:
            return RefusalCode.OUTSIDE_WORKING_HOURS
        return None


def plan_tour(request: TourRequest, travel: Travel) -> TourPlan:
    """Plan one mobile advice day. ``travel(a, b)`` is the drive from place a to place b; a
    KeyError or None from it refuses the plan as ``unknown_place``."""
    stops = request.stops
    if not stops:
        return _refused(Refusal(RefusalCode.NO_STOPS))
    seen: set[str] = set()
    for stop in stops:
        if stop.place_id in seen:
            return _refused(Refusal(RefusalCode.DUPLICATE_STOP, stop.place_id))
        seen.add(stop.place_id)
    matrix = _drive_matrix(request, travel)
    if isinstance(matrix, Refusal):
        return _refused(matrix)
    clock = _Clock.of(request)
    is_exact = len(stops) <= EXACT_LIMIT
    order = exact_order(matrix) if is_exact else heuristic_order(matrix)
    if _walk(matrix, clock, order)[-1] is not None and len(stops) <= FEASIBLE_SEARCH_LIMIT:
        order = _cheapest_feasible(matrix, clock) or order
    return _plan(request, matrix, clock, order, is_exact)


def _drive_matrix(request: TourRequest, travel: Travel) -> DriveMatrix | Refusal:
    places = [s.place_id for s in request.stops]

    def drive(a: str, b: str) -> int | Refusal:
        if a == b:  # a stop held at an office: no travel, and no need to ask for it
            return 0
        try:
            value = travel(a, b)
        except KeyError:
            value = None
        if value is None:
            return Refusal(RefusalCode.UNKNOWN_PLACE, b if b in places else a)
        if value < timedelta(0):
            raise ValueError(f"negative travel time from {a} to {b}")
        return value // _US

    first = [drive(request.start_office_id, p) for p in places]
    between = [[0 if a == b else drive(a, b) for b in places] for a in places]
    last = [drive(p, request.end_office_id) for p in places]
    for value in [*first, *(v for row in between for v in row), *last]:
        if isinstance(value, Refusal):
            return value
    return DriveMatrix(tuple(first), tuple(map(tuple, between)), tuple(last))


def _walk(matrix: DriveMatrix, clock: _Clock, order: Sequence[int]
          ) -> tuple[int, list[tuple[int, int, int]], int, tuple[RefusalCode, int | None] | None]:
    """Departure, (arrival, start, end) per stop, return, and the first rule broken (with the
    stop it was broken at, None for the return)."""
    depart = clock.departure(order[0], matrix.first[order[0]])
    now, previous, times, broken = depart, None, [], None
    for stop in order:
        arrive = now + (matrix.first[stop] if previous is None
                        else matrix.between[previous][stop])
        start, now = clock.serve(arrive, stop)
        times.append((arrive, start, now))
        code = clock.breach(depart, now, stop)
        if code is not None and broken is None:
            broken = (code, stop)
        previous = stop
    back = now + matrix.last[order[-1]]
    code = clock.breach(depart, back, None)
    if code is not None and broken is None:
        broken = (code, None)
    return depart, times, back, broken


def _cheapest_feasible(matrix: DriveMatrix, clock: _Clock) -> list[int] | None:
    """The order with the least driving that keeps every rule, by depth-first branch and bound."""
    n = len(matrix.first)
    full = (1 << n) - 1
    best: list = [float("inf"), None]
    path: list[int] = []

    def extend(mask: int, at: int, now: int, cost: int, depart: int) -> None:
        if mask == full:
            total = cost + matrix.last[at]
            if total < best[0] and clock.breach(depart, now + matrix.last[at], None) is None:
                best[:] = [total, list(path)]
            return
        for k in range(n):
            if mask >> k & 1 or cost + matrix.between[at][k] >= best[0]:
                continue
            _, end = clock.serve(now + matrix.between[at][k], k)
            if clock.breach(depart, end, k) is None:
                path.append(k)
                extend(mask | 1 << k, k, end, cost + matrix.between[at][k], depart)
                path.pop()

    for first in range(n):
        drive = matrix.first[first]
        depart = clock.departure(first, drive)
        _, end = clock.serve(depart + drive, first)
        if drive < best[0] and clock.breach(depart, end, first) is None:
            path.append(first)
            extend(1 << first, first, end, drive, depart)
            path.pop()
    return best[1]


def _plan(request: TourRequest, matrix: DriveMatrix, clock: _Clock, order: list[int],
          is_exact: bool) -> TourPlan:
    ids = [s.place_id for s in request.stops]
    route = [request.start_office_id, *(ids[i] for i in order), request.end_office_id]
    drives = [matrix.first[order[0]],
              *(matrix.between[a][b] for a, b in pairwise(order)),
              matrix.last[order[-1]]]
    legs = tuple(Leg(a, b, d * _US) for (a, b), d in zip(pairwise(route), drives, strict=True))
    depart, times, back, broken = _walk(matrix, clock, order)
    totals = {"order": tuple(route[1:-1]), "legs": legs, "total_drive": sum(drives) * _US,
              "total_working": (back - depart) * _US, "is_exact": is_exact}
    if broken is not None:
        code, stop = broken
        return TourPlan(**totals, refusal=Refusal(code, None if stop is None else ids[stop]))

    def at(offset: int) -> datetime:
        return clock.anchor + offset * _US

    visits = tuple(Visit(ids[i], at(arrive), at(start), at(end), at(end))
                   for i, (arrive, start, end) in zip(order, times, strict=True))
    return TourPlan(**totals, visits=visits, depart_at=at(depart), return_at=at(back))


def _refused(refusal: Refusal) -> TourPlan:
    return TourPlan((), (), timedelta(0), timedelta(0), refusal=refusal)
