"""A counsellor's agenda and a follow-up series in a real browser: she signs in, opens her week,
an appointment's details, and books a series of follow-ups, one of which clashes with an
absence and moves to an offered alternative. Every page is checked with axe-core and
photographed in German and English (tablet width)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.availability.models import Absence
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.network.models import Location
from tests.conftest import COUNSELLOR_VSP
from tests.factories import create_appointment

TABLET = {"width": 768, "height": 1024}
CLIENT_EMAIL = "mira@example.org"


@pytest.fixture
def original(demo) -> str:
    """Mira's consultation with Katrin Beispiel on Tuesday 2 February, 10:00 in Schwerin, and
    Katrin's absence on Tuesday 2 March (the second date of a fortnightly series)."""
    katrin = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))
    create_appointment(katrin, db.session.get_one(Location, "schwerin"),
                       db.session.get_one(Service, "first-consultation"),
                       start_at=datetime(2027, 2, 2, 9, tzinfo=UTC), reference="MIRA-0001",
                       client_name="Mira Testfrau", client_email=CLIENT_EMAIL,
                       client_phone="+49 385 555 0101", language_code="ru",
                       is_interpreter_needed=True)
    db.session.add(Absence(counsellor_id=katrin.id, start_at=datetime(2027, 3, 1, 23, tzinfo=UTC),
                           end_at=datetime(2027, 3, 2, 23, tzinfo=UTC)))
    db.session.commit()
    return "MIRA-0001"


def follow_ups() -> list[datetime]:
    db.session.expire_all()
    starts = list(db.session.scalars(select(Appointment.start_at).where(
        Appointment.client_email == CLIENT_EMAIL, Appointment.reference != "MIRA-0001")
        .order_by(Appointment.start_at)))
    db.session.rollback()  # end the read, so the server's writes never wait on it
    return starts


def sign_in(page: Page) -> None:
    page.goto("/staff/login?next=/staff/agenda")
    page.locator("#email").fill(COUNSELLOR_VSP)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/agenda$"))


def no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_agenda_details_and_follow_up_series(new_context, check_axe, screenshot, original,
                                             lang):
    page = new_context(viewport=TABLET, locale="de-DE" if lang == "de" else "en-GB").new_page()

    def visit(step: str) -> None:
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        no_sideways_scrolling(page)
        screenshot(page, lang, step)
        check_axe(page)

    sign_in(page)
    expect(page.locator("h1")).to_contain_text("Katrin Beispiel")
    page.locator("#view").select_option("week")
    page.locator("main form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(page.locator("section.agenda-day")).to_have_count(7)
    expect(page.locator("main table.agenda-table")).to_contain_text("Mira Testfrau")
    visit("01-agenda-week")

    page.locator("nav.agenda-nav a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"day=2027-02-08"))
    page.locator("nav.agenda-nav a[rel=prev]").click()
    page.locator(f"main a[href='/staff/appointments/{original}']").click()
    expect(page.locator("h1")).to_contain_text(original)
    expect(page.locator("main")).to_contain_text("+49 385 555 0101")
    visit("02-appointment")

    page.locator(f"main a[href='/staff/appointments/{original}/follow-up']").click()
    expect(page.locator("#first_on")).to_have_value("2027-02-16")
    expect(page.locator("#start_time")).to_have_value("10:00")
    page.locator("#count").select_option("3")
    page.locator("#every_n_weeks").select_option("2")
    visit("03-follow-up")
    page.locator("main form button[value=preview]").click()

    expect(page.locator("li.occurrence")).to_have_count(3)
    expect(page.locator("li.occurrence-clash")).to_have_count(1)
    visit("04-follow-up-preview")
    clash = page.locator("li.occurrence-clash input[type=radio]")
    assert clash.count() >= 2
    clash.first.check()
    chosen = datetime.fromisoformat(clash.first.get_attribute("value"))
    page.locator("main form button[value=book]").click()

    expect(page).to_have_url(re.compile(r"/staff/appointments/[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(page.locator(".flash-success")).to_be_visible()
    visit("05-booked")
    assert follow_ups() == [datetime(2027, 2, 16, 9, tzinfo=UTC), chosen,
                            datetime(2027, 3, 16, 9, tzinfo=UTC)]
