"""Follow-up series arithmetic: dates, local start times across DST, limits, default first day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.domain.calendar_rules import local_to_utc
from booking.domain.series import (
    MAX_COUNT,
    MAX_EVERY_N_WEEKS,
    SeriesError,
    SeriesPlan,
    default_first_day,
    pick_alternatives,
)
from booking.domain.slots import Slot

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("first_on", "every", "count", "expected"), [
    (date(2027, 2, 18), 1, 1, [date(2027, 2, 18)]),
    (date(2027, 2, 18), 2, 3, [date(2027, 2, 18), date(2027, 3, 4), date(2027, 3, 18)]),
    (date(2027, 12, 23), 1, 3, [date(2027, 12, 23), date(2027, 12, 30), date(2028, 1, 6)]),
    (date(2028, 2, 22), 1, 2, [date(2028, 2, 22), date(2028, 2, 29)]),  # leap day
    (date(2027, 1, 4), 8, 2, [date(2027, 1, 4), date(2027, 3, 1)]),
])
def test_days_repeat_on_the_same_weekday(first_on, every, count, expected):
    days = SeriesPlan(first_on, time(10), every, count).days()
    assert days == expected
    assert {d.weekday() for d in days} == {first_on.weekday()}


@pytest.mark.parametrize(("first_on", "every", "count", "expected_utc"), [
    # 10:00 local stays 10:00 when summer time starts (28 March 2027): 09:00 UTC, then 08:00.
    (date(2027, 3, 18), 2, 3, [datetime(2027, 3, 18, 9, tzinfo=UTC),
                               datetime(2027, 4, 1, 8, tzinfo=UTC),
                               datetime(2027, 4, 15, 8, tzinfo=UTC)]),
    # ... and when it ends (31 October 2027).
    (date(2027, 10, 28), 1, 2, [datetime(2027, 10, 28, 8, tzinfo=UTC),
                                datetime(2027, 11, 4, 9, tzinfo=UTC)]),
])
def test_starts_keep_the_local_time_across_dst(first_on, every, count, expected_utc):
    starts = SeriesPlan(first_on, time(10), every, count).starts(BERLIN)
    assert starts == expected_utc
    assert {s.astimezone(BERLIN).time() for s in starts} == {time(10)}


@pytest.mark.parametrize(("every", "count", "code"), [
    (0, 1, "every_n_weeks_range"),
    (MAX_EVERY_N_WEEKS + 1, 1, "every_n_weeks_range"),
    (1, 0, "count_range"),
    (1, MAX_COUNT + 1, "count_range"),
])
def test_series_outside_the_limits_are_refused(every, count, code):
    with pytest.raises(SeriesError) as refused:
        SeriesPlan(date(2027, 3, 1), time(9), every, count)
    assert refused.value.code == code


def test_the_limits_themselves_are_allowed():
    plan = SeriesPlan(date(2027, 3, 1), time(9), MAX_EVERY_N_WEEKS, MAX_COUNT)
    assert len(plan.days()) == MAX_COUNT


@pytest.mark.parametrize(("previous_on", "today", "every", "expected"), [
    (date(2027, 2, 4), date(2027, 2, 1), 2, date(2027, 2, 18)),  # previous still ahead
    (date(2027, 2, 4), date(2027, 2, 4), 2, date(2027, 2, 18)),
    (date(2027, 2, 4), date(2027, 2, 18), 2, date(2027, 3, 4)),  # the step's day is today
    (date(2027, 1, 7), date(2027, 3, 1), 2, date(2027, 3, 4)),  # weeks later: same weekday
    (date(2027, 1, 7), date(2027, 3, 1), 1, date(2027, 3, 4)),
    (date(2027, 2, 4), date(2027, 2, 1), 1, date(2027, 2, 11)),
])
def test_default_first_day(previous_on, today, every, expected):
    first = default_first_day(previous_on, today, every)
    assert first == expected
    assert first > today and first.weekday() == previous_on.weekday()


def _slot(day: int, hour: int, minute: int = 0) -> Slot:
    start = local_to_utc(date(2027, 3, day), time(hour, minute), BERLIN)
    return Slot(start, start + timedelta(minutes=30), "schwerin", 1, False)


def test_alternatives_are_one_per_day_on_the_nearest_days_at_the_nearest_time():
    around = local_to_utc(date(2027, 3, 4), time(10), BERLIN)  # Thursday 10:00, taken
    slots = [_slot(1, 14), _slot(1, 14, 30), _slot(1, 15),  # Monday afternoon only
             _slot(3, 12), _slot(3, 9, 30), _slot(3, 17),  # Wednesday
             _slot(4, 13),  # the same Thursday, later
             _slot(8, 9), _slot(8, 10, 30), _slot(9, 10), _slot(15, 10)]
    picked = pick_alternatives(slots, around, BERLIN, limit=4)
    # Days 0, 1, 3 and 4 away; on each the time nearest to 10:00; earliest first.
    assert picked == [_slot(1, 14), _slot(3, 9, 30), _slot(4, 13), _slot(8, 10, 30)]


def test_alternatives_leave_out_the_series_own_times():
    around = local_to_utc(date(2027, 3, 4), time(10), BERLIN)
    other = _slot(11, 10)
    slots = [_slot(11, 10), _slot(11, 10, 30), _slot(11, 14)]
    taken = [(other.start - timedelta(minutes=10), other.end + timedelta(minutes=10))]
    assert pick_alternatives(slots, around, BERLIN, taken=taken) == [_slot(11, 14)]
    assert pick_alternatives([], around, BERLIN) == []
