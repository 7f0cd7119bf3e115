"""When reminders are due: leads such as "2wd" (two working days before, in the morning),
"morning" (the morning of the day), "2d" or "3h" (a fixed time before the start).

Working days skip weekends and public holidays (the caller passes them), so a Monday
appointment is reminded on the Thursday before, and one after Easter on the Wednesday before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from booking.domain.calendar_rules import local_to_utc

REMINDER_MORNING = time(7, 30)  # local time of "morning" and working-day reminders
LAST_USEFUL = timedelta(minutes=30)  # a reminder later than this before the start is pointless
_LEAD = re.compile(r"^(?:(\d{1,2})(wd|d|h)|morning)$")


@dataclass(frozen=True, order=True)
class ReminderLead:
    code: str  # as written in the configuration, e.g. "2wd"; part of the dedupe key
    unit: str  # "wd", "d", "h" or "morning"
    amount: int = 0


def parse_leads(spec: str) -> list[ReminderLead]:
    """``"2wd,morning"`` → leads; raises ValueError naming the part it does not understand."""
    leads = []
    for part in (p.strip().lower() for p in spec.split(",") if p.strip()):
        match = _LEAD.match(part)
        if not match:
            raise ValueError(f"reminder lead {part!r}: use e.g. 2wd, morning, 2d or 3h")
        unit = match.group(2) or "morning"
        leads.append(ReminderLead(part, unit, int(match.group(1) or 0)))
    return leads


def _working_days_before(day: date, count: int, holidays: frozenset[date]) -> date:
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count -= 1
    return day


def reminder_due_at(start: datetime, lead: ReminderLead, tz: tzinfo,
                    holidays: frozenset[date] = frozenset()) -> datetime:
    local_day = start.astimezone(tz).date()
    if lead.unit == "wd":
        return local_to_utc(_working_days_before(local_day, lead.amount, holidays),
                            REMINDER_MORNING, tz)
    if lead.unit == "morning":
        return local_to_utc(local_day, REMINDER_MORNING, tz)
    if lead.unit == "d":
        return start - timedelta(days=lead.amount)
    return start - timedelta(hours=lead.amount)


def due_reminders(start: datetime, booked_at: datetime, now: datetime,
                  leads: Iterable[ReminderLead], tz: tzinfo,
                  holidays: frozenset[date] = frozenset()) -> list[ReminderLead]:
    """The leads whose reminder should go out now.

    A reminder is due once its time has come. It is not sent when the appointment was booked
    after that time (the confirmation has just gone out), when it would arrive less than
    ``LAST_USEFUL`` before the start, or when a closer reminder is already due (after downtime
    only the most useful one is caught up on).
    """
    timed = sorted(((reminder_due_at(start, lead, tz, holidays), lead) for lead in leads),
                   reverse=True)  # the closest to the start first
    for due_at, lead in timed:
        if due_at <= now:
            if booked_at < due_at and now < start - LAST_USEFUL and due_at < start:
                return [lead]
            return []
    return []
