"""Properties of ``compute_free_slots`` over random weekly rules, busy times and windows.

Every check below recomputes what it needs from the inputs (local wall-clock times through
``zoneinfo``, a rule's weeks by date arithmetic) instead of reusing the engine's helpers, so a
mistake in the engine is not mirrored by the test. Windows often include the DST changes of
2027 (28 March: 02:00-03:00 does not exist; 31 October: 02:00-03:00 happens twice).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking.domain.calendar_rules import WeeklyRule, booking_window, is_doubled_wall_time
from booking.domain.slots import (
    BusyPeriod,
    ClosedPeriod,
    CounsellorProfile,
    Slot,
    SlotRequest,
    compute_free_slots,
)

TZ = ZoneInfo("Europe/Berlin")
SPRING = date(2027, 3, 28)  # clocks go 02:00 -> 03:00
AUTUMN = date(2027, 10, 31)  # clocks go 03:00 -> 02:00
LOCATIONS = ("loc-a", "loc-b", "loc-c")
LANGUAGES = ("de", "en", "ar", "uk", "fa")
UNKNOWN_COUNSELLOR = 99  # has rules and appointments but no profile

SETTINGS = settings(max_examples=150, deadline=None)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ).astimezone(UTC)


def days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((end - first).days)]


def rule_applies(rule: WeeklyRule, day: date) -> bool:
    """Independent of ``WeeklyRule.applies_on``: weeks counted by ordinal from the Monday of
    the week of ``starts_on``."""
    if day.weekday() != rule.weekday or day < rule.starts_on:
        return False
    if rule.ends_on is not None and day > rule.ends_on:
        return False
    first_monday = rule.starts_on.toordinal() - rule.starts_on.weekday()
    return (day.toordinal() - first_monday) // 7 % rule.every_n_weeks == 0


def wall_minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@lru_cache(maxsize=512)
def missing_wall_minutes(day: date) -> tuple[tuple[int, int], ...]:
    """The quarter hours of ``day`` that do not exist on the clock (the spring gap), as
    wall-clock minute ranges; found by a round trip through UTC."""
    missing = []
    for q in range(24 * 4):
        local = datetime.combine(day, time(q // 4, q % 4 * 15), tzinfo=TZ)
        if local.astimezone(UTC).astimezone(TZ).replace(tzinfo=None) != local.replace(tzinfo=None):
            missing.append((q * 15, q * 15 + 15))
    return tuple(missing)


def local_span(slot: Slot) -> tuple[datetime, datetime, int, int]:
    """Local start, local last minute, and the wall-clock minutes [begin, finish) of a slot.
    The end is read from the slot's last minute: a slot ending at the spring jump ends at
    "02:00" (not "03:00"), and one ending at midnight at minute 1440 of its day."""
    local_start = slot.start.astimezone(TZ)
    last_minute = (slot.end - minutes(1)).astimezone(TZ)
    return (local_start, last_minute, wall_minutes(local_start.time()),
            wall_minutes(last_minute.time()) + 1)


@dataclass(frozen=True)
class Scenario:
    request: SlotRequest
    counsellors: tuple[CounsellorProfile, ...]
    rules: tuple[WeeklyRule, ...]
    appointments: tuple[BusyPeriod, ...]
    absences: tuple[BusyPeriod, ...]
    closures: tuple[ClosedPeriod, ...]
    holidays: frozenset[date]

    def slots(self) -> list[Slot]:
        return compute_free_slots(
            self.request, self.counsellors, self.rules, self.appointments, self.absences,
            self.closures, self.holidays,
        )


# --- strategies -------------------------------------------------------------------------------


@st.composite
def windows(draw, anchors=(None, SPRING, AUTUMN), max_days=21) -> tuple[date, date]:
    """Up to 21 local days, mostly around one of the 2027 DST changes."""
    length = draw(st.integers(min_value=1, max_value=max_days))
    anchor = draw(st.sampled_from(anchors))
    if anchor is None:
        first = draw(st.dates(date(2027, 1, 1), date(2027, 12, 31)))
    else:
        first = anchor - timedelta(days=draw(st.integers(0, length - 1)))
    return first, first + timedelta(days=length)


def quarter_hours(first_hour: int, last_hour: int):
    """(start, end) wall times on a 15-minute grid, first_hour <= start < end <= last_hour."""
    return (
        st.integers(first_hour * 4, last_hour * 4 - 1)
        .flatmap(lambda q: st.tuples(st.just(q), st.integers(q + 1, last_hour * 4)))
        .map(lambda qs: tuple(time(q // 4, q % 4 * 15) for q in qs))
    )


@st.composite
def weekly_rules(draw, counsellor_id, locations, first, end, hours, weekdays):
    start_time, end_time = draw(hours)
    # Mostly rules that started before the window, so that they apply in it.
    offset = draw(st.integers(-40, 0) | st.integers(-40, (end - first).days))
    starts_on = first + timedelta(days=offset)
    ends_on = draw(st.none() | st.integers(0, 60).map(lambda n: starts_on + timedelta(days=n)))
    return WeeklyRule(
        counsellor_id=counsellor_id,
        location_id=draw(st.sampled_from(locations)),
        weekday=draw(weekdays),
        start_time=start_time,
        end_time=end_time,
        starts_on=starts_on,
        ends_on=ends_on,
        every_n_weeks=draw(st.sampled_from([1, 1, 2, 3])),
    )


def fractions_of_a_second(sub_second: bool):
    if not sub_second:
        return st.just(timedelta(0))
    return (st.sampled_from([1, 500_000, 999_999]) | st.integers(1, 999_999)).map(
        lambda us: timedelta(microseconds=us))


def instants(first: date, end: date, *, sub_second: bool):
    """Aware datetimes from the local day before ``first`` to the local day ``end``, at a local
    wall time on a 5-minute grid (or up to a second after it, where truncating to whole seconds
    would show)."""
    return st.builds(
        lambda day, five, fraction: datetime.combine(
            first + timedelta(days=day), time(five // 12, five % 12 * 5), tzinfo=TZ,
        ).astimezone(UTC) + fraction,
        st.integers(-1, (end - first).days),
        st.integers(0, 24 * 12 - 1),
        fractions_of_a_second(sub_second),
    )


def periods(first, end, max_minutes, *, sub_second):
    return st.tuples(
        instants(first, end, sub_second=sub_second),
        st.integers(1, max_minutes // 5).map(lambda n: minutes(5 * n)),
    ).map(lambda p: (p[0], p[0] + p[1]))


@st.composite
def scenarios(draw, *, hours=None, weekdays=None, sub_second=False, busy=True,
              window=None) -> Scenario:
    hours = hours if hours is not None else quarter_hours(6, 20)
    first, end = draw(window if window is not None else windows())
    if weekdays is None:  # mostly weekdays that occur in the window
        in_window = sorted({day.weekday() for day in days(first, end)})
        weekdays = st.sampled_from(in_window) | st.integers(0, 6)
    locations = LOCATIONS[: draw(st.integers(1, 3))]
    requested = draw(st.frozensets(st.sampled_from(locations), min_size=1))

    ids = list(range(1, draw(st.integers(1, 4)) + 1))
    counsellors = tuple(
        CounsellorProfile(cid, draw(st.frozensets(st.sampled_from(LANGUAGES), max_size=3)))
        for cid in ids
    )
    rule_owners = ids + ([UNKNOWN_COUNSELLOR] if draw(st.booleans()) else [])
    rules = tuple(
        rule
        for cid in rule_owners
        for rule in draw(st.lists(
            weekly_rules(cid, locations, first, end, hours, weekdays), min_size=1, max_size=4,
        ))
    )

    busy_owners = st.sampled_from(rule_owners)
    if busy:
        appointments = tuple(
            BusyPeriod(cid, start, stop)
            for cid, (start, stop) in draw(st.lists(st.tuples(
                busy_owners, periods(first, end, 240, sub_second=sub_second)), max_size=10))
        )
        absences = tuple(
            BusyPeriod(cid, start, stop)
            for cid, (start, stop) in draw(st.lists(st.tuples(
                busy_owners, periods(first, end, 24 * 60, sub_second=sub_second)),
                max_size=3))
        )
        closures = tuple(
            ClosedPeriod(loc, start, stop)
            for loc, (start, stop) in draw(st.lists(st.tuples(
                st.sampled_from(locations), periods(first, end, 24 * 60,
                                                    sub_second=sub_second)), max_size=3))
        )
        holidays = draw(st.frozensets(st.dates(first, end - timedelta(days=1)), max_size=3))
    else:
        appointments = absences = closures = ()
        holidays = frozenset()

    # `now` is drawn backwards from the earliest start, which mostly falls on a quarter hour of
    # the working day, early in the window, where it meets the slot grid.
    notice = minutes(draw(st.sampled_from([0, 30, 60, 120, 24 * 60, 48 * 60])))
    earliest_day = first + timedelta(days=draw(st.integers(-1, (end - first).days // 2)))
    quarter = draw(st.integers(6 * 4, 20 * 4) | st.integers(0, 24 * 4 - 1))
    earliest = datetime.combine(earliest_day, time(quarter // 4, quarter % 4 * 15), tzinfo=TZ)
    now = earliest.astimezone(UTC) - notice + draw(fractions_of_a_second(sub_second))
    if sub_second:
        now = now.astimezone(TZ)  # any aware datetime will do
    earliest, latest = booking_window(
        now, min_notice=notice, horizon_days=draw(st.just(30) | st.integers(0, 30)), tz=TZ,
    )
    request = SlotRequest(
        locations=requested,
        first_day=first,
        end_day=end,
        duration=minutes(draw(st.sampled_from([15, 30, 45, 60, 90, 120]))),
        earliest_start=earliest,
        latest_end=latest,
        tz=TZ,
        step=minutes(draw(st.sampled_from([10, 15, 20, 30, 45, 60]))),
        buffer=minutes(draw(st.sampled_from([0, 5, 10, 15, 30]))),
        interpreter_extra=minutes(draw(st.sampled_from([0, 15, 30]))),
        language=draw(st.none() | st.sampled_from(LANGUAGES)),
    )
    return Scenario(request, counsellors, rules, appointments, absences, closures, holidays)


# --- the independent checks -------------------------------------------------------------------


def check_inside_rules(sc: Scenario, slot: Slot) -> None:
    """The slot lies, in local wall-clock time at its location and on its local date, inside the
    counsellor's weekly hours: its local start is at or after a rule's start, its local end at or
    before the end of the same stretch of hours. Two rules of the same counsellor at the same
    place that touch or overlap form one stretch (e.g. 09:00-12:00 and 12:00-15:00), and so do
    hours on both sides of the spring gap (01:00-02:00 and 03:00-04:00 on 28 March)."""
    local_start, last_minute, begin, finish = local_span(slot)
    day = local_start.date()
    assert last_minute.date() == day, ("past midnight", slot)
    stretches = sorted(
        [(wall_minutes(r.start_time), wall_minutes(r.end_time))
         for r in sc.rules
         if r.counsellor_id == slot.counsellor_id and r.location_id == slot.location_id
         and rule_applies(r, day)]
        # Wall times that do not exist that day join the hours around them.
        + list(missing_wall_minutes(day))
    )
    merged: list[list[int]] = []
    for lo, hi in stretches:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    assert any(lo <= begin and finish <= hi for lo, hi in merged), (
        "outside weekly hours", slot, local_start, last_minute, merged)


def speaker_has_hours_at(sc: Scenario, counsellor_id: int, location_id: str) -> bool:
    """Whether the counsellor has a rule at the location that applies on a day of the window."""
    return any(
        r.counsellor_id == counsellor_id and r.location_id == location_id
        and any(rule_applies(r, day) for day in days(sc.request.first_day, sc.request.end_day))
        for r in sc.rules
    )


def check_invariants(sc: Scenario, slots: list[Slot]) -> None:
    req = sc.request
    profiles = {c.id: c for c in sc.counsellors}
    appointments, absences = defaultdict(list), defaultdict(list)
    for a in sc.appointments:
        appointments[a.counsellor_id].append((a.start - req.buffer, a.end + req.buffer))
    for a in sc.absences:
        absences[a.counsellor_id].append((a.start, a.end))
    closures = defaultdict(list)
    for c in sc.closures:
        closures[c.location_id].append((c.start, c.end))

    # Sorted by sort_key and unique per (location, start).
    assert slots == sorted(slots, key=lambda s: s.sort_key)
    assert len({(s.location_id, s.start) for s in slots}) == len(slots)

    speaker_cache: dict[tuple[int, str], bool] = {}
    for slot in slots:
        assert slot.start.tzinfo is not None and slot.end.tzinfo is not None
        assert slot.location_id in req.locations
        assert slot.counsellor_id in profiles, "a counsellor without a profile was offered"

        # Busy times, closures, holidays.
        for start, end in appointments[slot.counsellor_id]:
            assert not (slot.start < end and start < slot.end), ("appointment", slot, start, end)
        for start, end in absences[slot.counsellor_id]:
            assert not (slot.start < end and start < slot.end), ("absence", slot, start, end)
        for start, end in closures[slot.location_id]:
            assert not (slot.start < end and start < slot.end), ("closure", slot, start, end)
        assert slot.start.astimezone(TZ).date() not in sc.holidays

        # Weekly hours, the bookable window, the length.
        check_inside_rules(sc, slot)
        assert req.first_day <= slot.start.astimezone(TZ).date() < req.end_day
        assert slot.start >= req.earliest_start, (slot, req.earliest_start)
        assert slot.end <= req.latest_end, (slot, req.latest_end)
        expected = req.duration + (req.interpreter_extra if slot.interpreter else timedelta(0))
        assert slot.end - slot.start == expected

        # Language.
        if req.language is None:
            assert not slot.interpreter
        elif not slot.interpreter:
            assert req.language in profiles[slot.counsellor_id].languages
        else:
            for c in sc.counsellors:
                if req.language in c.languages:
                    key = (c.id, slot.location_id)
                    if key not in speaker_cache:
                        speaker_cache[key] = speaker_has_hours_at(sc, c.id, slot.location_id)
                    assert not speaker_cache[key], ("interpreter although speaker", slot, c)

        # One place at a time: never during the counsellor's hours at another location,
        # requested or not (checked where the slot does not span a change of the UTC offset,
        # so that wall-clock minutes are exact).
        local_start, last_minute, begin, finish = local_span(slot)
        if local_start.utcoffset() == last_minute.utcoffset():
            day = local_start.date()
            for r in sc.rules:
                if r.counsellor_id == slot.counsellor_id and r.location_id != slot.location_id \
                        and rule_applies(r, day):
                    assert not (begin < wall_minutes(r.end_time)
                                and wall_minutes(r.start_time) < finish), ("elsewhere", slot, r)

        # Never a start time that happens twice on the clock.
        assert not is_doubled_wall_time(slot.start, TZ), slot

    # And a counsellor's slots at two locations never overlap.
    by_counsellor = defaultdict(list)
    for slot in slots:
        by_counsellor[slot.counsellor_id].append(slot)
    for own in by_counsellor.values():
        own.sort(key=lambda s: s.start)
        active: list[Slot] = []
        for slot in own:
            active = [s for s in active if s.end > slot.start]
            assert all(s.location_id == slot.location_id for s in active), (slot, active)
            active.append(slot)


# --- the properties ---------------------------------------------------------------------------


def hand_made(day: date, hours: list[tuple[str, time, time]], *, duration: int,
              step: int = 30, now: datetime | None = None, appointments=()) -> Scenario:
    """A hand-made scenario: counsellor 1 works on ``day`` at each (location, start, end) of
    ``hours``; the window is that day, bookable from ``now`` (default: the day before), at
    every location of ``hours``."""
    now = now if now is not None else datetime.combine(day - timedelta(days=1), time(0), tzinfo=TZ)
    request = SlotRequest(
        locations=frozenset(loc for loc, _, _ in hours), first_day=day,
        end_day=day + timedelta(days=1), duration=minutes(duration), earliest_start=now,
        latest_end=datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ), tz=TZ,
        step=minutes(step),
    )
    rules = tuple(WeeklyRule(1, loc, day.weekday(), start, end, starts_on=day)
                  for loc, start, end in hours)
    return Scenario(request, (CounsellorProfile(1, frozenset({"de"})),), rules,
                    tuple(appointments), (), (), frozenset())


# Cases the properties found, kept as explicit examples so that they are always run.
# 31 October, hours 01:00-02:00: the rule ends at the *second* 02:00 (02:00 CET, fold=1), so
# the slot 01:30-02:30 CEST is offered although it runs 30 minutes past the end of the rule.
AUTUMN_RULE_END = hand_made(AUTUMN, [("loc-a", time(1), time(2))], duration=60)
# 28 March, hours at loc-b 01:00-05:00 and at loc-a 02:30-04:00: 02:30 does not exist and the
# loc-a hours are taken to start at 03:30 CEST (fold=0), not when the clock jumps to 03:00, so
# loc-b offers 03:00 CEST although the counsellor is at loc-a by the clock.
SPRING_RULE_START = hand_made(
    SPRING, [("loc-b", time(1), time(5)), ("loc-a", time(2, 30), time(4))], duration=15,
)
# Fractions of a second must not be truncated away: with now = 09:00:00.000001 the 09:00 slot
# starts before the minimum notice; an appointment ending at 09:30:00.5 must block 09:30.
NOW_WITH_MICROSECONDS = hand_made(
    date(2027, 5, 3), [("loc-a", time(9), time(10))], duration=30,
    now=datetime(2027, 5, 3, 9, 0, 0, 1, tzinfo=TZ),
)
APPOINTMENT_ENDING_MID_SECOND = hand_made(
    date(2027, 5, 3), [("loc-a", time(9), time(10))], duration=30,
    appointments=[BusyPeriod(1, datetime(2027, 5, 3, 7, tzinfo=UTC),
                             datetime(2027, 5, 3, 7, 30, 0, 500_000, tzinfo=UTC))],
)


@SETTINGS
@given(scenarios())
def test_every_slot_is_bookable(sc):
    check_invariants(sc, sc.slots())


@SETTINGS
@given(scenarios(weekdays=st.just(6), hours=quarter_hours(0, 5),
                 window=windows(anchors=(SPRING, AUTUMN), max_days=7)))
@example(AUTUMN_RULE_END)
@example(SPRING_RULE_START)
def test_every_slot_is_bookable_on_dst_nights(sc):
    """Sunday-night hours (00:00-05:00) put the spring gap and the doubled autumn hour inside
    the working time."""
    check_invariants(sc, sc.slots())


@SETTINGS
@given(scenarios(sub_second=True))
@example(NOW_WITH_MICROSECONDS)
@example(APPOINTMENT_ENDING_MID_SECOND)
def test_sub_second_inputs_are_respected(sc):
    """``now`` usually carries microseconds (and so may imported calendar entries): a slot
    must still not start before the minimum notice or overlap a busy time by a fraction of a
    second."""
    check_invariants(sc, sc.slots())


@st.composite
def single_rule_scenarios(draw, *, busy: bool) -> Scenario:
    """One counsellor (id 1) with one rule; with ``busy``, all appointments and absences are
    theirs, and closures and holidays are as drawn."""
    sc = draw(scenarios(busy=busy))
    req = sc.request
    rule = draw(weekly_rules(1, sorted(req.locations), req.first_day, req.end_day,
                             quarter_hours(6, 20), st.integers(0, 6)))
    counsellor = CounsellorProfile(1, draw(st.frozensets(st.sampled_from(LANGUAGES))))
    appointments = tuple(BusyPeriod(1, a.start, a.end) for a in sc.appointments)
    absences = tuple(BusyPeriod(1, a.start, a.end) for a in sc.absences)
    return Scenario(req, (counsellor,), (rule,), appointments, absences, sc.closures,
                    sc.holidays)


def expected_single_rule_slots(sc: Scenario) -> list[Slot]:
    """Every start on the step grid from the rule's local start, on the days the rule applies,
    whose consultation fits into the rule and the bookable window and is free."""
    req = sc.request
    (rule,) = sc.rules
    (counsellor,) = sc.counsellors
    interpreter = req.language is not None and req.language not in counsellor.languages
    length = req.duration + (req.interpreter_extra if interpreter else timedelta(0))
    busy = [(a.start - req.buffer, a.end + req.buffer) for a in sc.appointments]
    busy += [(a.start, a.end) for a in sc.absences]
    busy += [(c.start, c.end) for c in sc.closures if c.location_id == rule.location_id]

    expected = []
    for day in days(req.first_day, req.end_day):
        if not rule_applies(rule, day) or day in sc.holidays:
            continue
        # Rules lie between 06:00 and 20:00: no wall time there is missing or doubled.
        start = datetime.combine(day, rule.start_time, tzinfo=TZ).astimezone(UTC)
        finish = datetime.combine(day, rule.end_time, tzinfo=TZ).astimezone(UTC)
        while start + length <= finish:
            end = start + length
            if start >= req.earliest_start and end <= req.latest_end and not any(
                b_start < end and start < b_end for b_start, b_end in busy
            ):
                expected.append(Slot(start, end, rule.location_id, counsellor.id, interpreter))
            start += req.step
    return expected


@SETTINGS
@given(single_rule_scenarios(busy=False))
def test_a_single_free_rule_yields_every_grid_point(sc):
    """One counsellor, one rule, nothing busy, no holidays: exactly the grid points that fit."""
    slots = sc.slots()
    expected = expected_single_rule_slots(sc)
    assert len(slots) == len(expected)
    assert slots == expected
    check_invariants(sc, slots)


@SETTINGS
@given(single_rule_scenarios(busy=True))
def test_a_single_rule_yields_every_free_grid_point(sc):
    """The same with appointments (and buffers), absences, closures and holidays: a grid point
    is offered exactly when it is free (the grid stays anchored at the rule's start)."""
    slots = sc.slots()
    assert slots == expected_single_rule_slots(sc)
    check_invariants(sc, slots)
