"""Travel times between places, mobile advice tours and their stops.

A *place* is an office (a ``locations.id`` of kind office) or a town (``towns.id``); the travel
matrix is keyed by those ids, as the planner is. A tour is one counsellor's day: leave the start
office, counsel at each stop's venue (a mobile ``Location``), return to the end office. Only a
published tour changes what clients can book (``booking.tours.engine``).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

TOUR_STATUSES = ("draft", "published", "cancelled")
TRAVEL_SOURCES = ("estimate", "measured")


class TravelTime(db.Model):
    """Drive time from one place to another: seeded from the estimates, corrected by staff
    with measured times (``source`` tells which)."""

    __tablename__ = "travel_times"

    from_place_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    to_place_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    minutes: Mapped[int]
    road_km: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16), default="estimate")
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("minutes BETWEEN 0 AND 600", name="minutes_range"),
        CheckConstraint("source IN ('estimate', 'measured')", name="source"),
        CheckConstraint("from_place_id <> to_place_id", name="distinct_places"),
    )


class TourSeries(db.Model):
    """Recurring outreach days ("first Tuesday of every month in Wismar"): the tours made
    from one template share a series; ``rule`` is an RFC 5545 RRULE value."""

    __tablename__ = "tour_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Tour(db.Model):
    """One counsellor's mobile advice day, with the planner's timetable."""

    __tablename__ = "tours"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    counsellor_id: Mapped[int]  # covered by the composite same-organisation foreign key
    day: Mapped[date]
    start_office_id: Mapped[str] = mapped_column(String(64))
    end_office_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("tour_series.id", ondelete="SET NULL"), index=True)
    setup_minutes: Mapped[int] = mapped_column(default=15)
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime())
    return_at: Mapped[datetime] = mapped_column(UTCDateTime())
    drive_minutes: Mapped[int]
    # Shown to clients with the advice day (room, entrance); never personal data.
    public_note: Mapped[str] = mapped_column(String(500), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    stops: Mapped[list[TourStop]] = relationship(
        back_populates="tour", cascade="all, delete-orphan", order_by="TourStop.position")
    counsellor = relationship(
        "Counsellor", primaryjoin="Counsellor.id == foreign(Tour.counsellor_id)", viewonly=True)

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="status"),
        CheckConstraint("return_at > depart_at", name="return_after_departure"),
        CheckConstraint("drive_minutes >= 0", name="drive_non_negative"),
        CheckConstraint("setup_minutes BETWEEN 0 AND 120", name="setup_range"),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL",
                        name="published_has_time"),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL",
                        name="cancelled_has_time"),
        ForeignKeyConstraint(
            ["counsellor_id", "organisation_id"],
            ["counsellors.id", "counsellors.organisation_id"],
            name="fk_tours_counsellor_same_org", ondelete="CASCADE",
        ),
        UniqueConstraint("id", "organisation_id"),
        Index("ix_tours_counsellor_day", "counsellor_id", "day"),
        Index("ix_tours_status_day", "status", "day"),
    )


class TourStop(db.Model):
    """Counselling at a mobile venue during a tour: arrival, counselling window, departure."""

    __tablename__ = "tour_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int]
    organisation_id: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[str] = mapped_column(String(64))  # a mobile venue
    position: Mapped[int]  # 0-based order of the visits
    counselling_minutes: Mapped[int]
    earliest_start: Mapped[time | None]  # the staff's wishes, local wall-clock times
    latest_end: Mapped[time | None]
    drive_minutes_before: Mapped[int]  # from the previous place
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tour: Mapped[Tour] = relationship(back_populates="stops")
    location = relationship(
        "Location", primaryjoin="Location.id == foreign(TourStop.location_id)", viewonly=True)

    __table_args__ = (
        CheckConstraint("counselling_minutes BETWEEN 15 AND 600", name="minutes_range"),
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("start_at >= arrive_at AND depart_at >= end_at", name="timetable_order"),
        CheckConstraint("position >= 0", name="position_non_negative"),
        # The stop, its tour and its venue belong to one organisation.
        ForeignKeyConstraint(
            ["tour_id", "organisation_id"], ["tours.id", "tours.organisation_id"],
            name="fk_tour_stops_tour_same_org", ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["location_id", "organisation_id"],
            ["locations.id", "locations.organisation_id"],
            name="fk_tour_stops_location_same_org",
        ),
        UniqueConstraint("tour_id", "position"),
        Index("ix_tour_stops_location_start", "location_id", "start_at"),
    )
