"""Registering interest in a mobile advice day: the offer in the booking flow, the form in
several languages (right to left too), validation, the confirmation mail and withdrawing."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from booking import clock
from booking.appointments.services import CONSENT_VERSION
from booking.availability.services import find_free_slots, local_today
from booking.catalogue.models import Service
from booking.demand.models import InterestRegistration
from booking.extensions import db
from booking.network.models import Location
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage

SERVICE = "first-consultation"


def venue_without_days(language: str = "ar") -> Location:
    """A mobile venue of the demo network with no free time in the whole booking horizon."""
    service = db.session.get(Service, SERVICE)
    today = local_today()
    for venue in db.session.scalars(select(Location).where(
            Location.kind == "mobile", Location.is_active).order_by(Location.id)):
        search = find_free_slots(service=service, locations=[venue], language=language,
                                 first_day=today, end_day=today + timedelta(days=100),
                                 now=clock.now())
        if not search.slots:
            return venue
    pytest.fail("every mobile venue has advice days")


def day_page(client, location_id: str, language: str = "ar") -> str:
    response = client.get("/book/day", query_string={
        "service": SERVICE, "language": language, "location": location_id,
        "channel": "in_person"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def interest_link(page: str) -> str | None:
    found = re.search(r'href="(/book/interest[^"]*)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def form_data(**changes) -> dict:
    data = {"town": "wismar", "service": SERVICE, "language": "ar", "name": "Amal Beispiel",
            "email": "amal@example.org", "phone": "", "consent": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def registrations() -> list[InterestRegistration]:
    db.session.expire_all()
    return list(db.session.scalars(select(InterestRegistration)))


@pytest.mark.parametrize(("ui", "direction"), [("en", "ltr"), ("uk", "ltr"), ("ar", "rtl")])
def test_register_interest_from_the_day_page(client, demo, ui, direction):
    client.set_cookie("lang", ui)
    venue = venue_without_days()
    link = interest_link(day_page(client, venue.id))
    assert link is not None, "no interest offer on an empty day page"
    query = parse_qs(urlsplit(link).query)
    assert query == {"service": [SERVICE], "language": ["ar"], "location": [venue.id]}

    form = client.get(link)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert f'<html lang="{ui}" dir="{direction}">' in page
    assert f'<option value="{venue.town_id}" selected>' in page  # the venue's town
    assert f'<option selected value="{SERVICE}">' in page
    assert '<option selected value="ar">' in page
    assert "<optgroup" in page  # towns grouped by district

    response = client.post("/book/interest", data=form_data(town=venue.town_id))
    assert response.status_code == 303
    assert re.match(r"^/interest/[\w-]+\?registered=1$", response.headers["Location"])
    [registration] = registrations()
    assert (registration.town_id, registration.organisation_id) == (venue.town_id,
                                                                      venue.organisation_id)
    assert (registration.locale, registration.language_code, registration.status) == (
        ui, "ar", "waiting")
    assert registration.consent_version == CONSENT_VERSION
    assert registration.consent_at == clock.now()
    token = response.headers["Location"].split("/")[2].split("?")[0]
    assert token not in (registration.manage_token_hash or "")
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    assert f"/interest/{token}/withdraw" in done.get_data(as_text=True)


def test_no_offer_where_days_are_free(client, demo):
    page = day_page(client, "schwerin", language="de")
    assert interest_link(page) is None


def test_place_page_links_to_the_form(client, demo):
    response = client.get("/book/place", query_string={"service": SERVICE, "language": "uk"})
    link = interest_link(response.get_data(as_text=True))
    assert link is not None
    assert parse_qs(urlsplit(link).query) == {"service": [SERVICE], "language": ["uk"]}


def test_validation_errors_in_the_users_language(client, demo):
    client.set_cookie("lang", "uk")
    response = client.post("/book/interest", data=form_data(name="", email="not-an-address"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    with force_locale("uk"):
        for message in ("Please enter your name.",
                        "Please enter an e-mail address like name@example.org."):
            assert _(message) != message  # the catalogue has it
            assert _(message) in page
    assert 'aria-invalid="true"' in page
    assert registrations() == []


def test_consent_is_required(client, demo):
    response = client.post("/book/interest", data=form_data(consent=None))
    assert response.status_code == 400
    assert 'id="error-consent"' in response.get_data(as_text=True)
    assert registrations() == []


@pytest.mark.parametrize("changes", [
    {"town": "atlantis"}, {"town": ""}, {"service": "astrology"}, {"language": "xx"},
    {"email": ""}, {"phone": "call me"}, {"name": "x" * 500},
])
def test_bad_input_is_a_form_error(client, demo, changes):
    response = client.post("/book/interest", data=form_data(**changes))
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    assert registrations() == []


def test_a_filled_honeypot_stores_nothing(client, demo):
    response = client.post("/book/interest", data=form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert registrations() == []


def test_confirmation_mail_and_withdrawing(client, demo, smtp_server):
    client.set_cookie("lang", "en")
    response = client.post("/book/interest", data=form_data())
    location = response.headers["Location"]
    token = location.split("/")[2].split("?")[0]
    assert deliver_due_messages()["sent"] == 1
    [received] = smtp_server.received
    message = received.message
    assert received.recipients == ["amal@example.org"]
    assert "Wismar" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    withdraw_url = f"http://127.0.0.1:5000/interest/{token}/withdraw"
    assert withdraw_url in text

    path = urlsplit(withdraw_url).path
    shown = client.get(path)
    assert shown.status_code == 200
    assert 'method="post"' in shown.get_data(as_text=True)
    assert registrations()[0].status == "waiting"  # a GET (a mail scanner) changes nothing
    for _attempt in range(2):  # withdrawing twice is harmless
        done = client.post(path)
        assert done.status_code == 303
        assert done.headers["Location"] == f"/interest/{token}"
    [registration] = registrations()
    assert registration.status == "withdrawn"
    assert registration.withdrawn_at == clock.now()
    assert client.get(f"/interest/{token}").status_code == 200


@pytest.mark.parametrize("token", ["unknown", "x" * 100])
def test_unknown_token_answers_404(client, demo, token):
    assert client.get(f"/interest/{token}").status_code == 404
    assert client.get(f"/interest/{token}/withdraw").status_code == 404
    assert client.post(f"/interest/{token}/withdraw").status_code == 404


def test_registration_goes_to_the_towns_provider(client, demo):
    client.post("/book/interest", data=form_data(town="stralsund"))
    [registration] = registrations()
    assert registration.organisation_id == "migra"
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.topic == "demand.registered"))
    assert messages == 1
