"""Properties of the half-open range helpers, checked against a brute-force model.

The model: a list of integer pairs ``(start, end)`` covers the integer points ``start <= x < end``
(an empty or inverted pair covers nothing). With integer endpoints, two half-open ranges share
an instant exactly when they share an integer point, so the model is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain.timeranges import TimeRange, intersect, merge, overlaps, subtract

LIMIT = 200
BERLIN = ZoneInfo("Europe/Berlin")

points = st.integers(min_value=0, max_value=LIMIT)
# Any pair, including empty (start == end) and inverted (start > end) ones.
any_pairs = st.tuples(points, points)
valid_pairs = st.tuples(points, points).filter(lambda p: p[0] < p[1])
range_lists = st.lists(any_pairs, max_size=12)

SETTINGS = settings(max_examples=300, deadline=None)


def covered(ranges) -> set[int]:
    return {x for start, end in ranges for x in range(start, end)}


def assert_canonical(result) -> None:
    """Sorted, non-empty, disjoint and not touching (touching ranges would have been joined)."""
    assert isinstance(result, list)
    for start, end in result:
        assert start < end, result
    for (_, end), (next_start, _) in zip(result, result[1:], strict=False):
        assert end < next_start, result


@SETTINGS
@given(range_lists)
def test_merge_covers_the_same_points_canonically(ranges):
    result = merge(ranges)
    assert covered(result) == covered(ranges)
    assert_canonical(result)


@SETTINGS
@given(range_lists)
def test_merge_is_idempotent_and_ignores_order(ranges):
    result = merge(ranges)
    assert merge(result) == result
    assert merge(reversed(ranges)) == result


@SETTINGS
@given(range_lists, range_lists)
def test_subtract_matches_set_difference(ranges, cuts):
    result = subtract(ranges, cuts)
    assert covered(result) == covered(ranges) - covered(cuts)
    assert_canonical(result)


@SETTINGS
@given(range_lists)
def test_subtract_nothing_is_merge_and_subtract_itself_is_empty(ranges):
    assert subtract(ranges, []) == merge(ranges)
    assert subtract(ranges, ranges) == []
    assert subtract([], ranges) == []


@SETTINGS
@given(range_lists, range_lists)
def test_intersect_matches_set_intersection(a, b):
    result = intersect(a, b)
    assert covered(result) == covered(a) & covered(b)
    assert_canonical(result)
    assert intersect(b, a) == result


@SETTINGS
@given(range_lists, range_lists)
def test_subtract_and_intersect_partition_the_ranges(ranges, cuts):
    kept, removed = subtract(ranges, cuts), intersect(ranges, cuts)
    assert not covered(kept) & covered(removed)
    assert merge(kept + removed) == merge(ranges)


@SETTINGS
@given(valid_pairs, valid_pairs)
def test_overlaps_iff_a_point_is_shared(a, b):
    assert overlaps(a, b) == bool(covered([a]) & covered([b]))
    assert overlaps(a, b) == overlaps(b, a)
    assert overlaps(a, b) == bool(intersect([a], [b]))


@SETTINGS
@given(valid_pairs, valid_pairs)
def test_timerange_overlaps_agrees_with_pairs(a, b):
    base = datetime(2027, 3, 28, tzinfo=UTC)

    def as_range(pair, tz):
        start, end = (base + timedelta(minutes=x) for x in pair)
        return TimeRange(start.astimezone(tz), end.astimezone(tz))

    # Mixed time zones compare by instant.
    assert as_range(a, BERLIN).overlaps(as_range(b, UTC)) == overlaps(a, b)


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        ([], []),
        ([(0, 5), (5, 10)], [(0, 10)]),  # touching ranges are joined
        ([(5, 10), (0, 5)], [(0, 10)]),  # order does not matter
        ([(0, 5), (6, 10)], [(0, 5), (6, 10)]),  # a gap of one stays
        ([(0, 10), (2, 3)], [(0, 10)]),  # nested
        ([(0, 4), (2, 8), (7, 9)], [(0, 9)]),  # chained overlaps
        ([(3, 3), (5, 2)], []),  # empty and inverted pairs are dropped
        ([(3, 3), (0, 3)], [(0, 3)]),
    ],
)
def test_merge_table(ranges, expected):
    assert merge(ranges) == expected


@pytest.mark.parametrize(
    ("ranges", "cuts", "expected"),
    [
        ([(0, 10)], [], [(0, 10)]),
        ([(0, 10)], [(0, 10)], []),
        ([(0, 10)], [(3, 5)], [(0, 3), (5, 10)]),
        ([(0, 10)], [(10, 20)], [(0, 10)]),  # back to back: nothing removed
        ([(0, 10)], [(-5, 0)], [(0, 10)]),
        ([(0, 10)], [(-5, 3), (8, 15)], [(3, 8)]),
        ([(0, 10), (20, 30)], [(5, 25)], [(0, 5), (25, 30)]),
        ([(0, 10)], [(2, 4), (4, 6)], [(0, 2), (6, 10)]),  # touching cuts
        ([(0, 5), (5, 10)], [(5, 6)], [(0, 5), (6, 10)]),
    ],
)
def test_subtract_table(ranges, cuts, expected):
    assert subtract(ranges, cuts) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(5, 15)], [(5, 10)]),
        ([(0, 10)], [(10, 20)], []),  # back to back share nothing
        ([(0, 10), (20, 30)], [(5, 25)], [(5, 10), (20, 25)]),
        ([(0, 30)], [(1, 2), (3, 4)], [(1, 2), (3, 4)]),
        ([], [(0, 10)], []),
    ],
)
def test_intersect_table(a, b, expected):
    assert intersect(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 10), (10, 20), False),  # half-open: back to back do not overlap
        ((10, 20), (0, 10), False),
        ((0, 10), (9, 20), True),
        ((0, 10), (2, 3), True),
        ((0, 10), (0, 10), True),
        ((0, 10), (11, 20), False),
    ],
)
def test_overlaps_table(a, b, expected):
    assert overlaps(a, b) is expected


def test_back_to_back_appointments_do_not_overlap():
    ten = datetime(2027, 10, 31, 10, tzinfo=BERLIN)
    first = TimeRange(ten, ten + timedelta(hours=1))
    second = TimeRange(ten + timedelta(hours=1), ten + timedelta(hours=2))
    assert not first.overlaps(second)
    assert not second.overlaps(first)
    assert first.overlaps(TimeRange(ten + timedelta(minutes=59), ten + timedelta(hours=2)))
    assert first.pair == (first.start, first.end)
    assert first < second


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2027, 1, 1, 9), datetime(2027, 1, 1, 10)),
        (datetime(2027, 1, 1, 9, tzinfo=UTC), datetime(2027, 1, 1, 10)),
        (datetime(2027, 1, 1, 9), datetime(2027, 1, 1, 10, tzinfo=UTC)),
    ],
)
def test_timerange_rejects_naive_datetimes(start, end):
    with pytest.raises(ValueError, match="aware"):
        TimeRange(start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2027, 1, 1, 9, tzinfo=UTC), datetime(2027, 1, 1, 9, tzinfo=UTC)),
        (datetime(2027, 1, 1, 10, tzinfo=UTC), datetime(2027, 1, 1, 9, tzinfo=UTC)),
        # 10:00 in Berlin (winter) is 09:00 UTC: the same instant, so empty.
        (datetime(2027, 1, 1, 10, tzinfo=BERLIN), datetime(2027, 1, 1, 9, tzinfo=UTC)),
    ],
)
def test_timerange_rejects_empty_or_inverted(start, end):
    with pytest.raises(ValueError, match="end after"):
        TimeRange(start, end)


@SETTINGS
@given(valid_pairs)
def test_timerange_accepts_every_non_empty_aware_range(pair):
    base = datetime(2027, 10, 31, tzinfo=BERLIN)
    start, end = (base + timedelta(minutes=x) for x in pair)
    # Compared as instants: Python's == between zones is False for an ambiguous wall time.
    assert [x.timestamp() for x in TimeRange(start, end).pair] == [start.timestamp(),
                                                                   end.timestamp()]


# Wall times around the autumn change in Berlin (02:00-03:00 happens twice on 2027-10-31),
# with either fold: the same tzinfo on both sides makes Python compare wall times, not instants.
autumn_night = st.builds(
    lambda minutes, fold: (
        datetime(2027, 10, 31, 1, tzinfo=BERLIN) + timedelta(minutes=minutes)
    ).replace(fold=fold),
    st.integers(min_value=0, max_value=180),
    st.integers(min_value=0, max_value=1),
)


@SETTINGS
@given(autumn_night, autumn_night)
def test_timerange_validates_instants_across_the_autumn_fold(start, end):
    if start.astimezone(UTC) < end.astimezone(UTC):
        assert TimeRange(start, end).start.timestamp() == start.timestamp()
    else:
        with pytest.raises(ValueError):
            TimeRange(start, end)


@SETTINGS
@given(autumn_night, autumn_night, autumn_night, autumn_night)
def test_timerange_compares_instants_across_the_autumn_fold(a0, a1, b0, b1):
    a = tuple(x.astimezone(UTC) for x in (a0, a1))
    b = tuple(x.astimezone(UTC) for x in (b0, b1))
    if a[0] < a[1] and b[0] < b[1]:
        first, second = TimeRange(a0, a1), TimeRange(b0, b1)
        assert first.overlaps(second) == overlaps(a, b)
        assert (first < second) == (a < b)  # ordered by instants, too
