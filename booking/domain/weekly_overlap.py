"""Whether two weekly rules ever put a counsellor in two places at once, and on which day first.

Two rules clash when their wall-clock times overlap (half-open: 09:00–12:00 and 12:00–16:00
do not) and there is a day on which both apply: same weekday, inside both validity periods, and
in a week both every-N-weeks patterns select. The weeks are counted from the week of each rule's
``starts_on`` exactly as ``WeeklyRule.applies_on`` counts them for the slot engine, so "every 2
weeks" pairs that alternate never clash while pairs in the same phase do.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date, timedelta
from math import lcm
from typing import TypeVar

from booking.domain.calendar_rules import WeeklyRule
from booking.domain.timeranges import overlaps

K = TypeVar("K", bound=Hashable)


def times_overlap(a: WeeklyRule, b: WeeklyRule) -> bool:
    """True when the wall-clock ranges share a moment; touching ranges do not."""
    return overlaps((a.start_time, a.end_time), (b.start_time, b.end_time))


def first_shared_day(a: WeeklyRule, b: WeeklyRule) -> date | None:
    """The first day on which both rules apply, or None when there is none."""
    if a.weekday != b.weekday:
        return None
    first = max(a.starts_on, b.starts_on)
    ends = [d for d in (a.ends_on, b.ends_on) if d is not None]
    last = min(ends) if ends else None
    day = first + timedelta(days=(a.weekday - first.weekday()) % 7)
    # Together the two patterns repeat every lcm(n, m) weeks: a day that is not found within
    # that many weeks from the first common weekday is never found (at most 12 × 11 = 132).
    for _ in range(lcm(a.every_n_weeks, b.every_n_weeks)):
        if last is not None and day > last:
            return None
        if a.applies_on(day) and b.applies_on(day):
            return day
        day += timedelta(weeks=1)
    return None


def first_clash_day(a: WeeklyRule, b: WeeklyRule) -> date | None:
    """The first day on which the two rules overlap in time, or None when they never do."""
    return first_shared_day(a, b) if times_overlap(a, b) else None


def earliest_clash(candidate: WeeklyRule, others: Iterable[tuple[K, WeeklyRule]]
                   ) -> tuple[K, date] | None:
    """Of ``(key, rule)`` pairs, the one the candidate clashes with first, and that day."""
    found: tuple[K, date] | None = None
    for key, other in others:
        day = first_clash_day(candidate, other)
        if day is not None and (found is None or day < found[1]):
            found = (key, day)
    return found
