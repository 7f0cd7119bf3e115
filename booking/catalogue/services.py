"""Catalogue queries shared by the pages and the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.extensions import db


def active_services() -> list[Service]:
    return list(db.session.scalars(
        select(Service).where(Service.is_active).options(selectinload(Service.translations))
        .order_by(Service.sort_order, Service.id)
    ))


def service_names(locale: str) -> dict[str, str]:
    """Every service's name in ``locale`` (inactive ones too: records still name them), from
    one query with the texts."""
    return {service.id: service.name_in(locale) for service in db.session.scalars(
        select(Service).options(selectinload(Service.translations)))}


def languages_on_offer() -> list[str]:
    """Consultation languages spoken by at least one active counsellor."""
    return sorted(db.session.scalars(
        select(CounsellorLanguage.language_code).distinct()
        .join(Counsellor, Counsellor.id == CounsellorLanguage.counsellor_id)
        .where(Counsellor.is_active)
    ))
