"""The appointment record: who, where, when, in which language; minimal client contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db

STATUSES = ("confirmed", "cancelled", "attended", "no_show")
ACTIVE_STATUSES = ("confirmed", "attended", "no_show")  # these occupy the counsellor's time
SOURCES = ("online", "api", "desk")


class Appointment(db.Model):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short human reference the client quotes on the phone, e.g. "K7MQ-4X9D".
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # Both are covered by the composite same-organisation foreign keys below.
    counsellor_id: Mapped[int]
    location_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    channel: Mapped[str] = mapped_column(String(16), default="in_person")
    source: Mapped[str] = mapped_column(String(16), default="online")
    language_code: Mapped[str] = mapped_column(String(16))  # consultation language
    locale: Mapped[str] = mapped_column(String(16), default="de")  # client's UI language
    is_interpreter_needed: Mapped[bool] = mapped_column(default=False)

    # Minimal client contact; anonymised on schedule (issue 9), so every field may be NULL.
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_email: Mapped[str | None] = mapped_column(String(254))
    client_phone: Mapped[str | None] = mapped_column(String(64))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # SHA-256 of the manage token; the token itself is only ever in the client's link.
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # RFC 5545 §3.8.4.7: one UID for the appointment's whole life; §3.8.7.4: SEQUENCE per change.
    ical_uid: Mapped[str] = mapped_column(String(255), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)

    booked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    counsellor = relationship(
        "Counsellor", primaryjoin="Counsellor.id == foreign(Appointment.counsellor_id)",
        viewonly=True,
    )
    location = relationship(
        "Location", primaryjoin="Location.id == foreign(Appointment.location_id)", viewonly=True
    )
    service = relationship("Service")

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint(
            "status IN ('confirmed', 'cancelled', 'attended', 'no_show')", name="status"
        ),
        CheckConstraint("channel IN ('in_person', 'phone', 'video')", name="channel"),
        CheckConstraint("source IN ('online', 'api', 'desk')", name="source"),
        CheckConstraint("ical_sequence >= 0", name="sequence_non_negative"),
        CheckConstraint(
            "status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"
        ),
        # Counsellor and location belong to the appointment's organisation (tenant integrity).
        ForeignKeyConstraint(
            ["counsellor_id", "organisation_id"],
            ["counsellors.id", "counsellors.organisation_id"],
            name="fk_appointments_counsellor_same_org",
        ),
        ForeignKeyConstraint(
            ["location_id", "organisation_id"],
            ["locations.id", "locations.organisation_id"],
            name="fk_appointments_location_same_org",
        ),
        Index("ix_appointments_counsellor_start", "counsellor_id", "start_at"),
        Index("ix_appointments_location_start", "location_id", "start_at"),
        Index("ix_appointments_organisation_start", "organisation_id", "start_at"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
