"""The statistics pages in a real browser at tablet size: office staff and the network
administrator sign in, every chart loads, axe-core finds nothing, and full-page screenshots in
German and English show the figures over a year of demo history."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from booking.demo.accounts import DEMO_PASSWORD
from booking.demo.history import seed_demo_history
from booking.extensions import db
from booking.reports.figures import CHARTS
from tests.conftest import ADMIN, STAFF_VSP

TABLET = {"width": 1024, "height": 768}
ALL_CHARTS_LOADED = """() => {
  const charts = [...document.querySelectorAll('main img.chart')];
  return charts.length > 0 && charts.every(img => img.complete && img.naturalWidth > 0);
}"""


@pytest.fixture
def history(demo):
    result = seed_demo_history()
    db.session.commit()
    return result


def sign_in(page: Page, email: str) -> None:
    page.goto("/staff/login?next=/staff/statistics")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/statistics$"))


def assert_charts_loaded(page: Page) -> None:
    charts = page.locator("main img.chart")
    expect(charts).to_have_count(len(CHARTS))
    page.wait_for_function(ALL_CHARTS_LOADED)
    for index in range(len(CHARTS)):
        chart = charts.nth(index)
        assert len(chart.get_attribute("alt") or "") > 40  # says what the chart shows
        assert chart.evaluate("img => img.naturalWidth") >= 600


def translated(lang: str, text: str) -> str:
    with force_locale(lang):
        return gettext(text)


@pytest.mark.parametrize(("locale", "lang"), [("de-DE", "de"), ("en-GB", "en")])
def test_office_staff_see_their_figures(history, new_context, check_axe, screenshot, locale,
                                        lang):
    page = new_context(viewport=TABLET, locale=locale).new_page()
    sign_in(page, STAFF_VSP)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(translated(lang, "Statistics"))
    expect(page.locator("#organisation")).to_have_count(0)  # staff see only their own
    assert_charts_loaded(page)
    # Every figure has its numbers as a table next to the chart.
    expect(page.locator("main .report-figure table.data-table")).to_have_count(len(CHARTS))
    check_axe(page)
    screenshot(page, lang, "01-statistics-vsp")

    # A shorter period through the form, by keyboard.
    page.locator("#from").fill("2026-10")
    page.locator("#to").fill("2026-12")
    page.locator("#to").press("Enter")
    expect(page).to_have_url(re.compile(r"from=2026-10&to=2026-12"))
    assert_charts_loaded(page)
    expect(page.locator("#figure-by_month tbody tr")).to_have_count(3)


@pytest.mark.parametrize(("locale", "lang"), [("de-DE", "de"), ("en-GB", "en")])
def test_administrator_sees_the_network_and_filters_by_organisation(
        history, new_context, check_axe, screenshot, locale, lang):
    page = new_context(viewport=TABLET, locale=locale).new_page()
    sign_in(page, ADMIN)
    assert_charts_loaded(page)
    check_axe(page)
    screenshot(page, lang, "01-statistics-network")

    page.locator("#organisation").select_option("migra")
    page.locator("main form.report-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"organisation=migra"))
    assert_charts_loaded(page)
    places = page.locator("#figure-by_location tbody th").all_inner_texts()
    assert "IQ Servicestelle Rostock" in places and "IQ Servicestelle Schwerin" not in places
    check_axe(page)


def test_a_bad_period_is_explained_in_the_form(history, new_context, check_axe):
    page = new_context(viewport=TABLET, locale="en-GB").new_page()
    sign_in(page, STAFF_VSP)
    page.goto("/staff/statistics?from=2027-01&to=2026-01")
    expect(page.locator("#error-summary")).to_contain_text(
        "The end month must not be before the start month.")
    expect(page.locator("main img.chart")).to_have_count(0)
    check_axe(page)
