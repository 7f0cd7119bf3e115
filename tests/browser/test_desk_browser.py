"""The office desk in a real browser: office staff book for a caller without e-mail, open the
printable confirmation in the client's language, print it (PDF and print-media screenshot), and
every desk page passes axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.network.models import Location
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import STAFF_VSP
from tests.factories import create_appointment

DESKTOP = {"width": 1024, "height": 900}  # the office's screen; tablets are 768 wide


def sign_in(page: Page, email: str = STAFF_VSP) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/desk/$"))


def continue_(page: Page, url_pattern: str) -> None:
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(url_pattern))


def stored(reference: str) -> Appointment:
    db.session.expire_all()
    appointment = db.session.scalar(select(Appointment).where(Appointment.reference == reference))
    assert appointment is not None
    db.session.expunge(appointment)
    db.session.rollback()
    return appointment


def print_to_files(page: Page, name: str) -> None:
    """The page as the printer sees it: a print-media screenshot and an A4 PDF."""
    page.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-print.png"), full_page=True)
    page.pdf(path=str(SCREENSHOTS / f"{name}.pdf"), format="A4", print_background=True)
    assert (SCREENSHOTS / f"{name}.pdf").stat().st_size > 1000
    page.emulate_media(media="screen")


def test_office_staff_book_a_caller_without_email_and_print_the_confirmation(
        new_context, check_axe, screenshot):
    page = new_context(viewport=DESKTOP).new_page()

    def visit(step: str) -> None:
        page.wait_for_load_state("load")
        screenshot(page, "de", step)
        check_axe(page)

    sign_in(page)
    visit("01-desk")
    page.locator("main a.button", has_text=re.compile(".")).first.click()
    expect(page).to_have_url(re.compile(r"/staff/desk/book$"))
    visit("02-service")
    page.locator("#service-first-consultation").check()
    continue_(page, r"step=place")
    visit("03-place")
    page.locator("#location-schwerin").check()
    page.locator("#channel-in_person").check()
    continue_(page, r"step=language")
    visit("04-language")
    page.locator("select#language").select_option("uk")
    continue_(page, r"step=day")
    visit("05-day")
    page.locator("main .choice-list a.choice").first.click()
    expect(page).to_have_url(re.compile(r"step=time"))
    visit("06-time")
    continue_(page, r"step=details")
    visit("07-details")

    # Nothing ticked: the consent is refused with a message, nothing is booked.
    page.locator("#name").fill("Olena Beispielowa")
    continue_(page, r"step=details")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#consent")).to_have_attribute("aria-invalid", "true")
    visit("08-consent-missing")

    expect(page.locator("#email")).to_have_value("")
    expect(page.locator("select#client_locale")).to_have_value("uk")
    page.locator("#consent").check()
    continue_(page, r"/staff/desk/appointments/[0-9A-Z]{4}-[0-9A-Z]{4}/booked$")
    visit("09-booked")
    reference = page.locator(".success .reference").inner_text().strip()
    appointment = stored(reference)
    assert appointment.client_email is None and appointment.source == "desk"
    assert appointment.locale == "uk"

    page.locator(f'main a[href$="/appointments/{reference}/print"]').click()
    expect(page).to_have_url(re.compile(r"/print$"))
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    service_name = db.session.get(Service, "first-consultation").text("uk").name
    db.session.rollback()
    with force_locale("uk"):
        keep_link = gettext("Keep this link")
        note_reference = gettext("Please note your reference:")
    confirmation = page.locator("article.confirmation")
    for text in (service_name, keep_link, note_reference, reference, "Mecklenburgstraße 9"):
        expect(confirmation).to_contain_text(text)
    expect(page.locator(".qr-code")).to_be_visible()
    expect(page.locator(".print-toolbar")).to_have_attribute("lang", "de")
    screenshot(page, "uk", "10-print-screen")
    check_axe(page)

    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    expect(page.locator(".staff-nav")).to_be_hidden()
    expect(confirmation).to_be_visible()
    print_to_files(page, "desk-confirmation-uk")


def test_an_arabic_confirmation_prints_right_to_left(new_context, check_axe, screenshot):
    counsellor = db.session.scalar(select(Counsellor).where(
        Counsellor.email == "s.musterani@vsp.example.org"))
    appointment = create_appointment(
        counsellor, db.session.get_one(Location, "schwerin"),
        db.session.get_one(Service, "first-consultation"),
        start_at=datetime(2027, 2, 4, 9, tzinfo=UTC), locale="ar", language_code="ar",
        client_name="سمير المثال", channel="in_person")
    reference = appointment.reference
    service_name = appointment.service.text("ar").name
    db.session.commit()

    context = new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in(page)
    screenshot(page, "en", "desk")  # the staff member reads English
    check_axe(page)
    page.goto(f"/staff/desk/appointments/{reference}/print")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("article.confirmation")).to_contain_text(service_name)
    expect(page.locator(".print-toolbar")).to_have_attribute("lang", "en")
    screenshot(page, "ar", "print-screen")
    check_axe(page)
    print_to_files(page, "desk-confirmation-ar")

    page.goto(f"/staff/desk/appointments/{reference}/move")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # back in the staff's language
    screenshot(page, "en", "move-day")
    check_axe(page)
    page.locator("main .choice-list a.choice").first.click()
    screenshot(page, "en", "move-time")
    check_axe(page)
