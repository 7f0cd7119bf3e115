"""``build_calendar`` for subscription feeds: calendar name and refresh interval (RFC 7986),
no METHOD, entries without ORGANIZER, TRANSPARENT blocks, stable bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from booking.domain.ical import CalendarEvent, build_calendar

START = datetime(2027, 2, 5, 9, tzinfo=UTC)


def entry(**changes) -> CalendarEvent:
    values = dict(uid="x@iq-mv-booking", sequence=0, start=START,
                  end=START + timedelta(hours=4), stamp=START - timedelta(days=3),
                  summary="Mobiler Beratungstag in Wismar", location="", description="")
    return CalendarEvent(**{**values, **changes})


def test_a_feed_has_a_name_and_a_refresh_interval_but_no_method():
    body = build_calendar([entry()], name="IQ Termine – Katrin Beispiel",
                          refresh=timedelta(hours=1))
    lines = body.decode().split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines  # RFC 7986 §5.7
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "NAME:IQ Termine – Katrin Beispiel" in lines
    assert "X-WR-CALNAME:IQ Termine – Katrin Beispiel" in lines
    assert not any(line.startswith("METHOD") for line in lines)
    assert body == build_calendar([entry()], name="IQ Termine – Katrin Beispiel",
                                  refresh=timedelta(hours=1))  # stable bytes


def test_feed_entries_leave_out_organizer_and_empty_texts():
    [event] = Calendar.from_ical(build_calendar([entry(transparent=True)])).walk("VEVENT")
    assert "ORGANIZER" not in event and "LOCATION" not in event and "DESCRIPTION" not in event
    assert str(event["TRANSP"]) == "TRANSPARENT"
    [busy] = Calendar.from_ical(build_calendar([entry(location="Wismar")])).walk("VEVENT")
    assert str(busy["TRANSP"]) == "OPAQUE" and str(busy["LOCATION"]) == "Wismar"


def test_invitations_still_carry_their_organizer():
    body = build_calendar([entry(organizer_email="termine@iq-mv.example.org",
                                 organizer_name="IQ Servicestelle Schwerin")], method="REQUEST")
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:termine@iq-mv.example.org"
    assert b"METHOD:REQUEST\r\n" in body and b"REFRESH-INTERVAL" not in body
