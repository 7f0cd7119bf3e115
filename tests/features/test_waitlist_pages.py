"""Joining the waiting list from the booking pages, its confirmation and status page, and the
office staff's overview (each organisation sees its own people only)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from booking import clock, create_app
from booking.appointments import services as booking_services
from booking.extensions import db, limiter
from booking.outbox.models import OutboxMessage
from booking.waitlist.models import WaitlistEntry
from booking.waitlist.notifications import render_waitlist_message
from tests.conftest import (
    ADMIN,
    COUNSELLOR_VSP,
    STAFF_MIGRA,
    STAFF_VSP,
    IsolatedClient,
    make_config,
)
from tests.features.booking_helpers import book, free_slots
from tests.features.test_waitlist import OLHA, SERVICE, WEDNESDAY, book_first, mail_text, wait

FLOW = f"service={SERVICE}&language=uk&location=schwerin&channel=in_person"
JOIN_LINK = re.compile(r'href="(/book/waitlist\?[^"]+)"')


def join_link(html: str) -> str:
    found = JOIN_LINK.search(html)
    assert found, "no waiting-list link on the page"
    return unescape(found.group(1))


def test_joining_from_the_time_page(demo, client):
    headers = {"Accept-Language": "uk"}
    time_page = client.get(f"/book/time?{FLOW}&day=2027-02-03", headers=headers)
    url = join_link(time_page.get_data(as_text=True))
    form = client.get(url, headers=headers)
    assert form.status_code == 200
    assert 'name="consent"' in form.get_data(as_text=True)

    refused = client.post(url, headers=headers, data={"name": "Olena", "email": "olena@"})
    assert refused.status_code == 400
    assert db.session.scalar(select(WaitlistEntry)) is None

    joined = client.post(url, headers=headers, data={
        "name": "Olena Beispiel", "email": "Olena@Example.org", "phone": "+49 385 1234567",
        "consent": "y"})
    assert joined.status_code == 303
    path = urlsplit(joined.headers["Location"]).path
    entry = db.session.scalar(select(WaitlistEntry))
    earliest = free_slots("schwerin", SERVICE, "uk", WEDNESDAY)[0].start
    assert (entry.location_id, entry.service_id, entry.language_code, entry.locale) == (
        "schwerin", SERVICE, "uk", "uk")
    assert entry.wanted_before == earliest  # the first time on offer (nothing before Wed)
    assert entry.client_email == "olena@example.org" and entry.status == "waiting"
    assert entry.consent_version == booking_services.CONSENT_VERSION
    assert entry.appointment_id is None

    # The confirmation, in Ukrainian, links to the status page where one can leave.
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.topic == "waitlist.joined"))
    mail = render_waitlist_message(message)
    text, html = mail_text(mail)
    assert 'lang="uk"' in html and path in text and "лютого" in text
    status = client.get(path)
    assert status.status_code == 200
    assert f"{path}/withdraw" in status.get_data(as_text=True)

    # Joining again with the same address does not make a twin, nor reveal the link.
    again = client.post(url, headers=headers, data={
        "name": "Olena Beispiel", "email": "olena@example.org", "consent": "y"})
    assert again.status_code == 200 and path not in again.get_data(as_text=True)

    assert client.post(f"{path}/withdraw").status_code == 303
    db.session.expire_all()
    assert db.session.get(WaitlistEntry, entry.id).status == "withdrawn"
    assert client.get("/waitlist/unknown-token").status_code == 404


def test_join_needs_consent_and_refuses_bots(demo, client):
    url = f"/book/waitlist?{FLOW}"
    no_consent = client.post(url, data={"name": "Olena", "email": "olena@example.org"})
    assert no_consent.status_code == 400 and 'id="error-consent"' in no_consent.get_data(
        as_text=True)
    bot = client.post(url, data={"name": "Olena", "email": "olena@example.org",
                                 "consent": "y", "website": "http://spam.example"})
    assert bot.status_code == 400
    assert db.session.scalar(select(WaitlistEntry)) is None
    # Without the flow's answers the form sends the client back to them.
    assert client.get("/book/waitlist?service=nope").status_code == 302


def test_a_slot_taken_page_offers_the_waiting_list(demo, client):
    slot = free_slots("schwerin", SERVICE, "uk", WEDNESDAY)[0]
    book(slot, service_id=SERVICE, language="uk")
    details = f"/book/details?{FLOW}&start={slot.start.isoformat().replace('+', '%2B')}"
    response = client.post(details, data={"name": "Zweite Person",
                                          "email": "zweite@example.org", "consent": "y"})
    assert response.status_code == 409
    assert "/book/waitlist?" in join_link(response.get_data(as_text=True))


def test_staff_see_their_own_organisations_waiting_list_only(demo, sign_in):
    olha = book_first("uk", WEDNESDAY, OLHA)
    wait("uk", "uk", name="Olena Schwerin")
    wait("de", "de", location="rostock", name="Rostocker Wartender")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()

    vsp = sign_in(STAFF_VSP).get("/staff/waitlist/")
    assert vsp.status_code == 200
    html = vsp.get_data(as_text=True)
    assert "Olena Schwerin" in html and "Rostocker Wartender" not in html
    assert "Olha Prykladna" in html  # the held time, with its counsellor
    assert 'href="/staff/waitlist/"' in html  # in the navigation

    html = sign_in(STAFF_MIGRA).get("/staff/waitlist/").get_data(as_text=True)
    assert "Rostocker Wartender" in html and "Olena Schwerin" not in html
    assert "Olha Prykladna" not in html

    admin = sign_in(ADMIN).get("/staff/waitlist/")
    html = admin.get_data(as_text=True)
    assert admin.status_code == 200
    assert "Olena Schwerin" not in html and "Rostocker Wartender" not in html
    assert "Schwerin" in html and "Rostock" in html  # counts per office

    assert sign_in(COUNSELLOR_VSP).get("/staff/waitlist/").status_code == 403


def test_the_wish_is_the_end_of_the_horizon_when_nothing_is_on_offer(app, demo):
    from booking.availability.services import bookable_range
    from booking.catalogue.models import Service
    from booking.network.models import Location
    from booking.waitlist.services import wished_before

    service, location = db.session.get(Service, SERVICE), db.session.get(Location, "schwerin")
    now = clock.now()
    assert wished_before(service, location, "uk", now) < now + timedelta(days=7)
    app.config["BOOKING_HORIZON_DAYS"] = 1  # Monday and Tuesday: nothing in Ukrainian
    assert wished_before(service, location, "uk", now) == bookable_range(now)[1]


def test_joining_is_rate_limited_like_booking(database_url, demo, frozen_now):
    config = type("Limited", (make_config(database_url),), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_BOOKING_PER_EMAIL": "2 per day", "CLOCK": staticmethod(lambda: frozen_now)})
    limited = create_app(config)
    limited.test_client_class = IsolatedClient
    limiter.reset()
    client = limited.test_client()
    form = {"name": "Olena", "email": "olena@example.org", "consent": "y"}
    codes = [client.post(f"/book/waitlist?{FLOW}", data=form).status_code for _ in range(3)]
    limiter.reset()
    assert codes[:2] == [303, 200] and codes[2] == 429
