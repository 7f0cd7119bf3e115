"""Audit entries; they name objects by id and never copy personal data into the log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "client" (manage link), "system" (scheduler), or the staff user's e-mail at the time.
    actor: Mapped[str] = mapped_column(String(254))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(32))  # view, export, create, update, delete …
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_entries_org_time", "organisation_id", "occurred_at"),)
