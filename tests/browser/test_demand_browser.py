"""Registering interest in a real browser, on a phone, in Arabic (right to left) and without
JavaScript; the staff's demand page with its map at tablet size. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.demand.models import InterestRegistration
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from tests.conftest import STAFF_VSP
from tests.features.test_demand import venue_without_days

TABLET = {"width": 1024, "height": 768}


@pytest.mark.parametrize("javascript", [True, False])
def test_register_interest_from_an_empty_day_page(demo, new_context, check_axe, screenshot,
                                                  javascript):
    venue = venue_without_days()
    page = new_context(locale="ar", java_script_enabled=javascript).new_page()
    page.goto(f"/book/day?service=first-consultation&language=ar&location={venue.id}"
              "&channel=in_person")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    offer = page.locator(".interest-offer a")
    expect(offer).to_be_visible()
    check_axe(page)
    offer.click()
    expect(page).to_have_url(re.compile(r"/book/interest\?"))
    expect(page.locator("select#town")).to_have_value(venue.town_id)
    check_axe(page)
    page.locator("main form button[type=submit]").click()  # nothing filled in yet
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)
    page.locator("#name").fill("أمل مثال")
    page.locator("#email").fill("amal@example.org")
    page.locator("#consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/interest/[\w-]+\?registered=1$"))
    check_axe(page)
    screenshot(page, "ar", "registered")
    page.locator("main a[href$='/withdraw']").click()
    check_axe(page)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/interest/[\w-]+$"))
    db.session.expire_all()
    assert db.session.scalar(select(InterestRegistration.status)) == "withdrawn"
    db.session.rollback()


def test_staff_demand_page(demo, new_context, check_axe, screenshot):
    from tests.features.test_demand_staff import register

    for town, people in (("wismar", 3), ("hagenow", 2), ("sternberg", 1)):
        for number in range(people):
            register(town, days_ago=10 * number, name=f"P{number}")
    db.session.commit()
    page = new_context(viewport=TABLET, locale="en-GB").new_page()
    page.goto("/staff/login?next=/staff/demand")
    page.locator("#email").fill(STAFF_VSP)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/demand$"))
    expect(page.locator("svg.mv-map circle").first).to_be_visible()
    expect(page.locator("ol.suggestions li").first).to_be_visible()
    check_axe(page)
    screenshot(page, "en", "demand")
    page.locator("main table a", has_text="Wismar").click()
    expect(page.locator("main table tbody tr")).to_have_count(3)
    check_axe(page)
