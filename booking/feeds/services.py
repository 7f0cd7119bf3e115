"""Feed links: secret tokens, creating, rotating, revoking and the privacy switch of a feed.

A feed's token is an HMAC of its random nonce under SECRET_KEY (the same scheme as the manage
links in ``booking/appointments/tokens.py``): the staff page can show the link again without
storing it, and only its SHA-256 is kept for the look-up. Rotating draws a new nonce, so the old
link stops working at once; revoking keeps the row (for the audit trail) and answers 404.
Functions flush; the views commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app, url_for
from sqlalchemy import select

from booking import clock
from booking.appointments.tokens import hash_token, public_url
from booking.extensions import db
from booking.feeds.models import CalendarFeed
from booking.staff.access import audit

# A token is 32 URL-safe characters (24 bytes, 192 bits); anything else is not a token.
TOKEN_LENGTH = 32


def feed_token(feed: CalendarFeed) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"feed:{feed.nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _new_secret(feed: CalendarFeed) -> None:
    feed.nonce = secrets.token_hex(16)
    feed.token_hash = hash_token(feed_token(feed))


def find_feed(kind: str, token: str) -> CalendarFeed | None:
    """The live feed of ``kind`` the token opens; None for an unknown, malformed, rotated-away
    or revoked token (and for a counsellor's token at the organisation address)."""
    if len(token) != TOKEN_LENGTH or not token.isascii():
        return None
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == hash_token(token)))
    if feed is None or feed.kind != kind or feed.revoked_at is not None:
        return None
    # The HMAC is checked too: a token only counts if this server's key made it.
    return feed if hmac.compare_digest(feed_token(feed), token) else None


def feed_urls(feed: CalendarFeed) -> dict[str, str]:
    """The subscription address as https (or http in development) and as webcal://, which
    makes calendar apps offer to subscribe."""
    endpoint = ("public_feeds.counsellor_feed" if feed.kind == "counsellor"
                else "public_feeds.organisation_feed")
    url = public_url(url_for(endpoint, token=feed_token(feed)))
    return {"http": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def live_feed(kind: str, organisation_id: str, counsellor_id: int | None) -> CalendarFeed | None:
    statement = select(CalendarFeed).where(
        CalendarFeed.kind == kind, CalendarFeed.organisation_id == organisation_id,
        CalendarFeed.revoked_at.is_(None)).order_by(CalendarFeed.id.desc()).limit(1)
    if counsellor_id is not None:
        statement = statement.where(CalendarFeed.counsellor_id == counsellor_id)
    return db.session.scalar(statement)


def live_feeds(organisation_id: str) -> dict[int | None, CalendarFeed]:
    """The live feed of every calendar of the organisation, by counsellor id (None: the
    organisation's own), in one query for the staff page; the newest wins, as in ``live_feed``."""
    feeds: dict[int | None, CalendarFeed] = {}
    for feed in db.session.scalars(select(CalendarFeed).where(
            CalendarFeed.organisation_id == organisation_id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.id)):
        feeds[feed.counsellor_id] = feed
    return feeds


def create_feed(kind: str, organisation_id: str, counsellor_id: int | None = None
                ) -> CalendarFeed:
    """The live feed of the counsellor (or organisation), made now if there is none: one link
    per calendar, so pressing "create" twice does not leave a forgotten second link."""
    existing = live_feed(kind, organisation_id, counsellor_id)
    if existing is not None:
        return existing
    now = clock.now()
    feed = CalendarFeed(kind=kind, organisation_id=organisation_id, counsellor_id=counsellor_id,
                        shows_client_details=False, created_at=now, updated_at=now)
    _new_secret(feed)
    db.session.add(feed)
    db.session.flush()
    audit("create", "calendar_feed", feed.id, organisation_id=organisation_id, kind=kind,
          counsellor_id=counsellor_id)
    return feed


def rotate_feed(feed: CalendarFeed) -> None:
    _new_secret(feed)
    feed.rotated_at = feed.updated_at = clock.now()
    db.session.flush()
    audit("update", "calendar_feed", feed.id, organisation_id=feed.organisation_id,
          change="rotate")


def revoke_feed(feed: CalendarFeed) -> None:
    feed.revoked_at = feed.updated_at = clock.now()
    db.session.flush()
    audit("delete", "calendar_feed", feed.id, organisation_id=feed.organisation_id)


def set_client_details(feed: CalendarFeed, shows_client_details: bool) -> bool:
    """Switch client names in the feed on or off; False when nothing changed."""
    if feed.shows_client_details == shows_client_details:
        return False
    feed.shows_client_details = shows_client_details
    feed.updated_at = clock.now()
    db.session.flush()
    audit("update", "calendar_feed", feed.id, organisation_id=feed.organisation_id,
          shows_client_details=shows_client_details)
    return True
