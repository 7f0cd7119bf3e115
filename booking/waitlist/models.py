"""Office waiting lists: people who want an earlier time, and the holds on freed times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

ENTRY_STATUSES = ("waiting", "offered", "booked", "withdrawn", "expired")
HOLD_STATUSES = ("open", "taken", "declined", "expired", "void")


class WaitlistEntry(db.Model):
    """A client wants a time at ``location_id`` before ``wanted_before`` (the first time on
    offer when they asked, or their current appointment's start when ``appointment_id`` is
    set: then taking an offer moves that appointment). First come, first offered."""

    __tablename__ = "waitlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    location_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    language_code: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16), default="de")
    # In person, by phone or by video: an offer taken books (or keeps) this channel.
    channel: Mapped[str] = mapped_column(String(16), default="in_person")
    wanted_before: Mapped[datetime] = mapped_column(UTCDateTime())
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"))
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_email: Mapped[str | None] = mapped_column(String(254))
    client_phone: Mapped[str | None] = mapped_column(String(64))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    location = relationship(
        "Location", primaryjoin="Location.id == foreign(WaitlistEntry.location_id)",
        viewonly=True)

    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'offered', 'booked', 'withdrawn', 'expired')", name="status"),
        CheckConstraint("channel IN ('in_person', 'phone', 'video')", name="channel"),
        ForeignKeyConstraint(
            ["location_id", "organisation_id"],
            ["locations.id", "locations.organisation_id"],
            name="fk_waitlist_entries_location_same_org",
        ),
        Index("ix_waitlist_entries_location_status", "location_id", "status", "created_at"),
    )


class SlotHold(db.Model):
    """A freed time held for one waiting person until ``expires_at``: nobody else can book
    it meanwhile (the slot engine treats an open hold as busy for everybody but its holder)."""

    __tablename__ = "slot_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("counsellors.id", ondelete="CASCADE"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_interpreter_needed: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[WaitlistEntry] = relationship()

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint(
            "status IN ('open', 'taken', 'declined', 'expired', 'void')", name="status"),
        Index("ix_slot_holds_counsellor_status", "counsellor_id", "status", "start_at"),
        Index("ix_slot_holds_status_expires", "status", "expires_at"),
    )
