"""Weekly working hours (local wall-clock rules), counsellor absences and closures."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db


class WeeklyHours(db.Model):
    """A counsellor works at a location on a weekday from ``start_time`` to ``end_time``.

    The times are local wall-clock times in the booking time zone, so "Tuesday 09:00–16:00"
    stays 09:00–16:00 on both sides of a DST change. The rule holds from ``starts_on`` to
    ``ends_on`` (inclusive, open-ended when NULL) and every ``every_n_weeks`` weeks counted from
    the week of ``starts_on``.
    """

    __tablename__ = "weekly_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # Both are covered by the composite same-organisation foreign keys below.
    counsellor_id: Mapped[int]
    location_id: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int]  # ISO weekday - 1: Monday 0 … Sunday 6
    start_time: Mapped[time]
    end_time: Mapped[time]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    every_n_weeks: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
        CheckConstraint("every_n_weeks BETWEEN 1 AND 12", name="every_n_weeks_range"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="valid_period"),
        # Counsellor and location must belong to the same organisation as the rule.
        ForeignKeyConstraint(
            ["counsellor_id", "organisation_id"],
            ["counsellors.id", "counsellors.organisation_id"],
            name="fk_weekly_hours_counsellor_same_org",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["location_id", "organisation_id"],
            ["locations.id", "locations.organisation_id"],
            name="fk_weekly_hours_location_same_org",
        ),
        Index("ix_weekly_hours_counsellor_weekday", "counsellor_id", "weekday"),
        Index("ix_weekly_hours_location_id", "location_id"),
    )


class Absence(db.Model):
    """A counsellor is away (leave, illness, training) from ``start_at`` to ``end_at``."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Internal only, never shown to clients.
    reason: Mapped[str] = mapped_column(String(32), default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        Index("ix_absences_end_at", "end_at"),
    )


class Closure(db.Model):
    """A whole organisation or one location is closed (team day, move, Christmas week)."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint(
            "(organisation_id IS NULL) <> (location_id IS NULL)", name="one_scope"
        ),
    )
