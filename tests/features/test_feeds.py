"""Subscription feeds: what the counsellor, organisation and outreach feeds contain, their
headers, conditional requests (ETag and Last-Modified), and their tokens' life cycle."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select
from werkzeug.http import http_date

from booking import clock
from booking.agenda.services import set_outcome
from booking.appointments import services as booking
from booking.appointments.models import Appointment
from booking.availability.models import Absence, WeeklyHours
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.feeds.models import CalendarFeed
from booking.feeds.services import feed_token
from booking.network.models import Location
from tests.conftest import COUNSELLOR_MIGRA, COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER, NOW, STAFF_VSP
from tests.factories import create_appointment, create_weekly_hours
from tests.features.booking_helpers import book, free_slots
from tests.features.test_ics_independent_parser import PARSER, ROOT, node, utc_text

CLIENT = {"name": "Maria Beispiel", "email": "maria.feed@example.org", "phone": "0385 123456"}
FIRST = date(2027, 2, 3)  # a Wednesday: Katrin Beispiel works 12:00-18:00 in Schwerin


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def book_for(who: Counsellor, day: date = FIRST, location: str = "schwerin", index: int = 0,
             **client):
    """Book the ``index``-th free first consultation of ``who`` on ``day``."""
    slots = [s for s in free_slots(location, "first-consultation", "de", day)
             if s.counsellor_id == who.id]
    return book(slots[index], service_id="first-consultation", counsellor_id=who.id,
                **{**CLIENT, **client})


@pytest.fixture
def feed_of(sign_in):
    """``feed_of(kind)``: a live feed made as the staff page makes it (a counsellor's by
    Katrin Beispiel, the organisation's by vsp's office); its URL path."""
    def make(kind: str) -> str:
        account = COUNSELLOR_VSP if kind == "counsellor" else STAFF_VSP
        assert sign_in(account).post("/staff/feeds/new").status_code == 303
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.kind == kind)
                                 .order_by(CalendarFeed.id.desc()))
        return feed_path(feed)

    return make


def feed_path(feed: CalendarFeed) -> str:
    folder = "counsellors" if feed.kind == "counsellor" else "organisations"
    return f"/feeds/{folder}/{feed_token(feed)}.ics"


@pytest.fixture
def katrin(demo):
    return counsellor(COUNSELLOR_VSP)


@pytest.fixture
def wismar_fridays(katrin):
    """Katrin Beispiel holds a mobile advice day in Wismar every Friday, 10:00-14:00."""
    rule = create_weekly_hours(katrin, db.session.get_one(Location, "wismar"), weekday=4,
                               start=time(10), end=time(14))
    db.session.commit()
    return rule


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def unfolded(body: bytes) -> str:
    """The body with folded lines joined (RFC 5545 §3.1): a name split by folding still counts."""
    return body.decode().replace("\r\n ", "")


def german(message: str, **values) -> str:
    with force_locale("de"):
        return _(message, **values)


# -- content and headers --------------------------------------------------------------------

def test_counsellor_feed_content_and_headers(feed_of, client, katrin, wismar_fridays):
    booked = book_for(katrin).appointment
    cancelled = book_for(katrin, index=3).appointment
    assert booking.cancel_appointment(cancelled, now=clock.now())
    past = create_appointment(katrin, db.session.get_one(Location, "schwerin"),
                              booked.service, start_at=datetime(2027, 1, 12, 9, tzinfo=UTC),
                              status="attended", client_name="Old Client")
    too_old = create_appointment(katrin, db.session.get_one(Location, "schwerin"),
                                 booked.service, start_at=datetime(2026, 12, 20, 9, tzinfo=UTC))
    absence = Absence(counsellor_id=katrin.id, start_at=datetime(2027, 2, 15, tzinfo=UTC),
                      end_at=datetime(2027, 2, 17, tzinfo=UTC), reason="illness")
    db.session.add(absence)
    db.session.commit()

    response = client.get(feed_of("counsellor"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response.headers
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith(
        "W/")
    assert response.headers["Last-Modified"]
    caching = response.headers["Cache-Control"]
    assert "private" in caching and "max-age=300" in caching and "no-transform" in caching

    body = response.data
    assert b"\r\nMETHOD:" not in body and not body.startswith(b"METHOD")
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == german("IQ appointments – %(name)s",
                                                   name="Katrin Beispiel")
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}

    event = found[booked.ical_uid]
    assert int(event["SEQUENCE"]) == booked.ical_sequence
    assert event.decoded("DTSTAMP") == booked.updated_at
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (booked.start_at, booked.end_at)
    assert str(event["SUMMARY"]) == f"{booked.service.text('de').name} · {booked.reference}"
    assert str(event["LOCATION"]).startswith("IQ Servicestelle Schwerin")
    description = str(event["DESCRIPTION"])
    assert german("Reference: %(reference)s", reference=booked.reference) in description
    assert str(event["TRANSP"]) == "OPAQUE" and "ORGANIZER" not in event
    assert past.ical_uid in found and "Old Client" not in unfolded(body)
    assert cancelled.ical_uid not in found and too_old.ical_uid not in found
    for personal in CLIENT.values():  # privacy by default
        assert personal not in unfolded(body)

    [away] = [e for e in found.values() if str(e["UID"]) == f"absence-{absence.id}@iq-mv-booking"]
    assert str(away["SUMMARY"]) == german("Absent") and "illness" not in unfolded(body)
    assert str(away["TRANSP"]) == "OPAQUE"
    mobile = [e for e in found.values() if "Wismar" in str(e["SUMMARY"])]
    fridays = {e.decoded("DTSTART").date() for e in mobile}
    assert date(2027, 2, 5) in fridays and date(2027, 1, 1) not in fridays  # New Year's Day
    assert all(str(e["TRANSP"]) == "TRANSPARENT" for e in mobile)
    assert str(mobile[0]["SUMMARY"]) == german("Mobile advice day in %(town)s", town="Wismar")


def test_feed_uids_are_the_uids_of_the_invitation_and_the_download(feed_of, client, katrin):
    booked = book_for(katrin)
    download = client.get(f"/manage/{booked.token}/appointment.ics")
    [invited] = events(download.data)
    feed = {str(e["UID"]): e for e in events(client.get(feed_of("counsellor")).data)}
    assert str(invited["UID"]) in feed
    assert int(feed[str(invited["UID"])]["SEQUENCE"]) == int(invited["SEQUENCE"])
    moved_to = free_slots("schwerin", "first-consultation", "de", date(2027, 2, 4))
    booking.reschedule_appointment(booked.appointment, [
        s for s in moved_to if s.counsellor_id == katrin.id][0].start, now=clock.now())
    db.session.commit()
    [invited] = events(client.get(f"/manage/{booked.token}/appointment.ics").data)
    feed = {str(e["UID"]): e for e in events(client.get(feed_of("counsellor")).data)}
    assert int(feed[str(invited["UID"])]["SEQUENCE"]) == int(invited["SEQUENCE"]) == 1


def test_client_details_only_when_switched_on(feed_of, client, katrin, sign_in):
    book_for(katrin)
    path = feed_of("counsellor")
    hidden = client.get(path)
    assert CLIENT["name"] not in unfolded(hidden.data)
    feed = db.session.scalar(select(CalendarFeed))
    response = sign_in(COUNSELLOR_VSP).post(f"/staff/feeds/{feed.id}/privacy",
                                            data={f"feed{feed.id}-shows_client_details": "y"})
    assert response.status_code == 303
    shown = client.get(path)
    text = unfolded(shown.data)
    assert CLIENT["name"] in text and CLIENT["email"] in text and CLIENT["phone"] in text
    assert shown.headers["ETag"] != hidden.headers["ETag"]


def test_the_organisation_feed_shows_the_office_and_names_the_counsellors(feed_of, client, katrin):
    mine = book_for(katrin).appointment
    colleague = counsellor(COUNSELLOR_VSP_OTHER)
    theirs = book_for(colleague, day=date(2027, 2, 4)).appointment
    elsewhere = book_for(counsellor(COUNSELLOR_MIGRA), location="rostock").appointment
    response = client.get(feed_of("organisation"))
    assert response.status_code == 200
    found = {str(e["UID"]): e for e in events(response.data)}
    assert {mine.ical_uid, theirs.ical_uid} <= set(found) and elsewhere.ical_uid not in found
    assert "Samir Al-Musterani" in str(found[theirs.ical_uid]["SUMMARY"])
    assert CLIENT["name"] not in unfolded(response.data)


# -- tokens ---------------------------------------------------------------------------------

def test_unknown_malformed_rotated_and_revoked_tokens_answer_404(feed_of, client, katrin, sign_in):
    path = feed_of("counsellor")
    assert client.get(path).status_code == 200
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    for wrong in ("x", "A" * 32, token[:-1] + ("A" if token[-1] != "A" else "B"), token + "A",
                  "%00" * 11, "ä" * 32):
        response = client.get(f"/feeds/counsellors/{wrong}.ics")
        assert response.status_code == 404, wrong
        assert response.get_json()["error"] == "not_found"
    # A counsellor's token does not open the organisation address.
    assert client.get(f"/feeds/organisations/{token}.ics").status_code == 404

    staff = sign_in(COUNSELLOR_VSP)
    feed = db.session.scalar(select(CalendarFeed))
    assert staff.post(f"/staff/feeds/{feed.id}/rotate").status_code == 303
    db.session.refresh(feed)
    assert client.get(path).status_code == 404
    new_path = feed_path(feed)
    assert new_path != path and client.get(new_path).status_code == 200
    assert staff.post(f"/staff/feeds/{feed.id}/revoke").status_code == 303
    assert client.get(new_path).status_code == 404


# -- conditional requests -------------------------------------------------------------------

def test_conditional_requests(feed_of, client, katrin):
    book_for(katrin)
    path = feed_of("counsellor")
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(path)
    assert again.headers["ETag"] == etag and again.data == first.data  # stable bytes

    for header in (etag, f"W/{etag}", f'"nope", {etag}', f'W/"nope", W/{etag}', "*"):
        response = client.get(path, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.data == b"" and response.headers["ETag"] == etag
        assert "private" in response.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": '"nope"'}).status_code == 200

    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    later = http_date(NOW + timedelta(hours=1))
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = http_date(NOW - timedelta(days=2))
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": "yesterday"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
    response = client.get(path, headers={"If-None-Match": '"nope"',
                                         "If-Modified-Since": modified})
    assert response.status_code == 200


def _change_booking(katrin):
    book_for(katrin, day=date(2027, 2, 8))


def _upcoming(katrin) -> Appointment:
    return db.session.scalar(select(Appointment).where(
        Appointment.counsellor_id == katrin.id, Appointment.start_at > NOW))


def _change_move(katrin):
    appointment = _upcoming(katrin)
    later = [s for s in free_slots("schwerin", "first-consultation", "de", FIRST)
             if s.counsellor_id == katrin.id and s.start > appointment.end_at][0]
    booking.reschedule_appointment(appointment, later.start, now=clock.now())


def _change_cancel(katrin):
    booking.cancel_appointment(_upcoming(katrin), now=clock.now())


def _change_outcome(katrin):
    """Recorded at the same instant as the last change: only the status tells."""
    past = db.session.scalar(select(Appointment).where(
        Appointment.counsellor_id == katrin.id, Appointment.start_at < NOW))
    set_outcome(past, "attended", now=NOW)


def _change_absence(katrin):
    db.session.add(Absence(counsellor_id=katrin.id, start_at=datetime(2027, 2, 22, tzinfo=UTC),
                           end_at=datetime(2027, 2, 23, tzinfo=UTC)))


def _change_absence_deleted(katrin):
    db.session.delete(db.session.scalar(select(Absence).where(
        Absence.counsellor_id == katrin.id)))


def _change_settings(katrin):
    feed = db.session.scalar(select(CalendarFeed))
    feed.shows_client_details = True  # the clock stands still: updated_at alone would not tell


def _change_hours_in_place(katrin):
    rule = db.session.scalar(select(WeeklyHours).where(WeeklyHours.location_id == "wismar"))
    rule.end_time = time(15)


def _change_venue_renamed(katrin):
    db.session.get_one(Location, "wismar").name = "Jobcenter Wismar"


def _change_counsellor_renamed(katrin):
    katrin.display_name = "Katrin Beispiel-Muster"


CHANGES = {"booking": _change_booking, "move": _change_move, "cancellation": _change_cancel,
           "outcome": _change_outcome, "absence": _change_absence,
           "absence deleted": _change_absence_deleted, "settings": _change_settings,
           "hours edited": _change_hours_in_place, "venue renamed": _change_venue_renamed,
           "counsellor renamed": _change_counsellor_renamed}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_of_the_body_changes_the_etag(feed_of, client, katrin, wismar_fridays,
                                                   change):
    book_for(katrin)
    create_appointment(katrin, db.session.get_one(Location, "schwerin"),
                       db.session.get_one(Service, "first-consultation"),
                       start_at=datetime(2027, 1, 20, 9, tzinfo=UTC), updated_at=NOW)
    db.session.add(Absence(counsellor_id=katrin.id, start_at=datetime(2027, 3, 1, tzinfo=UTC),
                           end_at=datetime(2027, 3, 2, tzinfo=UTC)))
    db.session.commit()
    path = feed_of("counsellor")
    before = client.get(path)
    CHANGES[change](katrin)
    db.session.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, change
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data
    assert client.get(path, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_last_modified_moves_on_with_a_deletion(feed_of, client, katrin, demo, sign_in):
    """Deleting an absence leaves no newer timestamp in the absences table: the audit entry
    of the deletion moves Last-Modified on, so If-Modified-Since does not answer 304."""
    account = sign_in(COUNSELLOR_VSP)
    assert account.post("/staff/absences", data={
        "starts_on": "2027-02-22", "ends_on": "2027-02-22", "start_time": "", "end_time": "",
        "reason": "vacation"}).status_code \
        in (302, 303)
    path = feed_of("counsellor")
    before = client.get(path)
    absence = db.session.scalar(select(Absence))
    demo.config["CLOCK"] = lambda: NOW + timedelta(minutes=5)
    assert account.post(f"/staff/absences/{absence.id}/delete").status_code in (302, 303)
    after = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert after.headers["Last-Modified"] == http_date(NOW + timedelta(minutes=5))


# -- outreach -------------------------------------------------------------------------------

def test_outreach_feed_lists_mobile_days_without_names(client, katrin, wismar_fridays):
    book_for(katrin)
    jonas = counsellor(COUNSELLOR_MIGRA)
    bergen = db.session.scalar(select(Location).where(Location.kind == "mobile",
                                                      Location.organisation_id == "migra"))
    create_weekly_hours(jonas, bergen, weekday=4, start=time(9), end=time(12))
    # Katrin is away on one Friday; a Good Friday (26 March 2027) is a holiday.
    db.session.add(Absence(counsellor_id=katrin.id, start_at=datetime(2027, 2, 11, 23,
                                                                      tzinfo=UTC),
                           end_at=datetime(2027, 2, 12, 23, tzinfo=UTC)))
    db.session.commit()
    response = client.get("/feeds/outreach.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response.headers["Cache-Control"]
    text = unfolded(response.data)
    for name in ("Katrin", "Beispiel", "Jonas", "Exempel", CLIENT["name"], CLIENT["email"],
                 "example.org"):
        assert name not in text
    found = events(response.data)
    wismar = {e.decoded("DTSTART").date(): e for e in found if "Wismar" in str(e["SUMMARY"])}
    assert date(2027, 2, 5) in wismar and date(2027, 2, 12) not in wismar
    assert date(2027, 3, 26) not in wismar and date(2027, 3, 19) in wismar
    assert min(wismar) >= date(2027, 2, 1)  # upcoming days only
    event = wismar[date(2027, 2, 5)]
    assert str(event["SUMMARY"]) == german("Mobile advice day in %(town)s", town="Wismar")
    assert "Wismar" in str(event["LOCATION"])
    assert utc_text(event.decoded("DTSTART")) == "2027-02-05T09:00:00Z"  # 10:00 in Berlin
    expected_uid = hashlib.sha256(b"outreach:wismar:2027-02-05").hexdigest()[:24]
    assert str(event["UID"]) == f"{expected_uid}@iq-mv-booking"
    assert any(bergen.town in str(e["SUMMARY"]) for e in found)
    etag = response.headers["ETag"]
    assert client.get("/feeds/outreach.ics", headers={"If-None-Match": etag}).status_code == 304
    db.session.delete(wismar_fridays)
    db.session.commit()
    changed = client.get("/feeds/outreach.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Wismar" not in unfolded(changed.data)


# -- an independent parser ------------------------------------------------------------------

def test_ical_js_reads_every_feed_as_icalendar_does(feed_of, client, katrin, wismar_fridays,
                                                    tmp_path):
    node()
    book_for(katrin, name="Ärzte – Ünal; Test, \"quoted\"")
    book_for(counsellor(COUNSELLOR_VSP_OTHER), day=date(2027, 2, 4), name="ليلى مثال")
    db.session.add(Absence(counsellor_id=katrin.id, start_at=datetime(2027, 2, 15, tzinfo=UTC),
                           end_at=datetime(2027, 2, 17, tzinfo=UTC)))
    db.session.commit()
    counsellor_path, organisation_path = feed_of("counsellor"), feed_of("organisation")
    for feed in db.session.scalars(select(CalendarFeed)):
        feed.shows_client_details = True
    db.session.commit()
    bodies = {"counsellor": client.get(counsellor_path).data,
              "organisation": client.get(organisation_path).data,
              "outreach": client.get("/feeds/outreach.ics").data}
    paths = []
    for name, body in bodies.items():
        assert b"\n" not in body.replace(b"\r\n", b""), f"{name}: bare LF"
        paths.append(tmp_path / f"{name}.ics")
        paths[-1].write_bytes(body)
    result = subprocess.run([node(), str(PARSER), *map(str, paths)], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    parsed = {json.loads(line)["file"]: json.loads(line) for line in result.stdout.splitlines()}
    for name, body in bodies.items():
        theirs = parsed[str(tmp_path / f"{name}.ics")]
        assert theirs["method"] is None
        ours = [{"uid": str(e["UID"]), "dtstart": utc_text(e.decoded("DTSTART")),
                 "dtend": utc_text(e.decoded("DTEND")), "summary": str(e["SUMMARY"]),
                 "description": str(e["DESCRIPTION"]) if "DESCRIPTION" in e else None}
                for e in events(body)]
        assert len(ours) > 1, name
        assert [{k: e[k] for k in ours[0]} for e in theirs["events"]] == ours, name
    assert "ليلى مثال" in unfolded(bodies["organisation"])
