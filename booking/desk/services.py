"""Office desk queries: find appointments, today's list, who speaks what at a place, and
whether an appointment may still be moved. They read (and flush nothing); views commit."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import segno
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.appointments.models import Appointment
from booking.availability.models import WeeklyHours
from booking.availability.services import booking_timezone, local_today
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.domain.calendar_rules import local_to_utc
from booking.extensions import db
from booking.staff.access import in_scope

MIN_SEARCH_LENGTH = 2
MAX_RESULTS = 50


def _with_details(statement):
    return statement.options(joinedload(Appointment.location),
                             joinedload(Appointment.service).selectinload(Service.translations))


def _like_pattern(text: str) -> str:
    """``text`` as a LIKE substring pattern; the user's % and _ are literal characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_appointments(query: str) -> list[Appointment]:
    """Appointments of the user's organisation whose reference, client name or e-mail address
    contains ``query`` (case-insensitive), the latest first."""
    query = query.strip()
    if len(query) < MIN_SEARCH_LENGTH:
        return []
    pattern = _like_pattern(query)
    statement = _with_details(select(Appointment)).where(or_(
        Appointment.reference.ilike(_like_pattern(query.upper()), escape="\\"),
        Appointment.client_name.ilike(pattern, escape="\\"),
        Appointment.client_email.ilike(pattern, escape="\\"),
    )).order_by(Appointment.start_at.desc()).limit(MAX_RESULTS)
    return list(db.session.scalars(in_scope(statement, Appointment.organisation_id)))


def todays_appointments() -> list[Appointment]:
    """The organisation's appointments of today (local day), cancelled ones included."""
    tz = booking_timezone()
    today = local_today()
    start = local_to_utc(today, time(0), tz)
    end = local_to_utc(today + timedelta(days=1), time(0), tz)
    statement = _with_details(select(Appointment)).where(
        Appointment.start_at >= start, Appointment.start_at < end,
    ).order_by(Appointment.start_at, Appointment.reference)
    return list(db.session.scalars(in_scope(statement, Appointment.organisation_id)))


def languages_spoken_at(location_id: str) -> set[str]:
    """Languages of the active counsellors with weekly hours at the location (others need an
    interpreter, which the slot engine adds by itself)."""
    working_here = select(WeeklyHours.counsellor_id).where(
        WeeklyHours.location_id == location_id)
    return set(db.session.scalars(
        select(CounsellorLanguage.language_code).distinct()
        .join(Counsellor, Counsellor.id == CounsellorLanguage.counsellor_id)
        .where(Counsellor.is_active, Counsellor.id.in_(working_here))))


def move_refusal(appointment: Appointment, now: datetime) -> str | None:
    """Why the appointment cannot be moved (``cancelled``, ``past``), or None."""
    if appointment.status == "cancelled":
        return "cancelled"
    if appointment.status != "confirmed" or appointment.start_at <= now:
        return "past"
    return None


def qr_code_svg(url: str, label: str) -> Markup:
    """The link as an inline SVG QR code (segno; error correction M survives a smudged print),
    named for screen readers by ``label``."""
    svg = segno.make(url, error="m").svg_inline(scale=4, title=str(label), omitsize=True,
                                                svgclass="qr-code")
    # segno writes the markup and escapes the title; the label is escaped here.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)  # noqa: S704

