"""``compute_free_slots``: which start times a client can book, with whom, where.

One pass over plain data: weekly rules become working blocks per counsellor and day; absences,
closures, holidays and buffered appointments are subtracted; start times are laid on a grid
anchored at each block's start (so 09:00, 09:30 … stay on the local clock across DST) and kept
where the whole consultation fits. The hot loop works on integer UTC seconds, not on aware
datetimes (DESIGN.md §6: time-zone-aware objects in hot loops made other engines slow).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from booking.domain.calendar_rules import (
    WeeklyRule,
    days_with_offset_change,
    is_doubled_wall_time,
    local_to_utc,
)
from booking.domain.timeranges import merge, subtract


@dataclass(frozen=True)
class CounsellorProfile:
    id: int
    languages: frozenset[str]


@dataclass(frozen=True)
class BusyPeriod:
    """A counsellor is taken (an appointment, an absence, a private calendar entry)."""

    counsellor_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ClosedPeriod:
    """A location is closed (organisation closures are expanded to their locations)."""

    location_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DayPlan:
    """A counsellor's local day planned apart from the weekly rules (a published mobile advice
    tour): that day the weekly hours do not apply, only ``blocks`` (location, start, end) do,
    so the office hours disappear and travel time stays free of bookings."""

    counsellor_id: int
    day: date
    blocks: tuple[tuple[str, datetime, datetime], ...]


@dataclass(frozen=True)
class SlotRequest:
    locations: frozenset[str]
    first_day: date  # local dates, end exclusive
    end_day: date
    duration: timedelta
    earliest_start: datetime
    latest_end: datetime
    tz: tzinfo
    step: timedelta = timedelta(minutes=30)
    buffer: timedelta = timedelta(0)  # kept free before and after existing appointments
    interpreter_extra: timedelta = timedelta(0)  # a consultation with interpreter takes longer
    language: str | None = None
    counsellor_id: int | None = None  # only this counsellor's slots (booking with a person)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    location_id: str
    counsellor_id: int
    interpreter: bool

    @property
    def sort_key(self) -> tuple:
        """Direct language matches first, then by time, place and counsellor."""
        return (self.interpreter, self.start, self.location_id, self.counsellor_id)


def _seconds(instant: datetime) -> int:
    """Whole UTC seconds, rounded down: for the start of something busy, the end of something
    free."""
    return math.floor(instant.timestamp())


def _seconds_up(instant: datetime) -> int:
    """Whole UTC seconds, rounded up: for the end of something busy, the start of something
    free. Rounding outward keeps a busy period with fractions of a second fully blocked."""
    return math.ceil(instant.timestamp())


def working_blocks(rules: Iterable[WeeklyRule], first_day: date, end_day: date,
                   tz: tzinfo, closed_days: frozenset[date] = frozenset(),
                   day_plans: Iterable[DayPlan] = ()) -> dict[int, list[tuple[int, int, str]]]:
    """Per counsellor: (start, end, location) working blocks in UTC seconds, one pass over the
    days. A counsellor is in one place at a time: where blocks at two locations overlap, the
    overlap is removed from both (the data is contradictory, so neither is offered).

    A day plan replaces the counsellor's weekly hours of its day; it is explicit, so it holds
    on a closed day too (publishing a tour on a holiday is refused before it gets here)."""
    by_weekday: dict[int, list[WeeklyRule]] = defaultdict(list)
    for rule in rules:
        by_weekday[rule.weekday].append(rule)

    raw: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    instants: dict[tuple[date, time], int] = {}  # many rules share 09:00: convert each once

    def instant(day: date, wall: time) -> int:
        key = (day, wall)
        if key not in instants:
            instants[key] = _seconds(local_to_utc(day, wall, tz))
        return instants[key]

    planned: set[tuple[int, date]] = set()
    for plan in day_plans:
        if first_day <= plan.day < end_day:
            planned.add((plan.counsellor_id, plan.day))
            for location_id, start_at, end_at in plan.blocks:
                raw[plan.counsellor_id][location_id].append(
                    (_seconds_up(start_at), _seconds(end_at)))

    day = first_day
    while day < end_day:
        if day not in closed_days:
            for rule in by_weekday.get(day.weekday(), ()):
                if rule.applies_on(day) and (rule.counsellor_id, day) not in planned:
                    start, end = instant(day, rule.start_time), instant(day, rule.end_time)
                    if start < end:
                        raw[rule.counsellor_id][rule.location_id].append((start, end))
        day += timedelta(days=1)

    blocks: dict[int, list[tuple[int, int, str]]] = {}
    for counsellor_id, per_location in raw.items():
        merged = {loc: merge(ranges) for loc, ranges in per_location.items()}
        result = []
        for loc, ranges in merged.items():
            if len(merged) > 1:
                elsewhere = [r for other, rs in merged.items() if other != loc for r in rs]
                ranges = subtract(ranges, elsewhere)
            result.extend((start, end, loc) for start, end in ranges)
        blocks[counsellor_id] = sorted(result)
    return blocks


def compute_free_slots(
    request: SlotRequest,
    counsellors: Iterable[CounsellorProfile],
    rules: Iterable[WeeklyRule],
    appointments: Iterable[BusyPeriod] = (),
    absences: Iterable[BusyPeriod] = (),
    closures: Iterable[ClosedPeriod] = (),
    holidays: frozenset[date] = frozenset(),
    day_plans: Iterable[DayPlan] = (),
) -> list[Slot]:
    """Bookable slots, unique per (location, start), sorted by ``Slot.sort_key``.

    Language: at a location where somebody with hours there speaks ``request.language`` only
    those counsellors are offered; where nobody does, everybody there is, flagged
    ``interpreter`` and with the longer interpreter duration (the office arranges a phone or
    video interpreter). Day plans count as hours at their locations (pass those of the whole
    booking horizon, like the rules).
    """
    profiles = {c.id: c for c in counsellors}
    rules = list(rules)
    day_plans = list(day_plans)
    blocks = working_blocks(rules, request.first_day, request.end_day, request.tz, holidays,
                            day_plans)

    buffer = int(request.buffer.total_seconds())
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    load: dict[int, int] = defaultdict(int)
    for a in appointments:
        busy[a.counsellor_id].append((_seconds(a.start) - buffer, _seconds_up(a.end) + buffer))
        load[a.counsellor_id] += 1
    for a in absences:
        busy[a.counsellor_id].append((_seconds(a.start), _seconds_up(a.end)))
    closed: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in closures:
        closed[c.location_id].append((_seconds(c.start), _seconds_up(c.end)))

    interpreter_at = _interpreter_needed(request, _works_at(rules, day_plans), profiles)
    earliest, latest = _seconds_up(request.earliest_start), _seconds(request.latest_end)
    step = int(request.step.total_seconds())
    base = int(request.duration.total_seconds())
    extra = int(request.interpreter_extra.total_seconds())
    transition_days = days_with_offset_change(request.first_day, request.end_day, request.tz)

    # (location, start) -> (load, counsellor id, end, interpreter): the least-booked counsellor
    # wins a shared start time, so work spreads evenly.
    best: dict[tuple[str, int], tuple[int, int, int, bool]] = {}
    for counsellor_id, counsellor_blocks in blocks.items():
        profile = profiles.get(counsellor_id)
        if profile is None or request.counsellor_id not in (None, counsellor_id):
            continue
        blocked = merge(busy.get(counsellor_id, ()))
        blocked_ends = [end for _, end in blocked]
        for block_start, block_end, location_id in counsellor_blocks:
            if location_id not in request.locations:
                continue
            interpreter = interpreter_at.get(location_id, False)
            if request.language and not interpreter and request.language not in profile.languages:
                continue
            duration = base + (extra if interpreter else 0)
            cuts = list(closed.get(location_id, ()))
            i = bisect_right(blocked_ends, block_start)  # the first busy period ending later
            while i < len(blocked) and blocked[i][0] < block_end:
                cuts.append(blocked[i])
                i += 1
            for free_start, free_end in subtract([(block_start, block_end)], cuts):
                free_start, free_end = max(free_start, earliest), min(free_end, latest)
                # First grid point at or after free_start, the grid anchored at the block start.
                start = block_start + -(-(free_start - block_start) // step) * step
                while start + duration <= free_end:
                    key = (location_id, start)
                    candidate = (load[counsellor_id], counsellor_id, start + duration, interpreter)
                    if key not in best or candidate < best[key]:
                        best[key] = candidate
                    start += step

    slots = []
    for (location_id, start), (_, counsellor_id, end, interpreter) in best.items():
        start_at = datetime.fromtimestamp(start, UTC)
        if transition_days and start_at.astimezone(request.tz).date() in transition_days \
                and is_doubled_wall_time(start_at, request.tz):
            continue  # "02:30" happens twice that night: offer neither
        slots.append(Slot(start_at, datetime.fromtimestamp(end, UTC), location_id,
                          counsellor_id, interpreter))
    slots.sort(key=lambda s: s.sort_key)
    return slots


def _works_at(rules: list[WeeklyRule], day_plans: list[DayPlan]) -> set[tuple[int, str]]:
    """(counsellor, location) pairs with hours or a planned day there."""
    pairs = {(rule.counsellor_id, rule.location_id) for rule in rules}
    pairs.update((plan.counsellor_id, location_id)
                 for plan in day_plans for location_id, _, _ in plan.blocks)
    return pairs


def _interpreter_needed(request: SlotRequest, works_at: set[tuple[int, str]],
                        profiles: dict) -> dict[str, bool]:
    """Per requested location: True when no counsellor with hours there speaks the requested
    language. Decided from the rules, not from the days in the window, so that a one-day
    window and a month answer alike (pass the rules valid in the whole booking horizon)."""
    if not request.language:
        return {}
    speakers_at: dict[str, bool] = {loc: False for loc in request.locations}
    for counsellor_id, location_id in works_at:
        profile = profiles.get(counsellor_id)
        if profile is not None and request.language in profile.languages \
                and location_id in speakers_at:
            speakers_at[location_id] = True
    return {loc: not has_speaker for loc, has_speaker in speakers_at.items()}
