"""The staff page for calendar feeds: creating, showing, rotating, revoking and the privacy
switch, for counsellors and office staff, and who may touch which feed."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.feeds.models import CalendarFeed
from booking.feeds.services import feed_token
from tests.conftest import (
    ADMIN,
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    STAFF_MIGRA,
    STAFF_VSP,
)


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def feeds(**where) -> list[CalendarFeed]:
    return list(db.session.scalars(select(CalendarFeed).filter_by(**where)
                                   .order_by(CalendarFeed.id)))


def page_text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def audited(action: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.object_type == "calendar_feed", AuditEntry.action == action)))


def test_a_counsellor_creates_and_sees_their_feed_link(sign_in, demo):
    demo.config["BOOKING_BASE_URL"] = "https://termine.iq-mv.example.org"
    browser = sign_in(COUNSELLOR_VSP)
    page = browser.get("/staff/feeds")
    assert page.status_code == 200 and "Create feed link" in page_text(page)
    assert feeds() == []

    assert browser.post("/staff/feeds/new").status_code == 303
    assert browser.post("/staff/feeds/new").status_code == 303  # twice: still one link
    [feed] = feeds()
    katrin = counsellor(COUNSELLOR_VSP)
    assert (feed.kind, feed.counsellor_id, feed.organisation_id) == ("counsellor", katrin.id,
                                                                     "vsp")
    assert not feed.shows_client_details  # privacy by default
    assert audited("create") == [str(feed.id)]

    html = browser.get("/staff/feeds").get_data(as_text=True)
    token = feed_token(feed)
    assert f'value="https://termine.iq-mv.example.org/feeds/counsellors/{token}.ics"' in html
    assert f'href="webcal://termine.iq-mv.example.org/feeds/counsellors/{token}.ics"' in html
    assert f'value="webcal://termine.iq-mv.example.org/feeds/counsellors/{token}.ics"' in html
    assert f'for="feed{feed.id}-shows_client_details"' in html  # a labelled switch
    assert "stores" in html  # the warning about the calendar provider
    assert token not in str(db.session.scalar(select(CalendarFeed.token_hash)))


def test_the_privacy_switch_rotation_and_revocation(sign_in, client):
    browser = sign_in(COUNSELLOR_VSP)
    browser.post("/staff/feeds/new")
    [feed] = feeds()
    old_token = feed_token(feed)

    field = f"feed{feed.id}-shows_client_details"
    response = browser.post(f"/staff/feeds/{feed.id}/privacy", data={field: "y"},
                            follow_redirects=True)
    db.session.refresh(feed)
    assert feed.shows_client_details and "calendar provider stores them" in page_text(response)
    browser.post(f"/staff/feeds/{feed.id}/privacy", data={})
    db.session.refresh(feed)
    assert not feed.shows_client_details
    assert len(audited("update")) == 2

    assert browser.post(f"/staff/feeds/{feed.id}/rotate").status_code == 303
    db.session.refresh(feed)
    assert feed.rotated_at is not None and feed_token(feed) != old_token
    assert client.get(f"/feeds/counsellors/{old_token}.ics").status_code == 404
    assert client.get(f"/feeds/counsellors/{feed_token(feed)}.ics").status_code == 200

    assert browser.post(f"/staff/feeds/{feed.id}/revoke").status_code == 303
    db.session.refresh(feed)
    assert feed.revoked_at is not None and audited("delete") == [str(feed.id)]
    assert client.get(f"/feeds/counsellors/{feed_token(feed)}.ics").status_code == 404
    # A revoked feed is gone for the page too; a new link can be made.
    assert browser.post(f"/staff/feeds/{feed.id}/rotate").status_code == 404
    assert "Create feed link" in page_text(browser.get("/staff/feeds"))
    browser.post("/staff/feeds/new")
    assert len(feeds(revoked_at=None)) == 1 and len(feeds()) == 2


def test_office_staff_manage_the_organisation_feed_and_their_counsellors_feeds(sign_in, client):
    office = sign_in(STAFF_VSP)
    page = page_text(office.get("/staff/feeds"))
    assert "Katrin Beispiel" in page and "Samir Al-Musterani" in page
    assert "Jonas Exempel" not in page  # another organisation's counsellor

    assert office.post("/staff/feeds/new").status_code == 303
    [organisation_feed] = feeds(kind="organisation")
    assert (organisation_feed.organisation_id, organisation_feed.counsellor_id) == ("vsp", None)
    assert client.get(f"/feeds/organisations/{feed_token(organisation_feed)}.ics"
                      ).status_code == 200

    katrin = counsellor(COUNSELLOR_VSP)
    assert office.post("/staff/feeds/new", data={"counsellor": katrin.id}).status_code == 303
    [katrins] = feeds(kind="counsellor")
    assert katrins.counsellor_id == katrin.id
    field = f"feed{katrins.id}-shows_client_details"
    assert office.post(f"/staff/feeds/{katrins.id}/privacy", data={field: "y"}).status_code == 303
    assert office.post(f"/staff/feeds/{katrins.id}/rotate").status_code == 303
    assert office.post(f"/staff/feeds/{organisation_feed.id}/revoke").status_code == 303
    db.session.refresh(katrins)
    assert katrins.shows_client_details and katrins.rotated_at is not None
    # The counsellor sees the link office staff made for them.
    assert feed_token(katrins) in sign_in(COUNSELLOR_VSP).get("/staff/feeds").get_data(True)


def test_the_staff_page_reads_the_feeds_in_one_query(sign_in, count_queries):
    """One query for every feed of the organisation, not one per counsellor's card."""
    office = sign_in(STAFF_VSP)
    office.post("/staff/feeds/new")
    for email in (COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER):
        office.post("/staff/feeds/new", data={"counsellor": counsellor(email).id})
    tokens = [feed_token(feed) for feed in feeds()]
    count_queries.clear()
    page = office.get("/staff/feeds")
    assert sum("FROM calendar_feeds" in statement for statement in count_queries) == 1
    assert page.status_code == 200 and len(tokens) == 3
    assert all(token in page.get_data(True) for token in tokens)


@pytest.fixture
def foreign_feeds(sign_in):
    """The organisation feed and a counsellor feed of migra, and a vsp colleague's feed."""
    sign_in(STAFF_MIGRA).post("/staff/feeds/new")
    sign_in(COUNSELLOR_MIGRA).post("/staff/feeds/new")
    sign_in(COUNSELLOR_VSP_OTHER).post("/staff/feeds/new")
    sign_in(STAFF_VSP).post("/staff/feeds/new")
    by = {(f.kind, f.organisation_id, f.counsellor_id): f for f in feeds()}
    migra_counsellor = counsellor(COUNSELLOR_MIGRA).id
    colleague = counsellor(COUNSELLOR_VSP_OTHER).id
    return {"migra office": by[("organisation", "migra", None)],
            "migra counsellor": by[("counsellor", "migra", migra_counsellor)],
            "colleague": by[("counsellor", "vsp", colleague)],
            "vsp office": by[("organisation", "vsp", None)]}


@pytest.mark.parametrize(("account", "whose"), [
    (STAFF_VSP, "migra office"), (STAFF_VSP, "migra counsellor"),
    (COUNSELLOR_VSP, "colleague"), (COUNSELLOR_VSP, "vsp office"),
    (COUNSELLOR_VSP, "migra counsellor"),
])
@pytest.mark.parametrize("action", ["rotate", "revoke", "privacy"])
def test_feeds_out_of_reach_answer_404(sign_in, foreign_feeds, account, whose, action):
    feed = foreign_feeds[whose]
    before = (feed.nonce, feed.revoked_at, feed.shows_client_details)
    response = sign_in(account).post(f"/staff/feeds/{feed.id}/{action}",
                                     data={f"feed{feed.id}-shows_client_details": "y"})
    assert response.status_code == 404
    db.session.refresh(feed)
    assert (feed.nonce, feed.revoked_at, feed.shows_client_details) == before


def test_the_counsellor_field_of_create_404s_out_of_reach(sign_in, demo):
    """``counsellor`` in the create form picks a calendar: another organisation's counsellor
    (office staff) or a colleague (counsellor) answers 404 and makes nothing."""
    migra = counsellor(COUNSELLOR_MIGRA)
    colleague = counsellor(COUNSELLOR_VSP_OTHER)
    for account, value in ((STAFF_VSP, migra.id), (COUNSELLOR_VSP, colleague.id),
                           (COUNSELLOR_VSP, migra.id), (STAFF_VSP, "abc"),
                           (STAFF_VSP, "99999999999")):
        response = sign_in(account).post("/staff/feeds/new", data={"counsellor": value})
        assert response.status_code == 404, (account, value)
    assert feeds() == []


def test_unknown_feed_ids_answer_404(sign_in, demo):
    browser = sign_in(STAFF_VSP)
    for feed_id in (1, 99999, 2**31, 2**40):
        assert browser.post(f"/staff/feeds/{feed_id}/rotate").status_code == 404


def test_administrators_have_no_feed_page(sign_in):
    assert sign_in(ADMIN).get("/staff/feeds").status_code == 403


@pytest.mark.parametrize("language", [None, "en", "ar"])
def test_the_page_renders_in_the_staff_language(sign_in, language):
    browser = sign_in(COUNSELLOR_VSP, language=language)
    browser.post("/staff/feeds/new")
    response = browser.get("/staff/feeds")
    assert response.status_code == 200
    assert "webcal://" in response.get_data(as_text=True)
