"""Half-open time ranges ``[start, end)``: overlap, merge, subtract, intersect.

The functions work on ``(start, end)`` pairs of any ordered type (aware datetimes, or integer
seconds in the slot engine's hot loop); ``TimeRange`` is the readable value type on top.
Half-open ranges make back-to-back appointments (10:00–11:00, 11:00–12:00) not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")
Pair = tuple[T, T]


def overlaps(a: Pair, b: Pair) -> bool:
    """True when the two half-open ranges share at least one instant."""
    return a[0] < b[1] and b[0] < a[1]


def merge(ranges: Iterable[Pair]) -> list[Pair]:
    """Sorted, disjoint ranges covering the same instants; touching ranges are joined."""
    result: list[list] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1][1] = end
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def subtract(ranges: Iterable[Pair], cuts: Iterable[Pair]) -> list[Pair]:
    """The parts of ``ranges`` not covered by any of ``cuts``, sorted and disjoint."""
    cuts = merge(cuts)
    result: list[Pair] = []
    i = 0
    for start, end in merge(ranges):
        while i < len(cuts) and cuts[i][1] <= start:
            i += 1
        j = i
        while j < len(cuts) and cuts[j][0] < end:
            cut_start, cut_end = cuts[j]
            if cut_start > start:
                result.append((start, cut_start))
            start = max(start, cut_end)
            if start >= end:
                break
            j += 1
        if start < end:
            result.append((start, end))
    return result


def intersect(a: Iterable[Pair], b: Iterable[Pair]) -> list[Pair]:
    """The instants covered by both lists of ranges, sorted and disjoint."""
    a, b = merge(a), merge(b)
    result: list[Pair] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


@dataclass(frozen=True, order=True)
class TimeRange:
    """An aware, half-open range of time, held in UTC.

    Python compares two datetimes that share a tzinfo by their wall clock and ignores ``fold``
    (PEP 495), so 01:30 CEST would not count as earlier than 01:10 CET on the night the clocks
    go back. Normalising to UTC makes every comparison one of real instants.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("TimeRange needs aware datetimes")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if not self.start < self.end:
            raise ValueError("TimeRange must end after it starts")

    def overlaps(self, other: TimeRange) -> bool:
        return overlaps((self.start, self.end), (other.start, other.end))

    @property
    def pair(self) -> Pair:
        return (self.start, self.end)
