"""A counsellor creates her calendar subscription in a real browser (CSRF on), copies the webcal
link, and the link answers with her calendar; office staff see their organisation's feed. The
page is checked with axe-core and photographed in German and Arabic at tablet width."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import Page, expect

from booking.demo.accounts import DEMO_PASSWORD
from tests.conftest import COUNSELLOR_VSP, STAFF_VSP

TABLET = {"width": 768, "height": 1024}


def sign_in(page: Page, email: str) -> None:
    page.goto("/staff/login?next=/staff/feeds")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/feeds$"))


def test_counsellor_subscribes_to_her_calendar(new_context, live_server, check_axe, screenshot):
    page = new_context(viewport=TABLET, locale="de-DE").new_page()
    sign_in(page, COUNSELLOR_VSP)
    check_axe(page)
    page.locator("form[action$='/staff/feeds/new'] button[type=submit]").click()
    webcal = page.locator("input[value^='webcal://']").first
    expect(webcal).to_be_visible()
    check_axe(page)
    screenshot(page, "de", "01-feed")
    https_link = page.locator("input[value^='http']").first.input_value()
    # The app builds links from BOOKING_BASE_URL; fetch the same path from the live server.
    path = https_link.split("/feeds/", 1)[1]
    with urllib.request.urlopen(f"{live_server}/feeds/{path}") as response:  # noqa: S310
        body = response.read().decode()
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["ETag"].startswith('"')
    assert "BEGIN:VCALENDAR" in body and "METHOD:" not in body
    assert "Katrin Beispiel" in body  # the calendar's name, not a client's

    page.context.add_cookies([{"name": "lang", "value": "ar", "url": page.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_axe(page)
    screenshot(page, "ar", "02-feed")


def test_office_staff_see_the_organisation_feed(new_context, check_axe, screenshot):
    page = new_context(viewport=TABLET, locale="de-DE").new_page()
    sign_in(page, STAFF_VSP)
    expect(page.locator("main")).to_contain_text("VSP")
    check_axe(page)
    screenshot(page, "de", "03-office")
