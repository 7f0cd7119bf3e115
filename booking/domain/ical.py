"""iCalendar objects for appointments (RFC 5545), and their scheduling method (RFC 5546).

Times are written in UTC (RFC 5545 §3.3.5, form #2): no VTIMEZONE is needed, and Outlook's
trouble with long RDATE-based VTIMEZONEs cannot arise. Every value is stable for the same
input, so the same appointment always yields the same bytes (and a subscription feed the same
ETag): no random calendar UID, no generation time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

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
    # Invitations need an ORGANIZER (Gmail shows "Unknown Organizer" without); feed entries
    # are nobody's invitation and leave it out.
    organizer_email: str | None = None
    organizer_name: str = ""
    attendees: tuple[tuple[str, str | None], ...] = ()  # (e-mail, name)
    cancelled: bool = False
    url: str | None = None
    # §3.8.2.7: TRANSPARENT entries (a mobile advice day around its appointments) do not count
    # as busy time in free/busy look-ups; the appointments inside them do.
    transparent: bool = False
    # RFC 6638 §7.1: SCHEDULE-AGENT on ORGANIZER and every ATTENDEE. "CLIENT" for a copy
    # written into a CalDAV calendar: the server must not send invitations of its own.
    schedule_agent: str | None = None
    # Non-standard properties (RFC 5545 §3.8.8.2), e.g. ("X-IQMV-APPOINTMENT", "1").
    x_properties: tuple[tuple[str, str], ...] = ()


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("aware datetimes only")
    return instant.astimezone(UTC)


def build_calendar(events: list[CalendarEvent], *, method: str | None = None,
                   name: str | None = None, refresh: timedelta | None = None) -> bytes:
    """A VCALENDAR with the events. ``method`` is REQUEST or CANCEL for iMIP (RFC 5546 §1.4),
    None for a download or a subscription feed. A feed also gets a ``name`` (RFC 7986 §5.1
    NAME, and X-WR-CALNAME for Apple and Google) and a ``refresh`` interval (RFC 7986 §5.7
    REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if refresh:
        # RFC 7986 §5.7: the value type is not the default one, so VALUE=DURATION is required
        # (icalendar does not add it by itself).
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
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
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    if item.organizer_email:  # invitations only; a feed entry is nobody's invitation
        organizer = vCalAddress(f"mailto:{item.organizer_email}")
        organizer.params["cn"] = vText(item.organizer_name)
        if item.schedule_agent:
            organizer.params["schedule-agent"] = item.schedule_agent
        event.add("organizer", organizer)
    for email, name in item.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        if item.schedule_agent:
            attendee.params["schedule-agent"] = item.schedule_agent
        event.add("attendee", attendee)
    if item.url:
        event.add("url", item.url)
    for name, value in item.x_properties:
        if not name.upper().startswith("X-"):
            raise ValueError("only X- properties may be added")
        event.add(name, value)
    return event
