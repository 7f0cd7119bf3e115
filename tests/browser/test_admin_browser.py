"""The administration in a real browser: users list, a user's page, the audit log and the team
pass axe-core (WCAG 2.1 A and AA) on a tablet, in German and English; a password reset through
the real form (with its CSRF token) signs the person out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.auth.models import User
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from tests.conftest import ADMIN, STAFF_VSP

TABLET = {"width": 768, "height": 1024}


def sign_in(page: Page, email: str) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/staff/login"))


def user_id(email: str) -> int:
    result = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()  # end the read, so the server's writes never wait on it
    return result


@pytest.mark.parametrize(("lang", "locale"), [("de", "de-DE"), ("en", "en-GB")])
def test_admin_pages_pass_axe(new_context, check_axe, screenshot, lang, locale):
    page = new_context(viewport=TABLET, locale=locale).new_page()
    sign_in(page, ADMIN)

    page.goto("/staff/admin/users")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main table")).to_contain_text(STAFF_VSP)
    check_axe(page)
    screenshot(page, lang, "users")

    page.goto(f"/staff/admin/users/{user_id(STAFF_VSP)}")
    check_axe(page)

    page.goto("/staff/admin/audit")
    expect(page.locator("main table tbody tr").first).to_contain_text("login")
    check_axe(page)
    screenshot(page, lang, "audit-log")

    page.goto("/staff/admin/counsellors")
    check_axe(page)


def test_password_reset_through_the_form_signs_the_person_out(new_context, check_axe):
    staff = new_context(viewport=TABLET).new_page()
    sign_in(staff, STAFF_VSP)
    staff.goto("/staff/admin/counsellors")
    expect(staff).to_have_url(re.compile(r"/staff/admin/counsellors$"))

    admin = new_context(viewport=TABLET).new_page()
    sign_in(admin, ADMIN)
    admin.goto(f"/staff/admin/users/{user_id(STAFF_VSP)}")
    admin.locator("#new").fill("too-short")
    admin.locator("#repeat").fill("too-short")
    admin.locator("form[action$='/password'] button[type=submit]").click()
    expect(admin.locator("#error-summary")).to_be_visible()
    check_axe(admin)
    admin.locator("#new").fill("a-brand-new-secret")
    admin.locator("#repeat").fill("a-brand-new-secret")
    admin.locator("form[action$='/password'] button[type=submit]").click()
    expect(admin.locator(".flash-success")).to_be_visible()

    staff.goto("/staff/admin/counsellors")
    expect(staff).to_have_url(re.compile(r"/staff/login\?next="))
