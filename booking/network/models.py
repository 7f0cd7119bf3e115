"""Provider organisations (tenants and data controllers), locations and towns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

LOCATION_KINDS = ("office", "mobile")


class Organisation(db.Model):
    """A provider organisation (Träger): the tenant boundary and data controller."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(300))
    # Personal data of past appointments is anonymised this many days later (issue 9).
    retention_days: Mapped[int] = mapped_column(default=180)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", foreign_keys="Location.organisation_id"
    )

    __table_args__ = (CheckConstraint("retention_days > 0", name="retention_positive"),)


class Location(db.Model):
    """Where counselling happens: one of the four offices or a mobile venue in a town."""

    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(120))
    town_id: Mapped[str | None] = mapped_column(ForeignKey("towns.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    phone: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(
        back_populates="locations", foreign_keys=[organisation_id]
    )

    __table_args__ = (
        CheckConstraint("kind IN ('office', 'mobile')", name="kind"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        # Target of composite foreign keys that keep hours and appointments inside one tenant.
        UniqueConstraint("id", "organisation_id"),
    )


class Town(db.Model):
    """A town where mobile advice days are held; which provider serves it is data, not geography."""

    __tablename__ = "towns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    district_code: Mapped[str] = mapped_column(String(8))
    district: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The office tours to this town usually start from. Deliberately no foreign key:
    # locations already reference towns, and a cycle would need ALTER TABLE, which SQLite lacks.
    base_office_id: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[float]
    lon: Mapped[float]
    population: Mapped[int | None]
    island: Mapped[str | None] = mapped_column(String(32))
    in_iq_atlas: Mapped[str | None] = mapped_column(String(16))
