"""Cancelling a tour: its booked appointments are cancelled (calendar CANCEL to the client),
and every client with an e-mail address is told in their language and offered other times."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage
from booking.tours.models import Tour
from booking.tours.services import publish_tour
from tests.conftest import STAFF_VSP
from tests.features.booking_helpers import book, free_slots
from tests.features.tour_helpers import TOUR_DAY, draft_tour


def _published_tour_with_bookings():
    """A published tour with a booking from an e-mail client (Ukrainian pages) at the first
    stop and one from a caller without e-mail at the second."""
    tour = draft_tour()
    assert publish_tour(tour) == []
    db.session.commit()
    first, second = tour.stops
    online = book(free_slots(first.location_id, "first-consultation", "de", TOUR_DAY)[0],
                  service_id="first-consultation", locale="uk", name="Olena Test",
                  email="olena@example.org")
    caller = book(free_slots(second.location_id, "first-consultation", "de", TOUR_DAY)[0],
                  service_id="first-consultation", email=None, phone="0385 123456",
                  source="desk")
    return tour, online.appointment, caller.appointment


def _messages(appointment: Appointment) -> dict[str, list[OutboxMessage]]:
    found: dict[str, list[OutboxMessage]] = {}
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment.id).order_by(OutboxMessage.id)):
        found.setdefault(message.topic, []).append(message)
    return found


def test_cancelling_a_published_tour_tells_the_clients(sign_in, app, smtp_server):
    tour, online, caller = _published_tour_with_bookings()
    original_start = online.start_at
    client = sign_in(STAFF_VSP)
    page = client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    assert "Olena Test" in page  # own organisation's staff see who booked

    response = client.post(f"/staff/tours/{tour.id}/cancel",
                           data={"reason": "Dienstwagen in der Werkstatt"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "The tour is cancelled." in text
    assert "2 appointments were cancelled; the clients were told" in text
    db.session.expire_all()
    tour = db.session.get(Tour, tour.id)
    assert tour.status == "cancelled"
    assert tour.cancelled_at == datetime(2027, 2, 1, 6, 0, tzinfo=UTC)
    assert {online.status, caller.status} == {"cancelled"}

    messages = _messages(online)
    cancels = [m.payload["recipient"] for m in messages["appointment.cancelled"]]
    assert sorted(cancels) == ["client", "counsellor"]
    assert all(m.payload["method"] == "CANCEL" for m in messages["appointment.cancelled"])
    [told] = messages["tour.cancelled"]
    alternatives = told.payload["alternatives"]
    assert 1 <= len(alternatives) <= 3
    for item in alternatives:
        assert datetime.fromisoformat(item["start"]) > datetime(2027, 2, 1, 6, tzinfo=UTC)
        assert item["start"] != original_start.isoformat() or item["location"] != "wismar"
    # The caller has no e-mail address: the counsellor's CANCEL only, no letter.
    assert "tour.cancelled" not in _messages(caller)
    assert [m.payload["recipient"] for m in _messages(caller)["appointment.cancelled"]] == \
        ["counsellor"]

    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "tour",
                                                       AuditEntry.action == "cancel"))
    assert audit.details == {"reason": "Dienstwagen in der Werkstatt", "appointments": 2}

    deliver_due_messages()
    mails = [m for m in smtp_server.messages()
             if m["To"].addresses[0].addr_spec == "olena@example.org"]
    # The letter is the mail without a calendar part, in the client's language (Ukrainian).
    [letter] = [m for m in mails if not any(part.get_content_type() == "text/calendar"
                                             for part in m.walk())]
    body = letter.get_body(("plain",)).get_content()
    html = letter.get_body(("html",)).get_content()
    with force_locale("uk"):
        sorry = _("we are sorry: the mobile advice day on which you had an appointment has "
                  "been cancelled. Your appointment is cancelled as well.")
        subject = _("The advice day on %(date)s has been cancelled", date="")
    assert sorry != "we are sorry: the mobile advice day on which you had an appointment " \
        "has been cancelled. Your appointment is cancelled as well."  # really translated
    assert sorry in body
    assert subject.split(" ")[0] in letter["Subject"]
    assert body.count("/book/details?service=first-consultation&language=de") == \
        len(alternatives)
    assert "/book/place?service=first-consultation&language=de" in body
    assert 'lang="uk"' in html
    methods = [part.get_param("method") for mail in mails for part in mail.walk()
               if part.get_content_type() == "text/calendar"]
    assert "CANCEL" in methods  # the calendar cancellation came as well


def test_cancelling_twice_is_refused_politely(sign_in):
    tour, _online, _caller = _published_tour_with_bookings()
    client = sign_in(STAFF_VSP)
    client.post(f"/staff/tours/{tour.id}/cancel", data={"reason": ""})
    again = client.post(f"/staff/tours/{tour.id}/cancel", data={"reason": ""},
                        follow_redirects=True)
    assert "The tour is cancelled already." in again.get_data(as_text=True)


def test_a_too_long_reason_is_a_form_error(sign_in):
    tour, online, _caller = _published_tour_with_bookings()
    response = sign_in(STAFF_VSP).post(f"/staff/tours/{tour.id}/cancel",
                                       data={"reason": "x" * 501}, follow_redirects=True)
    assert "Please use at most 500 characters." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).status == "published"
    assert online.status == "confirmed"


def test_cancelling_a_draft_tells_nobody(sign_in):
    tour = draft_tour()
    sign_in(STAFF_VSP).post(f"/staff/tours/{tour.id}/cancel", data={"reason": "doch nicht"})
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).status == "cancelled"
    assert not db.session.scalars(select(OutboxMessage)).all()


def test_after_cancelling_the_office_hours_are_back(sign_in, client):
    tour, _online, _caller = _published_tour_with_bookings()
    url = ("/api/v1/slots?service=first-consultation&location=schwerin&start=2027-02-09"
           "&end=2027-02-10")
    assert tour.counsellor_id not in {s["counsellor"] for s in client.get(url).get_json()["slots"]}
    sign_in(STAFF_VSP).post(f"/staff/tours/{tour.id}/cancel", data={"reason": ""})
    assert tour.counsellor_id in {s["counsellor"] for s in client.get(url).get_json()["slots"]}
