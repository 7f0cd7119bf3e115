"""Outbox rows: e-mails and CalDAV writes waiting for the scheduler worker to deliver them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

# pending: waiting or being sent; sent; skipped: no longer true when its turn came (the
# appointment was cancelled or is over); failed: gave up after repeated errors, shown to staff.
OUTBOX_STATUSES = ("pending", "sent", "skipped", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="email")  # email | caldav
    topic: Mapped[str] = mapped_column(String(64))  # e.g. appointment.booked
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # Makes writing the same message twice (a re-run job) a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name="status"),
        CheckConstraint("channel IN ('email', 'caldav')", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_outbox_messages_due", "status", "available_at"),
    )
