"""Table tests for reminder leads: parsing, when each is due, and which is due now."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.domain.calendar_rules import public_holidays
from booking.domain.reminders import (
    LAST_USEFUL,
    ReminderLead,
    due_reminders,
    parse_leads,
    reminder_due_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
MV_2027 = public_holidays(date(2027, 1, 1), date(2027, 12, 31))
DEFAULT = parse_leads("2wd,morning")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(("spec", "leads"), [
    ("2wd,morning", [ReminderLead("2wd", "wd", 2), ReminderLead("morning", "morning", 0)]),
    (" 2WD , Morning ", [ReminderLead("2wd", "wd", 2), ReminderLead("morning", "morning", 0)]),
    ("2d", [ReminderLead("2d", "d", 2)]),
    ("3h", [ReminderLead("3h", "h", 3)]),
    ("10wd,24h,1d", [ReminderLead("10wd", "wd", 10), ReminderLead("24h", "h", 24),
                     ReminderLead("1d", "d", 1)]),
    ("morning,,", [ReminderLead("morning", "morning", 0)]),
    ("", []),
])
def test_parse_leads_accepts(spec, leads):
    assert parse_leads(spec) == leads


@pytest.mark.parametrize(("spec", "culprit"), [
    ("2w", "2w"), ("wd", "wd"), ("h", "h"), ("2 wd", "2 wd"), ("-1h", "-1h"),
    ("100h", "100h"), ("1.5h", "1.5h"), ("evening", "evening"), ("morning2", "morning2"),
    ("2wd;morning", "2wd;morning"), ("2wd,3x", "3x"), ("2wd,morning,1 d", "1 d"),
])
def test_parse_leads_names_the_part_it_does_not_understand(spec, culprit):
    with pytest.raises(ValueError, match=repr(culprit)):
        parse_leads(spec)


WD2, MORNING = DEFAULT
D2, H3 = parse_leads("2d,3h")


@pytest.mark.parametrize(("start", "lead", "holidays", "due"), [
    # Two working days before a Monday: the Thursday before, 07:30 in Berlin (CET).
    (berlin(2027, 2, 8, 10, 0), WD2, MV_2027, utc(2027, 2, 4, 6, 30)),
    # Before the Tuesday after Easter: Easter Monday and Good Friday are holidays in MV,
    # so Thursday 25 is one and Wednesday 24 March (still CET) is two working days before.
    (berlin(2027, 3, 30, 10, 0), WD2, MV_2027, utc(2027, 3, 24, 6, 30)),
    # Without the holidays the weekend alone is skipped: Friday 26 March.
    (berlin(2027, 3, 30, 10, 0), WD2, frozenset(), utc(2027, 3, 26, 6, 30)),
    # Before the Wednesday after Easter: Tuesday 30 (CEST) is one, Thursday 25 (CET) two.
    (berlin(2027, 3, 31, 10, 0), WD2, MV_2027, utc(2027, 3, 25, 6, 30)),
    # After the clocks go back (Sunday 31 October, also Reformationstag): Friday 29, CEST.
    (berlin(2027, 11, 2, 9, 0), WD2, MV_2027, utc(2027, 10, 29, 5, 30)),
    # Mid-week: Monday and Tuesday are working days.
    (berlin(2027, 2, 3, 10, 0), WD2, MV_2027, utc(2027, 2, 1, 6, 30)),
    # The morning of the day, in the local time of that day.
    (berlin(2027, 2, 3, 14, 0), MORNING, MV_2027, utc(2027, 2, 3, 6, 30)),
    (berlin(2027, 3, 30, 10, 0), MORNING, MV_2027, utc(2027, 3, 30, 5, 30)),
    # On the days the clocks change: 07:30 is after the jump (CEST) and after the fall back.
    (berlin(2027, 3, 28, 12, 0), MORNING, MV_2027, utc(2027, 3, 28, 5, 30)),
    (berlin(2027, 10, 31, 12, 0), MORNING, MV_2027, utc(2027, 10, 31, 6, 30)),
    # A late-evening start in Berlin is on the Berlin day, not the UTC one.
    (berlin(2027, 2, 3, 23, 30), MORNING, MV_2027, utc(2027, 2, 3, 6, 30)),
    # Fixed leads are elapsed time, also across a DST change.
    (berlin(2027, 2, 3, 10, 0), D2, MV_2027, berlin(2027, 2, 1, 10, 0)),
    (berlin(2027, 3, 29, 10, 0), D2, MV_2027, utc(2027, 3, 27, 8, 0)),  # 09:00 CET
    (berlin(2027, 2, 3, 10, 0), H3, MV_2027, berlin(2027, 2, 3, 7, 0)),
    (berlin(2027, 3, 28, 5, 0), H3, MV_2027, utc(2027, 3, 28, 0, 0)),  # 01:00 CET
])
def test_reminder_due_at(start, lead, holidays, due):
    assert reminder_due_at(start, lead, BERLIN, holidays) == due


def test_easter_monday_2027_is_a_holiday_in_mv():
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= MV_2027


# Wednesday 3 February 2027, 10:00 in Berlin: "2wd" is due on Monday 1 February at 07:30 (06:30
# UTC), "morning" on Wednesday at 07:30 (06:30 UTC).
START = berlin(2027, 2, 3, 10, 0)
LONG_AGO = utc(2027, 1, 4, 12, 0)
WD2_DUE, MORNING_DUE = utc(2027, 2, 1, 6, 30), utc(2027, 2, 3, 6, 30)


@pytest.mark.parametrize(("booked_at", "now", "due"), [
    (LONG_AGO, LONG_AGO, []),
    (LONG_AGO, WD2_DUE - timedelta(seconds=1), []),
    (LONG_AGO, WD2_DUE, ["2wd"]),
    (LONG_AGO, utc(2027, 2, 2, 15, 0), ["2wd"]),  # still due: the caller sends it once
    (LONG_AGO, MORNING_DUE - timedelta(seconds=1), ["2wd"]),
    (LONG_AGO, MORNING_DUE, ["morning"]),
    # Downtime from before "2wd" until after "morning": only the closer one.
    (LONG_AGO, MORNING_DUE + timedelta(hours=1), ["morning"]),
    # Booked after a reminder's time: the confirmation has just gone out.
    (WD2_DUE + timedelta(hours=2), WD2_DUE + timedelta(hours=3), []),
    (WD2_DUE + timedelta(hours=2), utc(2027, 2, 2, 12, 0), []),
    (WD2_DUE + timedelta(hours=2), MORNING_DUE, ["morning"]),
    (WD2_DUE, WD2_DUE, []),  # booked at the very moment
    (MORNING_DUE + timedelta(minutes=1), MORNING_DUE + timedelta(minutes=5), []),
    # Nothing less than 30 minutes before the start, nor after it.
    (LONG_AGO, START - LAST_USEFUL - timedelta(seconds=1), ["morning"]),
    (LONG_AGO, START - LAST_USEFUL, []),
    (LONG_AGO, START - timedelta(minutes=5), []),
    (LONG_AGO, START + timedelta(hours=1), []),
])
def test_due_reminders(booked_at, now, due):
    leads = due_reminders(START, booked_at, now, DEFAULT, BERLIN, MV_2027)
    assert [lead.code for lead in leads] == due


@pytest.mark.parametrize(("start", "spec", "now", "due"), [
    # For a 10:00 start "3h" is due at 07:00, before "morning" at 07:30; from 07:30 on the
    # morning one is the closer to the start.
    (START, "2wd,morning,3h", berlin(2027, 2, 3, 7, 0), ["3h"]),
    (START, "2wd,morning,3h", berlin(2027, 2, 3, 7, 29), ["3h"]),
    (START, "2wd,morning,3h", berlin(2027, 2, 3, 7, 30), ["morning"]),
    (START, "2d", berlin(2027, 2, 1, 10, 0), ["2d"]),
    (START, "2d", berlin(2027, 2, 1, 9, 59), []),
    # 08:00 start: the morning reminder at 07:30 would be too late, so none is sent then.
    (berlin(2027, 2, 3, 8, 0), "2wd,morning", berlin(2027, 2, 3, 7, 30), []),
    (berlin(2027, 2, 3, 8, 0), "2wd,morning", berlin(2027, 2, 3, 7, 29), ["2wd"]),
    # 07:00 start: "morning" would be after the start; the working-day one stays.
    (berlin(2027, 2, 3, 7, 0), "2wd,morning", berlin(2027, 2, 2, 18, 0), ["2wd"]),
    (berlin(2027, 2, 3, 7, 0), "morning", berlin(2027, 2, 3, 7, 30), []),
    # The Tuesday after Easter: due on the Wednesday before, not on Good Friday.
    (berlin(2027, 3, 30, 10, 0), "2wd", berlin(2027, 3, 24, 7, 30), ["2wd"]),
    (berlin(2027, 3, 30, 10, 0), "2wd", berlin(2027, 3, 24, 7, 29), []),
    (START, "", berlin(2027, 2, 3, 9, 0), []),
])
def test_due_reminders_with_other_leads(start, spec, now, due):
    leads = due_reminders(start, LONG_AGO, now, parse_leads(spec), BERLIN, MV_2027)
    assert [lead.code for lead in leads] == due
