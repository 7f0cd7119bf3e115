"""Local wall-clock rules: weekly hours, public holidays and the bookable window.

Weekly hours are local times ("Tuesday 09:00–16:00" in Europe/Berlin) that stay the same on
both sides of a DST change; they are turned into UTC instants one day at a time. Times that do
not exist (spring forward) become the moment the clocks jump; times that happen twice (fall
back) are taken at their first occurrence (PEP 495 ``fold=0``), so hours never run long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

import holidays as holidays_lib


@dataclass(frozen=True)
class WeeklyRule:
    """A counsellor works at a location on ``weekday`` (Monday 0) from ``start_time`` to
    ``end_time``, local time, between ``starts_on`` and ``ends_on`` (inclusive), every
    ``every_n_weeks`` weeks counted from the week of ``starts_on``."""

    counsellor_id: int
    location_id: str
    weekday: int
    start_time: time
    end_time: time
    starts_on: date
    ends_on: date | None = None
    every_n_weeks: int = 1

    def applies_on(self, day: date) -> bool:
        if day.weekday() != self.weekday or day < self.starts_on:
            return False
        if self.ends_on is not None and day > self.ends_on:
            return False
        if self.every_n_weeks > 1:
            first_monday = self.starts_on - timedelta(days=self.starts_on.weekday())
            weeks = (day - first_monday).days // 7
            return weeks % self.every_n_weeks == 0
        return True


def local_to_utc(day: date, wall_time: time, tz: tzinfo, *, fold: int = 0) -> datetime:
    """The UTC instant of a local wall time.

    A doubled wall time (fall back) is its first occurrence with ``fold=0`` and its second with
    ``fold=1`` (PEP 495). A wall time that does not exist (spring forward) is the instant the
    clocks jump: "02:30" on the night 02:00 becomes 03:00 is 03:00 CEST, for the start and the
    end of a range alike, so hours never begin late nor run past their end.
    """
    local = datetime.combine(day, wall_time, tzinfo=tz).replace(fold=fold)
    instant = local.astimezone(UTC)
    naive = local.replace(tzinfo=None, fold=0)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    # In the gap: find the first instant whose wall time is past ``naive`` (the jump), between
    # the two readings of the wall time with the offsets before and after the transition.
    low = int(local.replace(fold=1).astimezone(UTC).timestamp())
    high = int(local.replace(fold=0).astimezone(UTC).timestamp())
    low, high = min(low, high), max(low, high)
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(tz).replace(tzinfo=None) > naive:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def is_doubled_wall_time(instant: datetime, tz: tzinfo) -> bool:
    """True when the local wall time of ``instant`` happens twice (fall back) on that day."""
    local = instant.astimezone(tz)
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def days_with_offset_change(first: date, end: date, tz: tzinfo) -> frozenset[date]:
    """Local days in ``[first, end)`` on which the UTC offset changes (DST transitions)."""
    changed = set()
    day = first
    previous = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
    while day < end:
        following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).utcoffset()
        if following != previous:
            changed.add(day)
        previous = following
        day += timedelta(days=1)
    return frozenset(changed)


@lru_cache(maxsize=64)
def _holidays_for_year(year: int, subdivision: str) -> frozenset[date]:
    return frozenset(holidays_lib.Germany(subdiv=subdivision, years=year))


def public_holidays(first: date, last: date, subdivision: str = "MV") -> frozenset[date]:
    """Public holidays between ``first`` and ``last`` inclusive (MV: 11 a year, including
    Frauentag on 8 March and Reformationstag on 31 October)."""
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= {d for d in _holidays_for_year(year, subdivision) if first <= d <= last}
    return frozenset(days)


def booking_window(now: datetime, *, min_notice: timedelta, horizon_days: int,
                   tz: tzinfo) -> tuple[datetime, datetime]:
    """(earliest start, latest end) a client may book: after the minimum notice, and no later
    than the end of the local day ``horizon_days`` from today."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    today = now.astimezone(tz).date()
    last_day_end = local_to_utc(today + timedelta(days=horizon_days + 1), time(0), tz)
    return now + min_notice, last_day_end
