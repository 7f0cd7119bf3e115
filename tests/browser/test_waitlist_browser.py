"""The waiting list in a real browser: joining from the time page on a phone in Arabic (right
to left), with and without JavaScript, a held time's offer page, the run-out page, and the
staff overview. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking import clock
from booking.appointments import services as booking_services
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.waitlist import services
from booking.waitlist.models import SlotHold, WaitlistEntry
from tests.conftest import NOW, STAFF_VSP
from tests.features.test_waitlist import OLHA, WEDNESDAY, book_first, wait

TABLET = {"width": 1024, "height": 768}


@pytest.mark.parametrize("javascript", [True, False])
def test_join_the_waiting_list_from_the_time_page(demo, new_context, check_axe, screenshot,
                                                  javascript):
    page = new_context(locale="ar", java_script_enabled=javascript).new_page()
    page.goto("/book/time?service=first-consultation&language=ar&location=schwerin"
              "&channel=in_person&day=2027-02-03")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("main a[href*='/book/waitlist?']").click()
    expect(page).to_have_url(re.compile(r"/book/waitlist\?"))
    check_axe(page)
    page.locator("main form button[type=submit]").click()  # nothing filled in yet
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)
    page.locator("#name").fill("أمل مثال")
    page.locator("#email").fill("amal@example.org")
    page.locator("#consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/waitlist/[\w-]+\?joined=1$"))
    check_axe(page)
    screenshot(page, "ar", "joined")
    page.locator("main form button[type=submit]").click()  # leave the list
    expect(page).to_have_url(re.compile(r"/waitlist/[\w-]+\?done=withdrawn$"))
    db.session.expire_all()
    assert db.session.scalar(select(WaitlistEntry.status)) == "withdrawn"
    db.session.rollback()


def test_offer_and_run_out_pages(demo, new_context, check_axe, screenshot):
    olha = book_first("uk", WEDNESDAY, OLHA)
    wait("uk", "uk")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()
    hold = db.session.scalar(select(SlotHold))
    token = services.hold_token(hold)
    db.session.rollback()

    page = new_context(locale="uk").new_page()
    page.goto(f"/waitlist/offer/{token}")
    expect(page.locator("main button")).to_have_count(2)
    check_axe(page)
    screenshot(page, "uk", "offer")

    demo.config["CLOCK"] = lambda: NOW + timedelta(hours=2)
    response = page.goto(f"/waitlist/offer/{token}")
    assert response.status == 410
    expect(page.locator("main a[href*='/book/day?']")).to_be_visible()
    check_axe(page)


def test_staff_waiting_list_page(demo, new_context, check_axe, screenshot):
    olha = book_first("uk", WEDNESDAY, OLHA)
    wait("uk", "uk", name="Olena Beispiel")
    wait("ar", "ar", name="Amal Beispiel")
    booking_services.cancel_appointment(olha.appointment, now=clock.now())
    db.session.commit()
    page = new_context(viewport=TABLET, locale="en-GB").new_page()
    page.goto("/staff/login?next=/staff/waitlist/")
    page.locator("#email").fill(STAFF_VSP)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/waitlist/$"))
    expect(page.locator("main table")).to_have_count(3)
    check_axe(page)
    screenshot(page, "en", "waitlist")
