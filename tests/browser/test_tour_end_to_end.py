"""Issue 8 end to end in a real browser: office staff plan and publish a mobile advice tour,
the people who registered interest in its towns get the invitation e-mail (through the outbox
and a real SMTP server), and one of them books a time at the mobile stop in Ukrainian by
following the invitation's link."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from booking import clock
from booking.appointments.models import Appointment
from booking.counsellors.models import Counsellor
from booking.demand.models import InterestRegistration
from booking.demand.services import InterestRequest, register_interest
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.tours.models import Tour
from tests.conftest import COUNSELLOR_VSP, STAFF_VSP

TUESDAY = date(2027, 2, 9)
TABLET = {"width": 1024, "height": 768}


def register(town: str, email: str, locale: str, language: str) -> None:
    register_interest(InterestRequest(town_id=town, service_id="first-consultation",
                                      language=language, name="Interessent", email=email,
                                      consent=True, locale=locale), now=clock.now())


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_publish_a_tour_invite_the_waiting_and_book_at_the_stop_in_ukrainian(
        demo, new_context, live_server, check_axe, screenshot, smtp_server):
    register("wismar", "olena@example.org", "uk", "uk")
    register("grevesmuehlen", "amal@example.org", "ar", "ar")
    register("hagenow", "later@example.org", "de", "de")  # a town the tour does not visit
    db.session.commit()
    deliver_due_messages()  # the registration confirmations
    confirmations = len(smtp_server.received)
    katrin = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))

    # Office staff plan the day: Wismar and Grevesmühlen from Schwerin and back.
    staff = new_context(viewport=TABLET, locale="de-DE").new_page()
    staff.goto("/staff/login?next=/staff/tours/new")
    staff.locator("#email").fill(STAFF_VSP)
    staff.locator("#password").fill(DEMO_PASSWORD)
    staff.locator("main form button[type=submit]").click()
    expect(staff).to_have_url(re.compile(r"/staff/tours/new$"))
    staff.locator("select#counsellor").select_option(str(katrin.id))
    staff.locator("#day").fill(TUESDAY.isoformat())
    staff.locator("select#start_office").select_option("schwerin")
    staff.locator("select#end_office").select_option("schwerin")
    staff.locator("select#stops-0-venue").select_option("grevesmuehlen")
    staff.locator("#stops-0-minutes").fill("90")
    staff.locator("select#stops-1-venue").select_option("wismar")
    staff.locator("#stops-1-minutes").fill("120")
    staff.locator("button[name=action][value=preview]").click()
    itinerary = staff.locator(".tour-preview table")
    expect(itinerary).to_be_visible()
    expect(staff.locator(".tour-preview svg")).to_be_visible()
    check_axe(staff)
    screenshot(staff, "de", "tour-preview")
    staff.locator("#tour-form button[name=action][value=save]").last.click()
    expect(staff).to_have_url(re.compile(r"/staff/tours/\d+$"))
    staff.locator("main form[action$='/publish'] button").click()
    expect(staff.locator("main")).to_contain_text(re.compile(r"\b2\b"))
    check_axe(staff)
    screenshot(staff, "de", "tour-published")
    db.session.expire_all()
    tour = db.session.scalar(select(Tour))
    assert tour.status == "published" and tour.day == TUESDAY
    wismar = next(stop for stop in tour.stops if stop.location_id == "wismar")

    # The worker sends the invitations: the two waiting people of the tour's towns only.
    assert deliver_due_messages()["sent"] == 2
    invitations = {r.recipients[0]: r.message for r in smtp_server.received[confirmations:]}
    assert set(invitations) == {"olena@example.org", "amal@example.org"}
    assert invitations["olena@example.org"]["Content-Language"] in (None, "uk")
    olena = text_of(invitations["olena@example.org"])
    assert "Wismar" in olena and re.search(r"[А-Яа-яІіЇїЄє]{4}", olena)  # Ukrainian text
    assert re.search(r"[\u0600-\u06ff]{3}", text_of(invitations["amal@example.org"]))
    link = re.search(r"https?://\S+/book/time\?\S+", olena).group(0)
    assert "location=wismar" in link and f"day={TUESDAY.isoformat()}" in link
    assert all(r.status == "invited" for r in db.session.scalars(
        select(InterestRegistration).where(InterestRegistration.town_id != "hagenow")))

    # Olena follows the link on her phone and books a time at the stop, in Ukrainian.
    client = new_context(locale="uk-UA").new_page()
    parts = urlsplit(link)
    client.goto(f"{parts.path}?{parts.query}")
    expect(client.locator("html")).to_have_attribute("lang", "uk")
    times = client.locator("input[name=start]")
    expect(times.first).to_be_visible()
    check_axe(client)
    screenshot(client, "uk", "tour-stop-times")
    times.first.check()
    client.locator("main form button[type=submit]").click()
    expect(client).to_have_url(re.compile(r"/book/details\?"))
    client.locator("#name").fill("Олена Приклад")
    client.locator("#email").fill("olena@example.org")
    client.locator("#consent").check()
    client.locator("main form button[type=submit]").click()
    expect(client.locator(".success .reference")).to_be_visible()
    check_axe(client)
    screenshot(client, "uk", "tour-stop-booked")
    db.session.expire_all()
    booked = db.session.scalar(select(Appointment).where(
        Appointment.client_email == "olena@example.org"))
    assert booked.location_id == "wismar" and booked.locale == "uk"
    assert booked.counsellor_id == katrin.id
    assert wismar.start_at <= booked.start_at and booked.end_at <= wismar.end_at
