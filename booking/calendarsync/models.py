"""External calendars of counsellors: sources of busy times, and CalDAV targets for appointments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db


class ExternalCalendar(db.Model):
    """A counsellor's own calendar, read for busy times: an ICS URL or a CalDAV collection.

    The last good copy (``body``) and its validators (``etag``, ``last_modified``) are kept, so
    a failing source keeps blocking what it blocked before and the next fetch is conditional."""

    __tablename__ = "external_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # ics | caldav
    url: Mapped[str] = mapped_column(String(2000))
    username: Mapped[str | None] = mapped_column(String(200))
    password: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("kind IN ('ics', 'caldav')", name="kind"),)


class ExternalBusy(db.Model):
    """One busy period from an external calendar (recurrences already expanded)."""

    __tablename__ = "external_busy"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("external_calendars.id", ondelete="CASCADE"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("counsellors.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        Index("ix_external_busy_counsellor_start", "counsellor_id", "start_at"),
    )


class CalDavTarget(db.Model):
    """Where a counsellor's appointments are written (optional, one per counsellor)."""

    __tablename__ = "caldav_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))  # the calendar collection
    username: Mapped[str | None] = mapped_column(String(200))
    password: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
