"""Bookable services (first consultation, qualification counselling, follow-up) and their texts."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.extensions import db

CHANNELS = ("in_person", "phone", "video")


class Service(db.Model):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    duration_minutes: Mapped[int]
    # Kept free after an appointment (notes, room change); widens appointments in the engine.
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    # A consultation with an interpreter takes longer (60 → 90 minutes for a first consultation).
    interpreter_extra_minutes: Mapped[int] = mapped_column(default=0)
    offers_in_person: Mapped[bool] = mapped_column(default=True)
    offers_phone: Mapped[bool] = mapped_column(default=True)
    offers_video: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    translations: Mapped[list[ServiceTranslation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480", name="duration"),
        CheckConstraint("buffer_minutes >= 0", name="buffer"),
        CheckConstraint("interpreter_extra_minutes >= 0", name="interpreter_extra"),
        CheckConstraint("offers_in_person OR offers_phone OR offers_video", name="some_channel"),
    )

    @property
    def channels(self) -> tuple[str, ...]:
        offered = (self.offers_in_person, self.offers_phone, self.offers_video)
        return tuple(c for c, on in zip(CHANNELS, offered, strict=True) if on)

    def text(self, locale: str, fallback: str = "de") -> ServiceTranslation | None:
        """The translation for ``locale``, else the German one (the content's source language)."""
        by_locale = {t.locale: t for t in self.translations}
        return by_locale.get(locale) or by_locale.get(fallback)

    def name_in(self, locale: str) -> str:
        """The name in ``locale`` (German when untranslated; the id when there is no text)."""
        text = self.text(locale)
        return text.name if text else self.id


class ServiceTranslation(db.Model):
    __tablename__ = "service_translations"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    what_to_bring: Mapped[str] = mapped_column(Text, default="")

    service: Mapped[Service] = relationship(back_populates="translations")
