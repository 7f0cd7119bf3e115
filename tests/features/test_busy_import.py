"""Busy times in from counsellors' own calendars: an ICS URL (served by a real HTTP server on
loopback) and a CalDAV collection (a real Radicale server), expanded and respected by the
public slots."""

from __future__ import annotations

import threading
import time as clock_time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking.calendarsync import busy, fetch
from booking.calendarsync.jobs import refresh_due_sources
from booking.calendarsync.models import ExternalBusy, ExternalCalendar
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.scheduler.registry import all_jobs
from tests.conftest import COUNSELLOR_VSP, NOW, STAFF_VSP
from tests.factories import create_appointment

BERLIN = ZoneInfo("Europe/Berlin")
LAST_MODIFIED = format_datetime(datetime(2027, 1, 20, 8, 0, tzinfo=UTC), usegmt=True)


# -- a calendar file server on loopback -----------------------------------------------------

class CalendarFileServer:
    """Serves one .ics with ETag and Last-Modified, answers 304 to matching conditional
    requests (RFC 9110 §13.1), and records every request's headers."""

    def __init__(self):
        self.body = b""
        self.status = 200
        self.etag = '"v1"'
        self.delay = 0.0
        self.credentials: str | None = None  # "user:password" for Basic auth
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests.append(dict(self.headers))
                clock_time.sleep(server.delay)
                if self.path == "/moved.ics":
                    self._answer(301, b"", {"Location": server.url})
                elif server.credentials and not self._authorised():
                    self._answer(401, b"", {"WWW-Authenticate": 'Basic realm="cal"'})
                elif server.status != 200:
                    self._answer(server.status, b"Internal error")
                elif self._not_modified():
                    self._answer(304, None, {"ETag": server.etag})
                else:
                    self._answer(200, server.body, {"ETag": server.etag,
                                                    "Last-Modified": LAST_MODIFIED,
                                                    "Content-Type": "text/calendar"})

            def _not_modified(self) -> bool:
                # RFC 9110 §13.2.2: If-Modified-Since only counts without If-None-Match.
                if "If-None-Match" in self.headers:
                    return self.headers["If-None-Match"] == server.etag
                return self.headers.get("If-Modified-Since") == LAST_MODIFIED

            def _authorised(self) -> bool:
                import base64

                expected = base64.b64encode(server.credentials.encode()).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _answer(self, status, body, headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/private/abc123/busy.ics"


@pytest.fixture
def ics_server():
    server = CalendarFileServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def calendar(*events: str, zones: str = "") -> bytes:
    body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Busy//EN\r\n" + zones
    for event in events:
        body += "BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\n" + event.strip().replace(
            "\n", "\r\n") + "\r\nEND:VEVENT\r\n"
    return (body + "END:VCALENDAR\r\n").encode()


SIMPLE = calendar("UID:simple@test\nDTSTART;TZID=Europe/Berlin:20270202T100000\n"
                  "DTEND;TZID=Europe/Berlin:20270202T110000")


# -- helpers ----------------------------------------------------------------------------------

def katrin() -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))


def working_alone() -> Counsellor:
    """Katrin's colleagues away: every public slot at the Schwerin office is hers."""
    person = katrin()
    for other in db.session.scalars(select(Counsellor).where(
            Counsellor.organisation_id == person.organisation_id, Counsellor.id != person.id)):
        other.is_active = False
    db.session.commit()
    return person


def connect(counsellor: Counsellor, url: str, kind: str = "ics", **login) -> ExternalCalendar:
    source = busy.add_source(counsellor, kind=kind, url=url, username=login.get("username"),
                             password=login.get("password"))
    db.session.commit()
    return source


def refresh(source: ExternalCalendar, at: datetime = NOW) -> bool:
    ok = busy.refresh_source(source, at)
    db.session.commit()
    return ok


def busy_rows(source: ExternalCalendar) -> list[tuple[datetime, datetime]]:
    db.session.expire_all()
    return [(row.start_at, row.end_at) for row in db.session.scalars(
        select(ExternalBusy).where(ExternalBusy.calendar_id == source.id)
        .order_by(ExternalBusy.start_at))]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def public_slots(client, counsellor: Counsellor, start="2027-02-01", end="2027-03-01"
                 ) -> set[tuple[datetime, datetime]]:
    response = client.get(f"/api/v1/slots?service=first-consultation&location=schwerin"
                          f"&start={start}&end={end}")
    assert response.status_code == 200, response.get_json()
    return {(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]))
            for s in response.get_json()["slots"] if s["counsellor"] == counsellor.id}


def overlapping(slots, periods) -> set:
    return {slot for slot in slots if any(s < slot[1] and slot[0] < e for s, e in periods)}


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=BERLIN)


# -- ICS over HTTP: conditional requests -----------------------------------------------------

def test_the_second_fetch_is_conditional_and_a_304_keeps_the_busy_times(demo, ics_server):
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url)
    assert refresh(source)
    assert "If-None-Match" not in ics_server.requests[0]
    assert "If-Modified-Since" not in ics_server.requests[0]
    expected = [(utc(2027, 2, 2, 9), utc(2027, 2, 2, 10))]
    assert busy_rows(source) == expected
    assert (source.etag, source.last_modified) == ('"v1"', LAST_MODIFIED)

    assert refresh(source, NOW + timedelta(minutes=15))
    assert len(ics_server.requests) == 2
    assert ics_server.requests[1]["If-None-Match"] == '"v1"'
    assert ics_server.requests[1]["If-Modified-Since"] == LAST_MODIFIED
    assert busy_rows(source) == expected
    assert source.body == SIMPLE.decode() and source.last_error is None
    assert source.succeeded_at == NOW + timedelta(minutes=15)

    ics_server.etag, ics_server.body = '"v2"', calendar(
        "UID:other@test\nDTSTART:20270203T120000Z\nDTEND:20270203T130000Z")
    refresh(source, NOW + timedelta(minutes=30))  # the old validators no longer match
    assert busy_rows(source) == [(utc(2027, 2, 3, 12), utc(2027, 2, 3, 13))]
    assert source.etag == '"v2"'


def test_the_worker_job_reads_due_sources_every_15_minutes(app, demo, ics_server):
    assert "refresh_busy_times" in {job.name for job in all_jobs()}
    assert next(j for j in all_jobs() if j.name == "refresh_busy_times").seconds == 900
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url)
    assert refresh_due_sources() == 1
    assert refresh_due_sources() == 0  # read just now: not due
    app.config["CLOCK"] = lambda: NOW + timedelta(minutes=15)
    assert refresh_due_sources() == 1
    assert len(ics_server.requests) == 2
    assert ics_server.requests[1]["If-None-Match"] == '"v1"'
    assert busy_rows(source) == [(utc(2027, 2, 2, 9), utc(2027, 2, 2, 10))]


# -- expansion, and what the public slots show ------------------------------------------------

CUSTOM_ZONE = ("BEGIN:VTIMEZONE\r\nTZID:Custom Moscow\r\nBEGIN:STANDARD\r\n"
               "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
               "TZNAME:MSK\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")


def rich_calendar(own_uid: str) -> bytes:
    return calendar(
        # Tuesdays 10-11, four times; the second dropped (EXDATE), the third moved to 14-15.
        "UID:weekly@test\nDTSTART;TZID=Europe/Berlin:20270202T100000\n"
        "DTEND;TZID=Europe/Berlin:20270202T110000\nRRULE:FREQ=WEEKLY;COUNT=4\n"
        "EXDATE;TZID=Europe/Berlin:20270209T100000\nSUMMARY:Team meeting",
        "UID:weekly@test\nRECURRENCE-ID;TZID=Europe/Berlin:20270216T100000\n"
        "DTSTART;TZID=Europe/Berlin:20270216T140000\nDTEND;TZID=Europe/Berlin:20270216T150000",
        "UID:allday@test\nDTSTART;VALUE=DATE:20270204\nDTEND;VALUE=DATE:20270205",
        "UID:free@test\nDTSTART;TZID=Europe/Berlin:20270208T100000\n"
        "DTEND;TZID=Europe/Berlin:20270208T120000\nTRANSP:TRANSPARENT",
        "UID:cancelled@test\nDTSTART;TZID=Europe/Berlin:20270208T130000\n"
        "DTEND;TZID=Europe/Berlin:20270208T140000\nSTATUS:CANCELLED",
        "UID:floating@test\nDTSTART:20270211T130000\nDURATION:PT1H",
        "UID:zone@test\nDTSTART;TZID=Custom Moscow:20270222T130000\n"
        "DTEND;TZID=Custom Moscow:20270222T140000",
        f"UID:{own_uid}\nDTSTART;TZID=Europe/Berlin:20270215T090000\n"
        "DTEND;TZID=Europe/Berlin:20270215T100000",
        "UID:written-by-us@test\nX-IQMV-APPOINTMENT:ABCD-EFGH\n"
        "DTSTART;TZID=Europe/Berlin:20270215T110000\nDTEND;TZID=Europe/Berlin:20270215T120000",
        zones=CUSTOM_ZONE)


def test_recurrences_exceptions_all_day_and_free_events_shape_the_public_slots(
        client, demo, ics_server):
    person = working_alone()
    # One of Katrin's appointments, as CalDAV OUT writes it into her calendar.
    appointment = create_appointment(
        person, db.session.get_one(Location, "schwerin"),
        db.session.get_one(Service, "first-consultation"), start_at=berlin(15, 9))
    db.session.commit()
    ics_server.body = rich_calendar(appointment.ical_uid)
    before = public_slots(client, person)
    source = connect(person, ics_server.url)
    assert refresh(source)

    expected = [
        (berlin(2, 10), berlin(2, 11)),  # weekly, first
        (berlin(4, 0), berlin(5, 0)),  # all day: the whole local day
        (berlin(11, 13), berlin(11, 14)),  # floating time read as Berlin time
        (berlin(16, 14), berlin(16, 15)),  # the moved instance
        (berlin(22, 11), berlin(22, 12)),  # 13:00 at +03:00 per its VTIMEZONE
        (berlin(23, 10), berlin(23, 11)),  # weekly, last
    ]
    assert busy_rows(source) == [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in expected]

    after = public_slots(client, person)
    gone = overlapping(before, expected)
    assert after == before - gone
    for period in expected:  # every busy period took slots away
        assert overlapping(before, [period]), period
    starts = {slot[0] for slot in after}
    assert berlin(9, 10) in starts  # the EXDATE'd Tuesday
    assert berlin(16, 10) in starts and berlin(16, 14) not in starts  # moved, not doubled
    assert berlin(8, 10) in starts and berlin(8, 13) in starts  # transparent, cancelled
    assert berlin(15, 11) in starts  # written by us (X-IQMV-APPOINTMENT)
    assert not any(start.date() == berlin(4, 0).date() for start in starts)

    # The appointment's copy in her calendar does not block: cancelled, its time is free.
    appointment.status, appointment.cancelled_at = "cancelled", NOW
    db.session.commit()
    assert berlin(15, 9) in {slot[0] for slot in public_slots(client, person)}


def test_removing_a_source_frees_its_busy_times(client, demo, ics_server):
    person = working_alone()
    ics_server.body = SIMPLE
    before = public_slots(client, person, "2027-02-02", "2027-02-03")
    source = connect(person, ics_server.url)
    refresh(source)
    assert public_slots(client, person, "2027-02-02", "2027-02-03") < before
    busy.remove_source(source)
    db.session.commit()
    assert public_slots(client, person, "2027-02-02", "2027-02-03") == before
    assert db.session.scalar(select(ExternalBusy.id)) is None


# -- failures keep the last good busy times ----------------------------------------------------

def test_a_failing_source_keeps_its_busy_times_and_the_page_says_why(
        demo, ics_server, sign_in):
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url)
    refresh(source)
    good = busy_rows(source)

    ics_server.status = 500
    assert not refresh(source, NOW + timedelta(minutes=15))
    assert busy_rows(source) == good
    assert source.last_error == "http_status:500"
    assert source.succeeded_at == NOW and source.fetched_at == NOW + timedelta(minutes=15)
    page = sign_in(COUNSELLOR_VSP).get("/staff/calendar-sync").get_data(as_text=True)
    assert "The calendar server answered with an error (HTTP 500)." in page
    assert "The busy times read before are kept." in page
    assert "127.0.0.1" in page and "abc123" not in page  # the secret part of the link

    ics_server.status, ics_server.etag = 200, '"garbage"'
    ics_server.body = b"<html><body>Maintenance</body></html>"
    assert not refresh(source, NOW + timedelta(minutes=30))
    assert busy_rows(source) == good
    assert source.last_error == "unparsable"
    assert source.body == SIMPLE.decode() and source.etag == '"v1"'  # the last good copy
    page = sign_in(STAFF_VSP).get(
        f"/staff/calendar-sync?counsellor={source.counsellor_id}").get_data(as_text=True)
    assert "The answer is no calendar data (iCalendar) that can be read." in page

    ics_server.body = SIMPLE
    assert refresh(source, NOW + timedelta(minutes=45))
    assert source.last_error is None and busy_rows(source) == good


@pytest.mark.parametrize(("setting", "code"), [
    ("timeout", "timeout"), ("too_large", "too_large"), ("auth", "auth"),
    ("gone", "connection"), ("not_found", "not_found"),
])
def test_failures_are_recorded_as_short_codes_without_secrets(
        demo, ics_server, monkeypatch, setting, code):
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url, username="katrin", password="s3cret-pass")
    if setting == "timeout":
        monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.3)
        ics_server.delay = 1
    elif setting == "too_large":
        monkeypatch.setattr(fetch, "MAX_BYTES", 100)
    elif setting == "auth":
        ics_server.credentials = "katrin:another-password"
    elif setting == "gone":
        ics_server.httpd.shutdown()
        ics_server.httpd.server_close()
    else:
        ics_server.status = 404
    assert not refresh(source)
    assert source.last_error == code
    assert busy_rows(source) == []


def test_basic_auth_is_sent_when_a_user_name_is_given(demo, ics_server):
    ics_server.body, ics_server.credentials = SIMPLE, "katrin:s3cret-pass"
    source = connect(katrin(), ics_server.url, username="katrin", password="s3cret-pass")
    assert refresh(source)
    assert len(busy_rows(source)) == 1


def test_a_moved_calendar_is_followed(demo, ics_server):
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url.replace("/private/abc123/busy.ics", "/moved.ics"))
    assert refresh(source)
    assert len(ics_server.requests) == 2 and len(busy_rows(source)) == 1


def test_private_hosts_can_be_refused(app, demo, ics_server):
    ics_server.body = SIMPLE
    source = connect(katrin(), ics_server.url)
    app.config["CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS"] = False
    assert not refresh(source)
    assert source.last_error == "blocked_host"
    assert ics_server.requests == []  # refused before connecting


# -- CalDAV against a real Radicale server ------------------------------------------------------

def test_busy_times_from_a_caldav_calendar_take_the_public_slots(client, demo, radicale,
                                                                  sign_in, monkeypatch):
    """The acceptance criterion of issue 7: a counsellor's busy event in their CalDAV
    calendar (here a weekly one with an exception) removes the matching public slots."""
    import caldav

    from tests.radicale_server import PASSWORD, USER

    url = radicale.make_calendar("busy")
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as dav:
        collection = dav.calendar(url=url)
        # Wednesdays 13:00-14:00 from 3 February; 10 February moved to 16:00-17:00.
        collection.save_event(calendar(
            "UID:wed@test\nDTSTART;TZID=Europe/Berlin:20270203T130000\n"
            "DTEND;TZID=Europe/Berlin:20270203T140000\nRRULE:FREQ=WEEKLY;UNTIL=20270224T235959Z",
            "UID:wed@test\nRECURRENCE-ID;TZID=Europe/Berlin:20270210T130000\n"
            "DTSTART;TZID=Europe/Berlin:20270210T160000\n"
            "DTEND;TZID=Europe/Berlin:20270210T170000").decode())
        collection.save_event(calendar(
            "UID:doctor@test\nDTSTART:20270201T120000Z\nDTEND:20270201T133000Z").decode())
    person = working_alone()
    before = public_slots(client, person)

    response = sign_in(COUNSELLOR_VSP).post("/staff/calendar-sync/sources", data={
        "kind": "caldav", "url": url, "username": USER, "password": PASSWORD})
    assert response.status_code == 303
    source = db.session.scalar(select(ExternalCalendar))
    expected = [(berlin(1, 13), berlin(1, 14, 30)), (berlin(3, 13), berlin(3, 14)),
                (berlin(10, 16), berlin(10, 17)), (berlin(17, 13), berlin(17, 14)),
                (berlin(24, 13), berlin(24, 14))]
    assert busy_rows(source) == [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in expected]
    assert source.succeeded_at == NOW and source.last_error is None

    after = public_slots(client, person)
    assert after == before - overlapping(before, expected)
    starts = {slot[0] for slot in after}
    assert berlin(3, 13) not in starts and berlin(10, 13) in starts
    assert berlin(10, 16) not in starts

    # Unchanged collection: its tag matches, nothing is downloaded again and all stays.
    searches = []
    real_search = caldav.Calendar.search
    monkeypatch.setattr(caldav.Calendar, "search",
                        lambda *a, **k: searches.append(k) or real_search(*a, **k))
    assert source.etag
    assert refresh(source, NOW + timedelta(minutes=15))
    assert len(busy_rows(source)) == len(expected) and searches == []
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as dav:
        dav.calendar(url=url).event_by_uid("doctor@test").delete()
    assert refresh(source, NOW + timedelta(minutes=30))
    assert len(busy_rows(source)) == len(expected) - 1 and len(searches) == 1


def test_a_wrong_caldav_password_is_an_auth_error(demo, radicale):
    from tests.radicale_server import USER

    url = radicale.make_calendar("busy")
    source = connect(katrin(), url, kind="caldav", username=USER, password="wrong")
    assert not refresh(source)
    assert source.last_error == "auth"
