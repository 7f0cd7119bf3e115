"""Interest registrations: a client asks to be invited when an advice day comes to a town."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

INTEREST_STATUSES = ("waiting", "invited", "withdrawn")


class InterestRegistration(db.Model):
    """Town, service and consultation language wanted, the client's contact and consent.

    ``organisation_id`` is the town's provider at registration time (the tenant that may see
    it). Personal fields may be NULL once anonymised (issue 9)."""

    __tablename__ = "interest_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    town_id: Mapped[str] = mapped_column(ForeignKey("towns.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    language_code: Mapped[str] = mapped_column(String(16))  # consultation language
    locale: Mapped[str] = mapped_column(String(16), default="de")  # client's UI language
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_email: Mapped[str | None] = mapped_column(String(254))
    client_phone: Mapped[str | None] = mapped_column(String(64))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    # SHA-256 of the token in the client's "withdraw" link.
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_tour_id: Mapped[int | None] = mapped_column(
        ForeignKey("tours.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'invited', 'withdrawn')", name="status"),
        Index("ix_interest_registrations_org_town_status", "organisation_id", "town_id",
              "status"),
    )
