"""Subscription feeds and their secret tokens (stored as a nonce and a hash, never in clear)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

FEED_KINDS = ("counsellor", "organisation")


class CalendarFeed(db.Model):
    """A secret ``.ics`` subscription: one counsellor's calendar, or an organisation's.

    The token is an HMAC of ``nonce`` under the app's SECRET_KEY, so the staff area can show
    the link again without storing it; only its SHA-256 (``token_hash``) is used for look-up.
    Rotating draws a new nonce; revoking sets ``revoked_at`` and the old link answers 404."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    counsellor_id: Mapped[int | None] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Privacy by default: reference, service and place only; names and contacts when enabled.
    shows_client_details: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changes to the feed's own settings change its content (ETag) too.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('counsellor', 'organisation')", name="kind"),
        CheckConstraint("(kind = 'counsellor') = (counsellor_id IS NOT NULL)",
                        name="counsellor_iff_counsellor_feed"),
    )
