"""The booking and manage pages, driven like a browser without JavaScript: plain forms, links,
CSRF tokens, redirects."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from booking.appointments.models import Appointment
from booking.extensions import db

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def browser(client, demo, app):
    app.config["WTF_CSRF_ENABLED"] = True
    return client


def page(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.get_data(as_text=True)


def links(html, css_class="choice"):
    return [unescape(h) for h in re.findall(rf'class="{css_class}"[^>]*href="([^"]+)"', html)]


def first_radio(html, name):
    return unescape(re.search(rf'name="{name}" id="[^"]+" value="([^"]+)"', html).group(1))


def book_through_pages(client, location="rostock", language="de", headers=None):
    headers = headers or {"Accept-Language": "de"}
    _, html = page(client, "/book/service", headers=headers)
    assert 'name="service"' in html
    _, html = page(client, f"/book/place?service=follow-up&language={language}", headers=headers)
    _, html = page(client, f"/book/day?service=follow-up&language={language}"
                           f"&location={location}&channel=in_person", headers=headers)
    day_url = links(html)[0]
    _, html = page(client, day_url, headers=headers)
    start = first_radio(html, "start")
    details_url = (f"/book/details?service=follow-up&language={language}&location={location}"
                   f"&channel=in_person&start={start.replace('+', '%2B')}")
    _, html = page(client, details_url, headers=headers)
    token = CSRF.search(html).group(1)
    response = client.post(details_url, headers=headers, data={
        "csrf_token": token, "name": "Maria Beispiel", "email": "maria@example.org",
        "consent": "y"})
    return response, details_url


def test_book_see_download_move_and_cancel_without_javascript(browser):
    response, _ = book_through_pages(browser)
    assert response.status_code == 303
    manage_url = urlsplit(response.headers["Location"]).path
    response, html = page(browser, response.headers["Location"])
    assert response.status_code == 200
    reference = re.search(r'<bdi class="reference">([0-9A-Z]{4}-[0-9A-Z]{4})</bdi>', html)
    assert reference
    appointment = db.session.query(Appointment).filter_by(reference=reference.group(1)).one()

    ics = browser.get(f"{manage_url}/appointment.ics")
    assert ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.ical_uid
    assert event.decoded("DTSTART") == appointment.start_at

    _, html = page(browser, f"{manage_url}/move")
    _, html = page(browser, links(html)[1])
    new_start = first_radio(html, "start")
    moved = browser.post(f"{manage_url}/move", data={"csrf_token": CSRF.search(html).group(1),
                                                      "start": new_start})
    assert moved.status_code == 303 and "done=moved" in moved.headers["Location"]
    db.session.expire_all()
    assert appointment.start_at.isoformat() != reference  # reloaded
    assert appointment.ical_sequence == 1

    _, html = page(browser, f"{manage_url}/cancel")
    cancelled = browser.post(f"{manage_url}/cancel",
                             data={"csrf_token": CSRF.search(html).group(1)})
    assert cancelled.status_code == 303
    _, html = page(browser, cancelled.headers["Location"])
    assert f"{manage_url}/cancel" not in html and f"{manage_url}/move" not in html
    db.session.expire_all()
    assert appointment.status == "cancelled"


def test_posting_without_the_csrf_token_is_refused_kindly(browser):
    _, details_url = book_through_pages(browser)
    response = browser.post(details_url, data={"name": "X", "email": "x@example.org",
                                               "consent": "y"},
                            headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "reload the page and send the form again" in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 1  # only the first, proper booking


def test_cancel_without_csrf_token_is_refused(browser):
    response, _ = book_through_pages(browser)
    manage_url = urlsplit(response.headers["Location"]).path
    assert browser.post(f"{manage_url}/cancel").status_code == 400
    db.session.expire_all()
    assert db.session.query(Appointment).one().status == "confirmed"


def test_the_details_form_shows_each_error_in_the_readers_language(browser, app):
    _, html = page(browser, "/book/day?service=follow-up&language=de&location=schwerin"
                            "&channel=in_person", headers={"Accept-Language": "en"})
    _, html = page(browser, links(html)[0], headers={"Accept-Language": "en"})
    start = first_radio(html, "start").replace("+", "%2B")
    url = (f"/book/details?service=follow-up&language=de&location=schwerin&channel=in_person"
           f"&start={start}")
    _, html = page(browser, url, headers={"Accept-Language": "en"})
    response = browser.post(url, headers={"Accept-Language": "en"}, data={
        "csrf_token": CSRF.search(html).group(1), "email": "nope", "phone": "call me"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.findall(r'<li><a href="#(\w+)">', body)
    assert summary == ["name", "email", "phone", "consent"]
    for name in summary:
        assert re.search(rf'<input[^>]+id="{name}"', body)  # links go to the controls
    assert 'aria-invalid="true"' in body
    assert "Please enter your name." in body
    assert "Please agree to the privacy notice" in body


def test_honeypot_filled_books_nothing(browser):
    _, html = page(browser, "/book/day?service=follow-up&language=de&location=schwerin"
                            "&channel=in_person")
    _, html = page(browser, links(html)[0])
    start = first_radio(html, "start").replace("+", "%2B")
    url = (f"/book/details?service=follow-up&language=de&location=schwerin&channel=in_person"
           f"&start={start}")
    _, html = page(browser, url)
    response = browser.post(url, data={"csrf_token": CSRF.search(html).group(1),
                                       "name": "Bot", "email": "bot@example.org",
                                       "consent": "y", "website": "http://spam.example"})
    assert response.status_code == 400
    assert db.session.query(Appointment).count() == 0


def test_a_missing_answer_sends_the_client_back_to_that_step_with_a_message(browser):
    response, html = page(browser, "/book/day?service=follow-up&language=de",
                          headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert 'href="#location-greifswald"' in html and 'id="location-greifswald"' in html
    response, html = page(browser, "/book/place?language=de", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and 'href="#service-first-consultation"' in html
    response, html = page(browser, "/book/place?service=follow-up&language=xx!",
                          headers={"Accept-Language": "en"})
    assert response.status_code == 400 and 'href="#language"' in html


def test_the_manage_page_speaks_the_bookings_language(browser):
    response, _ = book_through_pages(browser, headers={"Accept-Language": "en"})
    _, html = page(browser, response.headers["Location"], headers={"Accept-Language": "de"})
    assert '<html lang="en" dir="ltr">' in html
    browser.set_cookie("lang", "ar")
    _, html = page(browser, response.headers["Location"], headers={"Accept-Language": "de"})
    assert '<html lang="ar" dir="rtl">' in html  # an explicit choice still wins


def test_unknown_manage_link_is_a_404_page(browser):
    response, html = page(browser, "/manage/not-a-real-token")
    assert response.status_code == 404 and "<h1>" in html


def test_language_switch_sets_a_cookie_and_refuses_foreign_redirects(browser):
    response = browser.get("/language/ar?next=/book/service")
    assert response.status_code == 303 and response.headers["Location"] == "/book/service"
    assert "lang=ar" in response.headers["Set-Cookie"]
    _, html = page(browser, "/book/service")
    assert '<html lang="ar" dir="rtl">' in html  # the cookie from the switch
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = browser.get(f"/language/de?next={target}")
        assert response.headers["Location"] == "/"
    response = browser.get("/language/xx?next=/book")
    assert "lang=xx" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_flow_page_stays_under_150_kb(browser, language):
    css = len(browser.get("/static/css/site.css").data)
    browser.set_cookie("lang", language)
    headers = {}
    urls = ["/", "/book", "/book/service", "/book/place?service=follow-up&language=de",
            "/book/day?service=follow-up&language=de&location=rostock&channel=in_person",
            "/privacy"]
    _, html = page(browser, urls[-2], headers=headers)
    urls.append(links(html)[0])
    for url in urls:
        response = browser.get(url, headers=headers)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.get_data(as_text=True)
        assert len(response.data) + css < 150 * 1024, url
        # Nothing is loaded from elsewhere: no absolute URLs in src or stylesheet links.
        assert not re.search(r'(src|href)="(https?:)?//', response.get_data(as_text=True)), url
