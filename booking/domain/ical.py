"""iCalendar objects for appointments (RFC 5545), and their scheduling method (RFC 5546).

Times are written in UTC (RFC 5545 §3.3.5, form #2): no VTIMEZONE is needed, and Outlook's
trouble with long RDATE-based VTIMEZONEs cannot arise. Every value is stable for the same
input, so the same appointment always yields the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//IQ MV//Booking//DE"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    stamp: datetime  # DTSTAMP: when this version of the object was created (§3.8.7.2)
    summary: str
    location: str
    description: str
    organizer_email: str
    organizer_name: str
    attendees: tuple[tuple[str, str | None], ...] = ()  # (e-mail, name)
    cancelled: bool = False
    url: str | None = None


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("aware datetimes only")
    return instant.astimezone(UTC)


def build_calendar(events: list[CalendarEvent], *, method: str | None = None) -> bytes:
    """A VCALENDAR with the events. ``method`` is REQUEST or CANCEL for iMIP (RFC 5546 §1.4),
    None for a download or a subscription feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    for item in events:
        calendar.add_component(_event(item))
    return calendar.to_ical()


def _event(item: CalendarEvent) -> Event:
    event = Event()
    event.add("uid", item.uid)  # §3.8.4.7: one UID for the appointment's whole life
    event.add("sequence", item.sequence)  # §3.8.7.4: raised on every significant change
    event.add("dtstamp", _utc(item.stamp))
    event.add("dtstart", _utc(item.start))
    event.add("dtend", _utc(item.end))
    event.add("summary", item.summary)
    event.add("location", item.location)
    event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{item.organizer_email}")
    organizer.params["cn"] = vText(item.organizer_name)
    event.add("organizer", organizer)
    for email, name in item.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee)
    if item.url:
        event.add("url", item.url)
    return event
