"""Table tests for the slot engine on the days that break naive calendars."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.domain.calendar_rules import WeeklyRule, booking_window, public_holidays
from booking.domain.slots import (
    BusyPeriod,
    ClosedPeriod,
    CounsellorProfile,
    SlotRequest,
    compute_free_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
SUNDAY, MONDAY, TUESDAY = 6, 0, 1


def rule(weekday, start, end, *, counsellor=1, location="a", starts_on=date(2027, 1, 4), **kw):
    return WeeklyRule(counsellor, location, weekday, start, end, starts_on, **kw)


def request(first, days=1, *, locations=("a",), minutes=60, language=None, **kw):
    return SlotRequest(
        locations=frozenset(locations), first_day=first, end_day=first + timedelta(days=days),
        duration=timedelta(minutes=minutes), earliest_start=kw.pop("earliest", ALL_TIME[0]),
        latest_end=kw.pop("latest", ALL_TIME[1]), tz=BERLIN, language=language, **kw,
    )


def local_starts(slots):
    return [s.start.astimezone(BERLIN).strftime("%a %H:%M") for s in slots]


def people(*languages_per_counsellor):
    return [CounsellorProfile(i + 1, frozenset(langs))
            for i, langs in enumerate(languages_per_counsellor)]


@pytest.mark.parametrize("day, utc_hour", [
    (date(2027, 3, 21), 8),   # CET: 09:00 local is 08:00 UTC
    (date(2027, 3, 28), 7),   # DST begins this night: 09:00 CEST is 07:00 UTC
    (date(2027, 10, 24), 7),  # still CEST
    (date(2027, 10, 31), 8),  # DST ends this night: 09:00 CET is 08:00 UTC
])
def test_weekly_hours_stay_on_the_local_clock_across_dst(day, utc_hour):
    slots = compute_free_slots(request(day), people({"de"}),
                               [rule(SUNDAY, time(9), time(12))])
    assert local_starts(slots) == ["Sun 09:00", "Sun 09:30", "Sun 10:00", "Sun 10:30",
                                   "Sun 11:00"]
    assert slots[0].start == datetime.combine(day, time(utc_hour), tzinfo=UTC)
    assert all(s.end - s.start == timedelta(minutes=60) for s in slots)


def test_no_slot_at_a_local_time_that_does_not_exist():
    # 2027-03-28: clocks jump from 02:00 to 03:00; three real hours between 01:00 and 05:00.
    slots = compute_free_slots(request(date(2027, 3, 28)), people({"de"}),
                               [rule(SUNDAY, time(1), time(5))])
    assert local_starts(slots) == ["Sun 01:00", "Sun 01:30", "Sun 03:00", "Sun 03:30",
                                   "Sun 04:00"]
    assert all(s.end - s.start == timedelta(minutes=60) for s in slots)


def test_no_slot_at_a_local_time_that_happens_twice():
    # 2027-10-31: 02:00–03:00 happens twice; neither "02:00" nor "02:30" is offered.
    slots = compute_free_slots(request(date(2027, 10, 31)), people({"de"}),
                               [rule(SUNDAY, time(1), time(5))])
    assert local_starts(slots) == ["Sun 01:00", "Sun 01:30", "Sun 03:00", "Sun 03:30",
                                   "Sun 04:00"]


def test_mv_public_holidays_include_frauentag_and_reformationstag():
    days = public_holidays(date(2027, 1, 1), date(2027, 12, 31))
    assert len(days) == 11
    assert date(2027, 3, 8) in days and date(2027, 10, 31) in days
    assert date(2027, 11, 17) not in days  # Buß- und Bettag is Saxony's, not MV's


def test_frauentag_is_closed():
    first = date(2027, 3, 8)  # Monday, Frauentag
    slots = compute_free_slots(
        request(first, days=2), people({"de"}),
        [rule(MONDAY, time(9), time(11)), rule(TUESDAY, time(9), time(11))],
        holidays=public_holidays(first, first + timedelta(days=2)),
    )
    assert local_starts(slots) == ["Tue 09:00", "Tue 09:30", "Tue 10:00"]


def test_reformationstag_is_closed():
    day = date(2027, 10, 31)
    slots = compute_free_slots(request(day), people({"de"}), [rule(SUNDAY, time(9), time(12))],
                               holidays=public_holidays(day, day))
    assert slots == []


def test_counsellor_with_hours_in_two_offices_on_the_same_day():
    rules = [rule(MONDAY, time(9), time(11), location="schwerin"),
             rule(MONDAY, time(14), time(16), location="rostock")]
    slots = compute_free_slots(request(date(2027, 2, 1), locations=("schwerin", "rostock")),
                               people({"de"}), rules)
    assert [(s.location_id, s.start.astimezone(BERLIN).strftime("%H:%M")) for s in slots] == [
        ("schwerin", "09:00"), ("schwerin", "09:30"), ("schwerin", "10:00"),
        ("rostock", "14:00"), ("rostock", "14:30"), ("rostock", "15:00"),
    ]


def test_overlapping_hours_in_two_offices_never_give_overlapping_slots():
    # Contradictory data: 09–13 in one office and 12–17 in the other. Neither gets 12–13.
    rules = [rule(MONDAY, time(9), time(13), location="schwerin"),
             rule(MONDAY, time(12), time(17), location="rostock")]
    slots = compute_free_slots(request(date(2027, 2, 1), locations=("schwerin", "rostock")),
                               people({"de"}), rules)
    schwerin = [s for s in slots if s.location_id == "schwerin"]
    rostock = [s for s in slots if s.location_id == "rostock"]
    assert max(s.end for s in schwerin).astimezone(BERLIN).time() == time(12)
    assert min(s.start for s in rostock).astimezone(BERLIN).time() == time(13)
    assert not any(a.start < b.end and b.start < a.end for a in schwerin for b in rostock)


def test_hours_elsewhere_block_even_when_only_one_office_is_asked_for():
    rules = [rule(MONDAY, time(9), time(13), location="schwerin"),
             rule(MONDAY, time(12), time(17), location="rostock")]
    slots = compute_free_slots(request(date(2027, 2, 1), locations=("rostock",)),
                               people({"de"}), rules)
    assert slots[0].start.astimezone(BERLIN).time() == time(13)


def test_interpreter_fallback_where_nobody_speaks_the_language():
    rules = [rule(MONDAY, time(9), time(11), counsellor=1, location="greifswald"),
             rule(MONDAY, time(9), time(11), counsellor=2, location="rostock")]
    slots = compute_free_slots(
        request(date(2027, 2, 1), locations=("greifswald", "rostock"), language="ar",
                interpreter_extra=timedelta(minutes=30)),
        people({"de", "ar"}, {"de", "ru"}), rules,
    )
    direct = [s for s in slots if not s.interpreter]
    helped = [s for s in slots if s.interpreter]
    assert {s.location_id for s in direct} == {"greifswald"}
    assert {s.location_id for s in helped} == {"rostock"}
    assert slots == direct + helped  # direct matches are ranked first
    assert all(s.end - s.start == timedelta(minutes=90) for s in helped)
    assert all(s.end - s.start == timedelta(minutes=60) for s in direct)


def test_language_selects_the_counsellors_who_speak_it():
    rules = [rule(MONDAY, time(9), time(10), counsellor=1),
             rule(MONDAY, time(10), time(11), counsellor=2)]
    slots = compute_free_slots(request(date(2027, 2, 1), language="uk"),
                               people({"de"}, {"de", "uk"}), rules)
    assert [(s.counsellor_id, s.interpreter) for s in slots] == [(2, False)]


def test_appointments_are_widened_by_the_buffer():
    appointment = BusyPeriod(1, datetime(2027, 2, 1, 9, tzinfo=UTC),   # 10:00–11:00 local
                             datetime(2027, 2, 1, 10, tzinfo=UTC))
    slots = compute_free_slots(request(date(2027, 2, 1), buffer=timedelta(minutes=15)),
                               people({"de"}), [rule(MONDAY, time(8), time(13))],
                               appointments=[appointment])
    assert local_starts(slots) == ["Mon 08:00", "Mon 08:30", "Mon 11:30", "Mon 12:00"]


def test_absences_and_closures_block():
    day = date(2027, 2, 1)
    absence = BusyPeriod(1, datetime(2027, 2, 1, 8, tzinfo=UTC), datetime(2027, 2, 1, 9,
                                                                           tzinfo=UTC))
    closure = ClosedPeriod("a", datetime(2027, 2, 1, 11, tzinfo=UTC),
                           datetime(2027, 2, 2, tzinfo=UTC))
    slots = compute_free_slots(request(day), people({"de"}), [rule(MONDAY, time(8), time(16))],
                               absences=[absence], closures=[closure])
    assert local_starts(slots) == ["Mon 08:00", "Mon 10:00", "Mon 10:30", "Mon 11:00"]


def test_every_second_week():
    rules = [rule(MONDAY, time(9), time(10), starts_on=date(2027, 2, 1), every_n_weeks=2)]
    slots = compute_free_slots(request(date(2027, 1, 25), days=36), people({"de"}), rules)
    assert [s.start.astimezone(BERLIN).date() for s in slots] == [
        date(2027, 2, 1), date(2027, 2, 15), date(2027, 3, 1)]


def test_validity_period_of_rules():
    rules = [rule(MONDAY, time(9), time(10), starts_on=date(2027, 2, 8),
                  ends_on=date(2027, 2, 15))]
    slots = compute_free_slots(request(date(2027, 2, 1), days=28), people({"de"}), rules)
    assert [s.start.astimezone(BERLIN).date() for s in slots] == [
        date(2027, 2, 8), date(2027, 2, 15)]


def test_minimum_notice_and_horizon():
    now = datetime(2027, 2, 1, 8, 10, tzinfo=UTC)  # Monday 09:10 local
    earliest, latest = booking_window(now, min_notice=timedelta(hours=2), horizon_days=1,
                                      tz=BERLIN)
    assert earliest == datetime(2027, 2, 1, 10, 10, tzinfo=UTC)
    assert latest == datetime(2027, 2, 2, 23, tzinfo=UTC)  # end of Tuesday, local midnight
    rules = [rule(d, time(9), time(13)) for d in (MONDAY, TUESDAY, 2)]
    slots = compute_free_slots(request(date(2027, 2, 1), days=3, earliest=earliest,
                                       latest=latest), people({"de"}), rules)
    assert local_starts(slots) == ["Mon 11:30", "Mon 12:00", "Tue 09:00", "Tue 09:30",
                                   "Tue 10:00", "Tue 10:30", "Tue 11:00", "Tue 11:30",
                                   "Tue 12:00"]


def test_shared_start_time_goes_to_the_less_booked_counsellor_once():
    rules = [rule(MONDAY, time(9), time(12), counsellor=1),
             rule(MONDAY, time(9), time(12), counsellor=2)]
    busy = BusyPeriod(1, datetime(2027, 2, 1, 10, tzinfo=UTC), datetime(2027, 2, 1, 11,
                                                                         tzinfo=UTC))
    slots = compute_free_slots(request(date(2027, 2, 1)), people({"de"}, {"de"}), rules,
                               appointments=[busy])
    assert len(slots) == len({(s.location_id, s.start) for s in slots}) == 5
    assert {s.counsellor_id for s in slots} == {2}


def test_slot_step_grid_is_anchored_at_the_start_of_the_hours():
    slots = compute_free_slots(request(date(2027, 2, 1), step=timedelta(minutes=45)),
                               people({"de"}), [rule(MONDAY, time(8, 30), time(11))])
    assert local_starts(slots) == ["Mon 08:30", "Mon 09:15", "Mon 10:00"]


@pytest.mark.parametrize("day, wall, expected_utc", [
    (date(2027, 3, 28), time(2, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),   # gap: the jump
    (date(2027, 3, 28), time(2, 30), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # gap: the jump
    (date(2027, 3, 28), time(3, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
    (date(2027, 3, 28), time(1, 59), datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),
    (date(2027, 10, 31), time(2, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),  # first 02:30
    (date(2027, 10, 31), time(3, 0), datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),
])
def test_local_wall_times_on_dst_nights(day, wall, expected_utc):
    from booking.domain.calendar_rules import local_to_utc
    assert local_to_utc(day, wall, BERLIN) == expected_utc


def test_hours_ending_at_a_doubled_time_do_not_run_long():
    # 01:00–02:00 on the night 02:00–03:00 happens twice: hours end at the first 02:00.
    slots = compute_free_slots(request(date(2027, 10, 31)), people({"de"}),
                               [rule(SUNDAY, time(1), time(2))])
    assert local_starts(slots) == ["Sun 01:00"]
