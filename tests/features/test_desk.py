"""The office desk: booking for callers and walk-ins (with and without e-mail), finding
appointments inside the own organisation, the printable confirmation in the client's language,
and moving an appointment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from booking.appointments import tokens
from booking.appointments.models import Appointment
from booking.appointments.services import CONSENT_VERSION
from booking.audit.models import AuditEntry
from booking.auth.models import User
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.outbox.models import OutboxMessage
from tests.conftest import (
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    NOW,
    STAFF_MIGRA,
    STAFF_VSP,
)
from tests.factories import create_appointment
from tests.features.booking_helpers import book, free_slots

WEDNESDAY = date(2027, 2, 3)
FLOW = {"service": "first-consultation", "location": "schwerin", "channel": "in_person",
        "language": "de"}


def desk_url(step: str, **params) -> str:
    return "/staff/desk/book?" + urlencode({"step": step, **FLOW, **params})


def client_details(**changes) -> dict:
    values = {"name": "Olena Beispielowa", "email": "", "phone": "", "client_locale": "uk",
              "consent": "y"}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def first_slot(day: date = WEDNESDAY, **flow):
    flow = {**FLOW, **flow}
    return free_slots(flow["location"], flow["service"], flow["language"], day)[0]


def by_reference(reference: str) -> Appointment:
    db.session.expire_all()
    return db.session.scalar(select(Appointment).where(Appointment.reference == reference))


def outbox_for(appointment: Appointment) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment.id).order_by(OutboxMessage.id)))


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def desk_book(client, slot, **details):
    return client.post(desk_url("details", start=slot.start.isoformat()),
                       data=client_details(**details))


def booked_reference(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert location.startswith("/staff/desk/appointments/") and location.endswith("/booked")
    return location.split("/")[-2]


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def appointment_of(email: str, location_id: str, **fields) -> Appointment:
    appointment = create_appointment(
        counsellor(email), db.session.get_one(Location, location_id),
        db.session.get_one(Service, fields.pop("service_id", "first-consultation")),
        start_at=fields.pop("start_at", datetime(2027, 2, 3, 9, tzinfo=UTC)), **fields)
    db.session.commit()
    return appointment


# -- booking --------------------------------------------------------------------------------

def test_every_step_of_the_desk_flow_answers(sign_in):
    client = sign_in(STAFF_VSP)
    slot = first_slot()
    for step, params in (("service", {}), ("place", {}), ("language", {}), ("day", {}),
                         ("time", {"day": WEDNESDAY.isoformat()}),
                         ("details", {"start": slot.start.isoformat()})):
        response = client.get(desk_url(step, **params))
        assert response.status_code == 200, (step, response.status_code)
    place_page = client.get(desk_url("place")).get_data(as_text=True)
    assert 'value="schwerin"' in place_page and 'value="rostock"' not in place_page


def test_booking_without_email_notifies_only_the_counsellor(sign_in):
    client = sign_in(STAFF_VSP)
    slot = first_slot()
    response = desk_book(client, slot, phone="+49 385 1234567")
    appointment = by_reference(booked_reference(response))

    assert appointment.source == "desk"
    assert appointment.booked_by_user_id == user_id(STAFF_VSP)
    assert appointment.client_email is None and appointment.client_phone == "+49 385 1234567"
    assert appointment.locale == "uk" and appointment.language_code == "de"
    assert appointment.consent_version == CONSENT_VERSION and appointment.consent_at == NOW
    recipients = [m.payload["recipient"] for m in outbox_for(appointment)]
    assert recipients == ["counsellor"]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert appointment.reference in page
    assert f"/staff/desk/appointments/{appointment.reference}/print" in page


def test_booking_with_email_queues_the_client_invitation(sign_in):
    client = sign_in(STAFF_VSP)
    response = desk_book(client, first_slot(), email="olena@example.org")
    appointment = by_reference(booked_reference(response))
    messages = {m.payload["recipient"]: m for m in outbox_for(appointment)}
    assert set(messages) == {"client", "counsellor"}
    assert messages["client"].topic == "appointment.booked"
    assert messages["client"].payload["method"] == "REQUEST"


def test_missing_consent_is_refused_with_a_message(sign_in):
    client = sign_in(STAFF_VSP)
    response = desk_book(client, first_slot(), consent=None, name="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please confirm that the client has been told about the privacy notice" in page
    assert 'id="error-name"' in page
    assert db.session.scalar(select(Appointment.id)) is None


def test_an_invalid_email_or_language_is_refused(sign_in):
    client = sign_in(STAFF_VSP)
    assert desk_book(client, first_slot(), email="not-an-address").status_code == 422
    assert desk_book(client, first_slot(), client_locale="xx").status_code == 422
    assert db.session.scalar(select(Appointment.id)) is None


def test_a_walk_in_can_be_booked_for_later_today(sign_in, client):
    today = NOW.date()  # Monday; Schwerin opens at 09:00, two hours from now
    public_slots = free_slots("schwerin", "first-consultation", "de", today)
    assert public_slots == []  # clients must give 12 hours' notice

    staff = sign_in(STAFF_VSP)
    time_page = staff.get(desk_url("time", day=today.isoformat())).get_data(as_text=True)
    start = datetime(2027, 2, 1, 8, tzinfo=UTC)  # 09:00 in Berlin
    assert start.isoformat() in time_page

    api = client.post("/api/v1/bookings", json={
        "service": "first-consultation", "location": "schwerin", "start": start.isoformat(),
        "language": "de", "name": "Walk In", "email": "walk-in@example.org", "consent": True})
    assert api.status_code in (409, 422), api.get_json()

    response = staff.post(desk_url("details", start=start.isoformat()),
                          data=client_details(name="Walk In"))
    appointment = by_reference(booked_reference(response))
    assert appointment.start_at == start


def test_a_time_taken_meanwhile_offers_alternatives(sign_in):
    client = sign_in(STAFF_VSP)
    slot = first_slot(language="ar")  # Schwerin: one Arabic-speaking counsellor
    booked_reference(desk_book(client, slot, language="ar"))
    response = client.post(desk_url("details", start=slot.start.isoformat(), language="ar"),
                           data=client_details())
    assert response.status_code == 409
    assert "step=details" in response.get_data(as_text=True)


def test_another_organisations_place_is_not_offered(sign_in):
    client = sign_in(STAFF_VSP)
    assert client.get(desk_url("day", location="rostock")).status_code == 404
    assert client.get(desk_url("details", location="rostock",
                               start=first_slot(location="rostock").start.isoformat())
                      ).status_code == 404


def test_a_step_without_its_answers_goes_back(sign_in):
    client = sign_in(STAFF_VSP)
    response = client.get("/staff/desk/book?step=day&service=first-consultation")
    assert response.status_code == 422
    assert 'name="location"' in response.get_data(as_text=True)


# -- search ---------------------------------------------------------------------------------

def search(client, query: str) -> str:
    """What the search lists (after its form, which repeats the query). It is posted, so
    names never appear in URLs or access logs."""
    response = client.post("/staff/desk/", data={"q": query})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True).split('role="search"')[1].split("</form>", 1)[1]


@pytest.fixture
def same_name_in_two_organisations(demo):
    ours = appointment_of(COUNSELLOR_VSP, "schwerin", client_name="Amina Gleichname",
                          client_email="amina@example.org")
    theirs = appointment_of(COUNSELLOR_MIGRA, "rostock", client_name="Amina Gleichname",
                            client_email="amina@example.org")
    return ours.reference, theirs.reference


def test_search_finds_only_the_own_organisations_appointments(sign_in,
                                                             same_name_in_two_organisations):
    ours, theirs = same_name_in_two_organisations
    client = sign_in(STAFF_VSP)
    for query in ("gleichname", "AMINA@EXAMPLE", ours.lower()):
        page = search(client, query)
        assert ours in page and theirs not in page, query
    assert theirs not in search(client, theirs)

    migra = search(sign_in(STAFF_MIGRA), "Gleichname")
    assert theirs in migra and ours not in migra


def test_a_search_is_audited_without_the_search_text(sign_in, same_name_in_two_organisations):
    search(sign_in(STAFF_VSP), "Gleichname")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "search"))
    assert entry.object_type == "appointment" and entry.object_id == "-"
    assert entry.details == {"results": 1}
    assert entry.user_id == user_id(STAFF_VSP) and entry.organisation_id == "vsp"


def test_a_search_needs_two_characters_and_literal_wildcards(sign_in,
                                                            same_name_in_two_organisations):
    client = sign_in(STAFF_VSP)
    response = client.post("/staff/desk/", data={"q": "a"})
    assert response.status_code == 422
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "search")) is None
    page = search(client, "%%")
    assert same_name_in_two_organisations[0] not in page


def test_todays_appointments_are_listed(sign_in):
    today = appointment_of(COUNSELLOR_VSP, "schwerin", client_name="Heute Kommt",
                           start_at=datetime(2027, 2, 1, 12, tzinfo=UTC))
    tomorrow = appointment_of(COUNSELLOR_VSP, "schwerin", client_name="Morgen Kommt",
                              start_at=datetime(2027, 2, 2, 12, tzinfo=UTC))
    page = sign_in(STAFF_VSP).get("/staff/desk/").get_data(as_text=True)
    assert today.reference in page and tomorrow.reference not in page


# -- printable confirmation -----------------------------------------------------------------

def test_the_confirmation_prints_in_arabic_right_to_left(sign_in):
    appointment = appointment_of(COUNSELLOR_VSP_OTHER, "schwerin", locale="ar",
                                 language_code="ar", client_name="سمير المثال")
    client = sign_in(STAFF_VSP)
    client.set_cookie("lang", "de")  # the staff member reads German
    response = client.get(f"/staff/desk/appointments/{appointment.reference}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert db.session.get(Service, "first-consultation").text("ar").name in page
    manage_url = tokens.manage_url(tokens.manage_token(appointment.ical_uid))
    assert manage_url in page and 'class="qr-code"' in page
    assert 'lang="de" dir="ltr"' in page  # the staff's own bar stays German
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "print"))
    assert entry.object_id == str(appointment.id)


def test_the_confirmation_prints_in_ukrainian(sign_in):
    appointment = appointment_of(COUNSELLOR_VSP, "schwerin", locale="uk",
                                 client_name="Olena Beispielowa")
    page = sign_in(COUNSELLOR_VSP).get(
        f"/staff/desk/appointments/{appointment.reference}/print").get_data(as_text=True)
    assert '<html lang="uk" dir="ltr">' in page
    assert db.session.get(Service, "first-consultation").text("uk").name in page
    with force_locale("uk"):
        assert gettext("Keep this link") in page
        assert gettext("Please note your reference:") in page
    assert "Mecklenburgstraße 9" in page


# -- moving ---------------------------------------------------------------------------------

def test_moving_queues_a_new_request_with_a_higher_sequence(sign_in):
    booked = book(first_slot(service="follow-up"), service_id="follow-up")
    reference = booked.appointment.reference
    client = sign_in(STAFF_VSP)
    url = f"/staff/desk/appointments/{reference}/move"
    assert client.get(url).status_code == 200
    day = date(2027, 2, 4)
    page = client.get(f"{url}?day={day.isoformat()}").get_data(as_text=True)
    new_start = free_slots("schwerin", "follow-up", "de", day)[2].start
    assert new_start.isoformat() in page

    response = client.post(url, data={"start": new_start.isoformat()})
    assert response.status_code == 303
    appointment = by_reference(reference)
    assert appointment.start_at == new_start and appointment.ical_sequence == 1
    moved = [m for m in outbox_for(appointment) if m.topic == "appointment.moved"]
    assert {m.payload["recipient"] for m in moved} == {"client", "counsellor"}
    assert all(m.payload["method"] == "REQUEST" and m.payload["sequence"] == 1 for m in moved)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "move"))
    assert audit.user_id == user_id(STAFF_VSP)


def test_a_taken_time_offers_alternatives_when_moving(sign_in):
    first = book(first_slot(language="ar"), language="ar")
    second_slot = free_slots("schwerin", "first-consultation", "ar", WEDNESDAY)[-1]
    second = book(second_slot, language="ar")
    response = sign_in(STAFF_VSP).post(
        f"/staff/desk/appointments/{first.appointment.reference}/move",
        data={"start": second.appointment.start_at.isoformat()})
    assert response.status_code == 409
    assert by_reference(first.appointment.reference).ical_sequence == 0


@pytest.mark.parametrize("fields", [
    {"status": "cancelled", "cancelled_at": NOW},
    {"start_at": NOW - timedelta(days=1)},
])
def test_past_or_cancelled_appointments_are_not_moved(sign_in, fields):
    appointment = appointment_of(COUNSELLOR_VSP, "schwerin", **fields)
    client = sign_in(STAFF_VSP)
    url = f"/staff/desk/appointments/{appointment.reference}/move"
    response = client.get(url)
    assert response.status_code == 409
    assert "cannot be moved" in response.get_data(as_text=True)
    assert client.post(url, data={"start": "2027-02-04T09:00:00+00:00"}).status_code == 409
    assert by_reference(appointment.reference).ical_sequence == 0


def test_out_of_scope_references_answer_404(sign_in):
    theirs = appointment_of(COUNSELLOR_MIGRA, "rostock")
    colleague = appointment_of(COUNSELLOR_VSP_OTHER, "schwerin")
    staff, katrin = sign_in(STAFF_VSP), sign_in(COUNSELLOR_VSP)
    for client, appointment in ((staff, theirs), (katrin, theirs), (katrin, colleague)):
        for action in ("print", "move"):
            url = f"/staff/desk/appointments/{appointment.reference}/{action}"
            assert client.get(url).status_code == 404, url
    assert staff.get(f"/staff/desk/appointments/{theirs.reference}/booked").status_code == 404
    assert staff.get("/staff/desk/appointments/NOPE-NOPE/print").status_code == 404
