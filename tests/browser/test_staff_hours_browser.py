"""A counsellor keeps her working hours and absences in a real browser: she signs in, adds
Saturday hours with keyboard and mouse, and the public booking offers the new times at once; an
absence takes them away again. The pages are checked with axe-core and photographed in German
and English (tablet width), and once right to left in Arabic."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.network.models import Location
from tests.conftest import COUNSELLOR_VSP
from tests.factories import create_appointment

TABLET = {"width": 768, "height": 1024}
SATURDAY = "2027-02-06"
PUBLIC_TIMES = (f"/book/time?service=first-consultation&language=de&location=schwerin"
                f"&channel=in_person&day={SATURDAY}")


def sign_in(page: Page, email: str) -> None:
    """At /staff/login, by keyboard: e-mail, Tab, password, Enter."""
    page.goto("/staff/login?next=/staff/hours")
    page.locator("#email").click()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/hours$"))


def saturday_starts(page: Page) -> list[str]:
    """Local start times the public API offers at Schwerin on the Saturday."""
    response = page.request.get(f"/api/v1/slots?service=first-consultation&location=schwerin"
                                f"&start={SATURDAY}&end=2027-02-07")
    assert response.ok
    return [slot["start"][11:16] for slot in response.json()["slots"]]


def add_saturday_hours(page: Page) -> None:
    form = page.locator("main form[action^='/staff/hours?counsellor=']")
    form.locator("#location").select_option("schwerin")
    form.locator("#weekday").select_option("5")  # Saturday
    form.locator("#start_time").fill("10:00")
    form.locator("#end_time").focus()
    page.keyboard.type("1300")  # as one types into a time field: hours, then minutes
    expect(form.locator("#end_time")).to_have_value("13:00")
    expect(form.locator("#starts_on")).to_have_value("2027-02-01")  # today by default
    form.locator("button[type=submit]").click()


def test_counsellor_adds_saturday_hours_and_clients_see_them(new_context, check_axe,
                                                             screenshot):
    page = new_context(viewport=TABLET, locale="de-DE").new_page()
    assert saturday_starts(page) == []
    sign_in(page, COUNSELLOR_VSP)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_contain_text("Katrin Beispiel")
    check_axe(page)
    screenshot(page, "de", "01-hours")

    add_saturday_hours(page)
    expect(page).to_have_url(re.compile(r"/staff/hours\?counsellor=\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.data-table tbody tr")).to_have_count(5)
    check_axe(page)
    screenshot(page, "de", "02-added")

    assert saturday_starts(page) == ["10:00", "10:30", "11:00", "11:30", "12:00"]
    page.goto(PUBLIC_TIMES)
    starts = page.locator("input[name=start]")
    expect(starts).to_have_count(5)
    assert starts.first.get_attribute("value") == "2027-02-06T09:00:00+00:00"  # 10:00 in Schwerin

    # The same hours again clash with the new ones: the form says so and keeps the input.
    page.goto("/staff/hours")
    add_saturday_hours(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("2027")
    expect(page.locator("#start_time")).to_have_value("10:00")
    check_axe(page)
    screenshot(page, "de", "03-clash")


def test_english_hours_and_absence_pages(new_context, check_axe, screenshot):
    page = new_context(viewport=TABLET, locale="en-GB").new_page()
    sign_in(page, COUNSELLOR_VSP)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    add_saturday_hours(page)
    expect(page.locator(".flash-success")).to_be_visible()
    check_axe(page)
    screenshot(page, "en", "01-hours")
    assert saturday_starts(page)

    page.goto("/staff/absences")
    check_axe(page)
    form = page.locator("main form[action^='/staff/absences?counsellor=']")
    form.locator("#starts_on").fill(SATURDAY)
    form.locator("#ends_on").fill(SATURDAY)
    form.locator("#reason").select_option("training")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/absences\?counsellor=\d+$"))
    expect(page.locator("table.data-table tbody tr")).to_have_count(1)
    check_axe(page)
    screenshot(page, "en", "02-absence")
    assert saturday_starts(page) == []


def test_arabic_hours_page_lists_stranded_appointments_right_to_left(new_context, check_axe,
                                                                     screenshot):
    """A booked Saturday appointment outside the hours is listed with a link to it."""
    katrin = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))
    booked = create_appointment(katrin, db.session.get_one(Location, "schwerin"),
                                db.session.get_one(Service, "first-consultation"),
                                start_at=datetime(2027, 2, 6, 9, tzinfo=UTC))
    reference = booked.reference
    db.session.commit()
    page = new_context(viewport=TABLET, locale="ar").new_page()
    sign_in(page, COUNSELLOR_VSP)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(f'main a[href="/staff/appointments/{reference}"]')).to_have_count(1)
    check_axe(page)
    screenshot(page, "ar", "01-stranded")
