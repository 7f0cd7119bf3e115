"""Follow-up series: the dates and start instants of "every N weeks, M times" appointments.

A series is planned in local wall-clock time: "every two weeks at 10:00" stays at 10:00 on the
local clock when DST starts or ends between two appointments, so each occurrence is turned into
a UTC instant on its own day (``local_to_utc``), never by adding a fixed number of hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from booking.domain.calendar_rules import local_to_utc
from booking.domain.slots import Slot
from booking.domain.timeranges import overlaps

MAX_EVERY_N_WEEKS = 8
MAX_COUNT = 12


class SeriesError(ValueError):
    """A series outside the allowed shape; ``code`` is stable, views translate it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SeriesPlan:
    """``count`` appointments, the first on ``first_on`` at local ``start_time``, then one every
    ``every_n_weeks`` weeks on the same weekday."""

    first_on: date
    start_time: time
    every_n_weeks: int = 1
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.every_n_weeks <= MAX_EVERY_N_WEEKS:
            raise SeriesError("every_n_weeks_range")
        if not 1 <= self.count <= MAX_COUNT:
            raise SeriesError("count_range")

    def days(self) -> list[date]:
        step = timedelta(weeks=self.every_n_weeks)
        return [self.first_on + n * step for n in range(self.count)]

    def starts(self, tz: tzinfo) -> list[datetime]:
        """The UTC instants of the occurrences; the local start time on each day."""
        return [local_to_utc(day, self.start_time, tz) for day in self.days()]


def default_first_day(previous_on: date, today: date, every_n_weeks: int = 2) -> date:
    """Where a follow-up series starts unless the user says otherwise: ``every_n_weeks`` after
    the previous appointment, on its weekday, moved on by that step until it is after today
    (a follow-up booked weeks later still lands on the client's usual weekday)."""
    step = timedelta(weeks=every_n_weeks)
    first = previous_on + step
    if first <= today:
        missed = (today - first).days // step.days + 1
        first += missed * step
    return first


def pick_alternatives(slots: list[Slot], around: datetime, tz: tzinfo, *, limit: int = 4,
                      taken: list[tuple[datetime, datetime]] = ()) -> list[Slot]:
    """Free times to offer instead of an occurrence at ``around``: one per day, on the days
    nearest to it, each at the time of day nearest to the planned one (a client who comes on
    Thursdays at 10:00 is best served by Wednesday 10:00 or Friday 10:30, not by four
    half-hour steps on one afternoon). Slots overlapping ``taken`` (the series' other
    appointments) are left out. Earliest first."""
    planned = around.astimezone(tz)
    planned_minutes = planned.hour * 60 + planned.minute
    best: dict[date, tuple[int, Slot]] = {}
    for slot in slots:
        if any(overlaps((slot.start, slot.end), other) for other in taken):
            continue
        local = slot.start.astimezone(tz)
        distance = abs(local.hour * 60 + local.minute - planned_minutes)
        if local.date() not in best or distance < best[local.date()][0]:
            best[local.date()] = (distance, slot)
    days = sorted(best, key=lambda d: (abs((d - planned.date()).days), d))[:limit]
    return sorted((best[d][1] for d in days), key=lambda s: s.start)
