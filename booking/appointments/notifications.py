"""E-mails about an appointment, in the recipient's language: invitation (REQUEST), update
(REQUEST with a higher SEQUENCE), cancellation (CANCEL) and reminders. Rendered when the worker
sends them, from the snapshot the outbox message carries."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from booking import clock
from booking.appointments import tokens
from booking.appointments.calendar import appointment_event, place_text
from booking.appointments.models import Appointment
from booking.catalogue.languages import describe_language
from booking.counsellors.models import Counsellor
from booking.domain.ical import build_calendar
from booking.extensions import db
from booking.i18n import appointment_time_text, text_direction
from booking.outbox.delivery import renders
from booking.outbox.mime import build_message
from booking.outbox.models import OutboxMessage

COUNSELLOR_LOCALE = "de"
TOPICS = ("appointment.booked", "appointment.moved", "appointment.cancelled",
          "appointment.reassigned", "appointment.reminder")


def _subject(kind: str, recipient: str, date_text: str, reference: str) -> str:
    if recipient == "client":
        return {
            "booked": _("Your appointment on %(date)s", date=date_text),
            "moved": _("Your appointment has been moved to %(date)s", date=date_text),
            "cancelled": _("Your appointment on %(date)s has been cancelled", date=date_text),
            "reminder": _("Reminder: your appointment on %(date)s", date=date_text),
        }[kind]
    return {
        "booked": _("New appointment %(reference)s on %(date)s", reference=reference,
                    date=date_text),
        "moved": _("Appointment %(reference)s moved to %(date)s", reference=reference,
                   date=date_text),
        "cancelled": _("Appointment %(reference)s on %(date)s cancelled", reference=reference,
                       date=date_text),
    }["cancelled" if kind == "reassigned" else kind]


def mail_address(name: str | None, email: str) -> str:
    """A From/To header value, the display name encoded as RFC 5322 requires."""
    user, _at, domain = email.rpartition("@")
    return str(Address(display_name=name or "", username=user, domain=domain))


def sender_address() -> str:
    """``MAIL_FROM`` as the From header of every e-mail the service sends."""
    name, email = parseaddr(current_app.config["MAIL_FROM"])
    return mail_address(name, email)


@renders(*TOPICS)
def render_appointment_message(message: OutboxMessage) -> EmailMessage | None:
    appointment = db.session.get(Appointment, message.appointment_id) \
        if message.appointment_id else None
    if appointment is None or appointment.anonymised_at is not None:
        return None
    payload = message.payload
    kind = message.topic.split(".", 1)[1]
    start = datetime.fromisoformat(payload["start_at"])
    end = datetime.fromisoformat(payload["end_at"])
    if kind == "reminder" and (appointment.status != "confirmed" or start <= clock.now()
                               or appointment.start_at != start):
        return None  # cancelled, over, or moved since: this reminder is no longer true
    if payload["recipient"] == "client":
        if not appointment.client_email:
            return None
        locale, name, email = appointment.locale, appointment.client_name, \
            appointment.client_email
        url = tokens.manage_url(tokens.manage_token(appointment.ical_uid))
        attendees = ((email, name),)
    else:
        counsellor = db.session.get(Counsellor, payload.get("counsellor_id")
                                    or appointment.counsellor_id)
        locale, name, email = COUNSELLOR_LOCALE, counsellor.display_name, counsellor.email
        url = None
        attendees = ((email, name),) + (((appointment.client_email, appointment.client_name),)
                                         if appointment.client_email else ())
    method = payload.get("method") if kind != "reminder" else None
    with force_locale(locale):
        text_service = appointment.service.text(locale)
        context = {
            # Reminders link straight to the cancel confirmation: one click to a page with one
            # button (a GET that cancelled would be triggered by mail scanners' link checks).
            "kind": kind, "appointment": appointment, "name": name,
            "manage_url": f"{url}/cancel" if url and kind == "reminder" else url,
            "booking_url": tokens.public_url("/book"),
            "when": appointment_time_text(start, end),
            "place": place_text(appointment), "lang": locale, "dir": text_direction(locale),
            "service_name": text_service.name if text_service else appointment.service_id,
            "what_to_bring": text_service.what_to_bring if text_service else "",
            "language_name": describe_language(appointment.language_code)["name"],
        }
        subject = _subject(kind, payload["recipient"], format_date(start, "full"),
                           appointment.reference)
        template = f"emails/appointments/{payload['recipient']}"
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
        calendar = None
        if method:
            event = appointment_event(
                appointment, manage_url=url if method != "CANCEL" else None,
                attendees=attendees, start=start, end=end,
                sequence=payload["sequence"], stamp=message.created_at,
                cancelled=method == "CANCEL")
            calendar = build_calendar([event], method=method)
    return build_message(sender=sender_address(), recipient=mail_address(name, email),
                         subject=subject, text=text, html=html, calendar=calendar,
                         method=method)
