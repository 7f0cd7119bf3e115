"""An appointment as an iCalendar event, with texts in the reader's language."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _

from booking.appointments.models import Appointment
from booking.domain.ical import CalendarEvent


def place_text(appointment: Appointment) -> str:
    """Where (or how) the consultation takes place; also for a waiting-list entry, which has
    the same ``location`` and ``channel``."""
    location = appointment.location
    if appointment.channel == "phone":
        return _("By phone: the counsellor calls you at the number you gave.")
    if appointment.channel == "video":
        return _("Video call: you receive the link by e-mail before the appointment.")
    parts = [location.name if location.kind == "office"
             else _("Mobile advice day in %(town)s", town=location.town)]
    if location.address:
        parts.append(f"{location.address}, {location.postcode or ''} {location.town}".strip())
    return ", ".join(parts)


def appointment_event(appointment: Appointment, *, manage_url: str | None = None,
                      attendees: tuple[tuple[str, str | None], ...] | None = None,
                      start=None, end=None, sequence: int | None = None, stamp=None,
                      cancelled: bool | None = None) -> CalendarEvent:
    """The appointment as an event. The keyword arguments override the current state with a
    snapshot (an outbox message describes the appointment as it was when it changed)."""
    text = appointment.service.text(appointment.locale)
    service_name = text.name if text else appointment.service_id
    lines = [service_name, _("Reference: %(reference)s", reference=appointment.reference)]
    if text and text.what_to_bring:
        lines.append(_("Please bring: %(items)s", items=text.what_to_bring))
    if manage_url:
        lines.append(_("Move or cancel: %(url)s", url=manage_url))
    sender_name, sender = parseaddr(current_app.config["MAIL_FROM"])
    if attendees is None:
        attendees = ((appointment.client_email, appointment.client_name),) \
            if appointment.client_email else ()
    return CalendarEvent(
        uid=appointment.ical_uid,
        sequence=appointment.ical_sequence if sequence is None else sequence,
        start=start or appointment.start_at, end=end or appointment.end_at,
        stamp=stamp or appointment.updated_at,
        summary=_("IQ counselling appointment"), location=place_text(appointment),
        description="\n".join(lines), organizer_email=sender,
        organizer_name=appointment.location.name or sender_name, attendees=attendees,
        cancelled=appointment.status == "cancelled" if cancelled is None else cancelled,
        url=manage_url,
    )
