"""Counsellors and the consultation languages they speak."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.db_types import UTCDateTime, utcnow
from booking.extensions import db


class Counsellor(db.Model):
    """A counsellor belongs to exactly one organisation (a NOT NULL foreign key)."""

    __tablename__ = "counsellors"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    home_location_id: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    languages: Mapped[list[CounsellorLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="CounsellorLanguage.language_code"
    )

    __table_args__ = (
        UniqueConstraint("id", "organisation_id"),
        # The home office must belong to the counsellor's own organisation.
        ForeignKeyConstraint(
            ["home_location_id", "organisation_id"],
            ["locations.id", "locations.organisation_id"],
            name="fk_counsellors_home_location_same_org",
        ),
    )

    @property
    def language_codes(self) -> list[str]:
        return [lang.language_code for lang in self.languages]


class CounsellorLanguage(db.Model):
    __tablename__ = "counsellor_languages"

    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), primary_key=True
    )
    # BCP 47 primary language subtag (de, uk, ar, fa, prs, ps, ru, pl, ro, tr, en …).
    language_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)

    __table_args__ = (
        CheckConstraint("length(language_code) BETWEEN 2 AND 16", name="code_length"),
    )
