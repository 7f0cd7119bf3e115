"""The booking and manage pages in a real browser, on a phone-sized screen: with and without
JavaScript, left to right and right to left, by keyboard only, and two people racing for a time.
Every page of the flows is checked with axe-core (WCAG 2.1 A and AA) and photographed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, Response, expect
from sqlalchemy import func, select

from booking.appointments.models import Appointment
from booking.extensions import db

REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
MANAGE = r"/manage/[A-Za-z0-9_-]+"
MAX_PAGE_BYTES = 150 * 1024


# -- database -------------------------------------------------------------------------------

def stored(reference: str) -> tuple[str, object]:
    """Status and start of the appointment, as the server committed them."""
    db.session.expire_all()
    appointment = db.session.scalar(select(Appointment).where(Appointment.reference == reference))
    assert appointment is not None, f"no appointment {reference} in the database"
    result = (appointment.status, appointment.start_at)
    db.session.rollback()  # end the read, so the server's writes are never waiting on it
    return result


# -- page helpers ---------------------------------------------------------------------------

def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").click()


def assert_lang_dir(page: Page, lang: str, direction: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)


def choose_service(page: Page, language: str) -> None:
    page.locator("input[name=service][value=first-consultation]").check()
    page.locator("select#language").select_option(language)
    submit(page)
    expect(page).to_have_url(re.compile(r"/book/place\?"))


def choose_place(page: Page, location: str, channel: str = "in_person") -> None:
    page.locator(f"#location-{location}").check()
    page.locator(f"#channel-{channel}").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/book/day\?"))


def choose_day(page: Page, index: int = 0) -> None:
    page.locator("main .choice-list a.choice").nth(index).click()
    expect(page).to_have_url(re.compile(r"[?&]day=\d{4}-\d\d-\d\d"))


def choose_time(page: Page, index: int = 0) -> str:
    radio = page.locator("input[name=start]").nth(index)
    radio.check()
    start = radio.get_attribute("value")
    submit(page)
    expect(page).to_have_url(re.compile(r"/book/details\?"))
    return start


def fill_details(page: Page, name: str, email: str) -> None:
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#phone").fill("+49 385 1234567")
    page.locator("#consent").check()


def read_reference(page: Page) -> str:
    reference = page.locator(".success .reference").inner_text().strip()
    assert REFERENCE.match(reference), f"unexpected reference {reference!r}"
    return reference


def check_ics(page: Page) -> None:
    link = page.locator('main a[href$="/appointment.ics"]')
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    assert "BEGIN:VEVENT" in Path(download.path()).read_text(encoding="utf-8")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.text()


Visit = Callable[[str], None]


def book_and_manage(page: Page, visit: Visit, *, ui: str, language: str, location: str,
                    name: str) -> str:
    """The whole flow: language, service, place, day, time, details; then the manage page's
    calendar file, moving to another day, and cancelling. Returns the reference."""
    page.goto("/book")
    visit("language")
    switch = page.locator(f'main a.choice[lang="{ui}"]')
    assert switch.get_attribute("href").startswith(f"/language/{ui}?next=")
    switch.click()
    expect(page).to_have_url(re.compile(r"/book/service$"))
    visit("service")
    choose_service(page, language)
    visit("place")
    choose_place(page, location)
    visit("day")
    choose_day(page)
    visit("time")
    choose_time(page)
    visit("details")
    fill_details(page, name, "client@example.org")
    submit(page)
    expect(page).to_have_url(re.compile(MANAGE + r"\?booked=1$"))
    visit("booked")
    reference = read_reference(page)
    status, first_start = stored(reference)
    assert status == "confirmed"
    check_ics(page)

    page.locator('main a[href$="/move"]').click()
    expect(page).to_have_url(re.compile(MANAGE + r"/move$"))
    visit("move-day")
    choose_day(page, 1)  # another day, so surely another time
    visit("move-time")
    page.locator("input[name=start]").nth(1).check()
    submit(page)
    expect(page).to_have_url(re.compile(MANAGE + r"\?done=moved$"))
    visit("moved")
    status, new_start = stored(reference)
    assert status == "confirmed" and new_start != first_start

    status_shown = page.locator("dl.summary strong").inner_text()
    page.locator('main a[href$="/cancel"]').click()
    expect(page).to_have_url(re.compile(MANAGE + r"/cancel$"))
    visit("cancel")
    submit(page)
    expect(page).to_have_url(re.compile(MANAGE + r"\?done=cancelled$"))
    visit("cancelled")
    assert page.locator("dl.summary strong").inner_text() != status_shown
    expect(page.locator('main a[href$="/move"], main a[href$="/cancel"]')).to_have_count(0)
    assert stored(reference)[0] == "cancelled"
    return reference


def visitor(page: Page, check: Callable[[Page], None], shoot, lang: str, direction: str) -> Visit:
    """On each page: lang/dir, no sideways scrolling, a numbered screenshot, and axe."""
    count = 0

    def visit(step: str) -> None:
        nonlocal count
        count += 1
        page.wait_for_load_state("load")
        assert_lang_dir(page, lang, direction)
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"
        shoot(page, lang, f"{count:02d}-{step}")
        check(page)

    return visit


# -- tests ----------------------------------------------------------------------------------

def test_german_booking_with_javascript(page, check_axe, screenshot):
    visit = visitor(page, check_axe, screenshot, "de", "ltr")
    book_and_manage(page, visit, ui="de", language="de", location="schwerin",
                    name="Maria Beispiel")
    with force_locale("de"):
        cancelled = gettext("Cancelled")
    expect(page.locator("dl.summary strong")).to_have_text(cancelled)


def test_arabic_booking_without_javascript(new_context, check_axe, screenshot):
    context = new_context(java_script_enabled=False, locale="ar")
    page = context.new_page()
    visit = visitor(page, check_axe, screenshot, "ar", "rtl")
    reference = book_and_manage(page, visit, ui="ar", language="ar", location="greifswald",
                                name="سمير المثال")
    assert REFERENCE.match(reference)
    lang_cookie = next(c for c in context.cookies() if c["name"] == "lang")
    assert lang_cookie["value"] == "ar" and lang_cookie["httpOnly"]


def _focus_is_visible(page: Page) -> None:
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    box = focused.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"focus is invisible on {page.url}"
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", f"no focus outline on {focused.evaluate('e => e.outerHTML')}"


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    pytest.fail(f"{key} never reached {selector} on {page.url}")


def press_enter_and_wait(page: Page, url_pattern: str) -> None:
    _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(url_pattern))


def test_booking_with_the_keyboard_only(page):
    page.goto("/book")
    tab_to(page, 'main a.choice[lang="de"]')
    press_enter_and_wait(page, r"/book/service$")
    tab_to(page, "input[name=service]:checked")
    page.keyboard.press("Space")
    tab_to(page, "select#language")
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, r"/book/place\?")
    tab_to(page, "input[name=location]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=location]:checked")).to_have_count(1)
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, r"/book/day\?")
    tab_to(page, "main .choice-list a.choice")
    press_enter_and_wait(page, r"/book/time\?")
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, r"/book/details\?")
    tab_to(page, "#name")
    page.keyboard.type("Keyboard User")
    tab_to(page, "#email")
    page.keyboard.type("keys@example.org")
    tab_to(page, "main button[type=submit]")
    tab_to(page, "#consent", backwards=True)
    page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, MANAGE + r"\?booked=1$")
    assert stored(read_reference(page))[0] == "confirmed"


def open_details(page: Page, *, language: str = "de", location: str = "schwerin") -> str:
    page.goto("/book/service")
    choose_service(page, language)
    choose_place(page, location)
    choose_day(page)
    choose_time(page)
    return page.url


def test_pages_are_light_and_stay_on_the_server(page):
    hosts: set[str] = set()
    responses: list[Response] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.on("response", lambda response: responses.append(response))
    weights: dict[str, int] = {}

    def visit(step: str) -> None:
        page.wait_for_load_state("load")
        weights[step] = sum(len(r.body()) for r in responses
                            if not 300 <= r.status < 400)  # a redirect has no body
        responses.clear()

    book_and_manage(page, visit, ui="de", language="de", location="schwerin",
                    name="Leicht Gewicht")
    print("page weights in bytes:", weights)
    assert len(weights) == 12
    heavy = {step: size for step, size in weights.items() if size >= MAX_PAGE_BYTES}
    assert not heavy, f"pages of {MAX_PAGE_BYTES} bytes or more: {heavy}"
    assert hosts == {"127.0.0.1"}, f"requests left the server: {hosts}"


def test_two_people_race_for_the_same_time(new_context, check_axe, screenshot):
    first, second = new_context().new_page(), new_context().new_page()
    # Arabic in Greifswald: one counsellor only, so a taken time is gone for everybody.
    details_url = open_details(first, language="ar", location="greifswald")
    taken = parse_qs(urlsplit(details_url).query)["start"]
    second.goto(details_url)
    for page, name in ((first, "Erste Person"), (second, "Zweite Person")):
        expect(page.locator("#name")).to_be_visible()
        fill_details(page, name, f"{name.split()[0].lower()}@example.org")

    # Both pages were loaded while the time was free; whoever submits second has lost it.
    statuses = []
    for page in (first, second):
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            submit(page)
        statuses.append(posted.value.status)
    assert sorted(statuses) == [303, 409], statuses
    winner, loser = (first, second) if statuses[0] == 303 else (second, first)
    expect(winner).to_have_url(re.compile(MANAGE + r"\?booked=1$"))
    read_reference(winner)

    alternatives = loser.locator("main a.choice")
    expect(alternatives.first).to_be_visible()
    offered = [urlsplit(a.get_attribute("href")) for a in alternatives.all()]
    assert all(u.path == "/book/details" for u in offered), offered
    assert taken not in [parse_qs(u.query).get("start") for u in offered]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    db.session.rollback()
    screenshot(loser, "de", "taken")
    check_axe(loser)


def test_error_summary_leads_to_the_first_invalid_field(page, check_axe, screenshot):
    open_details(page)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit(page)
    assert posted.value.status == 400
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "de", "errors")
    check_axe(page)
    first_link = summary.locator("a").first
    href = first_link.get_attribute("href")
    first_link.focus()
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
    assert focused == "name", (
        f"the error summary's first link (href={href!r}) must move focus to the first invalid "
        f"field #name; focus is on {focused!r}")
