"""A counsellor connects her own calendar in a real browser (CSRF on), sees what it blocks and
what went wrong when it fails, and sets the CalDAV calendar for her appointments. The page is
checked with axe-core and photographed in German and English at tablet width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from booking.demo.accounts import DEMO_PASSWORD
from tests.conftest import COUNSELLOR_VSP
from tests.features.test_busy_import import SIMPLE, CalendarFileServer

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def ics_server():
    server = CalendarFileServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def sign_in(page: Page) -> None:
    page.goto("/staff/login?next=/staff/calendar-sync")
    page.locator("#email").fill(COUNSELLOR_VSP)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/calendar-sync$"))


def test_counsellor_connects_a_calendar_and_sees_its_state(new_context, check_axe, screenshot,
                                                           ics_server):
    ics_server.body = SIMPLE
    page = new_context(viewport=TABLET, locale="de-DE").new_page()
    sign_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_contain_text("Katrin Beispiel")
    check_axe(page)

    page.locator("#url").fill("ftp://example.org/busy.ics")
    page.locator("form[action^='/staff/calendar-sync/sources'] button[type=submit]").click()
    expect(page.locator("#url")).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "de", "01-error")

    page.locator("#url").fill(ics_server.url)
    page.locator("form[action^='/staff/calendar-sync/sources'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/calendar-sync\?counsellor=\d+$"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody td.number")).to_have_text("1")

    ics_server.status = 500
    page.locator("form[action$='/fetch'] button").click()
    expect(page.locator(".calsync-error")).to_be_visible()
    check_axe(page)
    screenshot(page, "de", "02-failing")

    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url}])
    page.reload()
    page.locator("#target-url").fill("http://127.0.0.1:9/dav/katrin/appointments/")
    page.locator("#target-username").fill("katrin")
    page.locator("#target-password").fill("app-password")
    page.get_by_role("button", name="Save calendar for appointments").click()
    expect(page.locator(".flash-success")).to_contain_text("saved")
    expect(page.locator("#target-password")).to_have_value("")
    check_axe(page)
    screenshot(page, "en", "03-target")
