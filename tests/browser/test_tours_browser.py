"""Office staff plan a mobile advice tour in a real browser: fill in the form, preview the
itinerary and the map, save the draft and publish it; the travel-times page. Every page is
checked with axe-core and photographed in English and, right to left, in Arabic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from booking.demo.accounts import DEMO_PASSWORD
from tests.conftest import STAFF_VSP

TABLET = {"width": 768, "height": 1024}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_plan_preview_save_and_publish(new_context, live_server, check_axe, screenshot,
                                       language):
    page = new_context(viewport=TABLET).new_page()
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    page.goto("/staff/login?next=/staff/tours/")
    page.locator("#email").fill(STAFF_VSP)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/tours/$"))
    check_axe(page)

    page.goto("/staff/tours/new")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#day").fill("2027-02-09")
    page.locator("#stops-0-venue").select_option("wismar")
    page.locator("#stops-1-venue").select_option("grevesmuehlen")
    check_axe(page)
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("svg.mv-map")).to_be_visible()
    expect(page.locator("table.itinerary tbody tr")).to_have_count(4)
    check_axe(page)
    screenshot(page, language, "preview")

    page.locator("button[form=tour-form][value=save]").click()
    expect(page).to_have_url(re.compile(r"/staff/tours/\d+$"))
    check_axe(page)
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator(".flash-success").first).to_be_visible()
    check_axe(page)
    screenshot(page, language, "published")

    page.goto("/staff/tours/travel")
    expect(page.locator("table.travel-matrix")).to_be_visible()
    check_axe(page)
    screenshot(page, language, "travel")
