"""The e-mail to a client whose mobile advice day was cancelled: in their language, with up to
three other times to book (the nearest free ones at the organisation's places, found when the
tour is cancelled) and a link into the booking flow. The calendar CANCEL itself goes out with
the appointment's own cancellation (``booking.appointments.notifications``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlencode

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from booking import clock
from booking.appointments.calendar import place_text
from booking.appointments.models import Appointment
from booking.appointments.notifications import _address
from booking.appointments.tokens import public_url
from booking.availability.services import find_free_slots, local_date
from booking.domain.slots import Slot
from booking.extensions import db
from booking.i18n import appointment_time_text, text_direction
from booking.network.models import Location
from booking.outbox.delivery import renders
from booking.outbox.mime import build_message
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue
from booking.tours.models import Tour

TOPIC = "tour.cancelled"
ALTERNATIVES = 3
SEARCH_DAYS = 28  # how far after the cancelled day other times are looked for


def other_times(appointment: Appointment, now: datetime, limit: int = ALTERNATIVES
                ) -> list[Slot]:
    """The free times nearest to the cancelled appointment for the same service and language
    at any active place of the organisation, earliest first."""
    locations = list(db.session.scalars(select(Location).where(
        Location.organisation_id == appointment.organisation_id, Location.is_active)))
    day = local_date(appointment.start_at)
    search = find_free_slots(
        service=appointment.service, locations=locations, language=appointment.language_code,
        first_day=max(local_date(now), day - timedelta(days=7)),
        end_day=day + timedelta(days=SEARCH_DAYS), now=now)
    closest = sorted(search.slots, key=lambda s: (abs(s.start - appointment.start_at), s.start))
    return sorted(closest[:limit], key=lambda s: s.start)


def enqueue_tour_cancelled(tour: Tour, appointment: Appointment, now: datetime) -> None:
    """Queue the e-mail (only for clients with an e-mail address)."""
    if not appointment.client_email:
        return
    alternatives = [{"start": s.start.isoformat(), "end": s.end.isoformat(),
                     "location": s.location_id} for s in other_times(appointment, now)]
    enqueue(TOPIC, payload={"recipient": "client", "tour_id": tour.id,
                            "start_at": appointment.start_at.isoformat(),
                            "end_at": appointment.end_at.isoformat(),
                            "alternatives": alternatives},
            organisation_id=appointment.organisation_id, appointment_id=appointment.id,
            dedupe_key=f"{TOPIC}:{tour.id}:{appointment.id}")


def _flow_url(step: str, **params) -> str:
    return public_url(f"/book/{step}?{urlencode(params)}")


def _place_name(location: Location | None) -> str:
    if location is None:
        return ""
    if location.kind == "office":
        return location.name
    return _("Mobile advice day in %(town)s", town=location.town)


def _alternatives(appointment: Appointment, payload: dict) -> list[dict]:
    """The stored times still to come, each with its link to the booking flow's last step."""
    now, found = clock.now(), []
    for item in payload.get("alternatives", []):
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        if start <= now:
            continue
        location = db.session.get(Location, item["location"])
        found.append({"when": appointment_time_text(start, end),
                      "place": _place_name(location),
                      "url": _flow_url("details", service=appointment.service_id,
                                       language=appointment.language_code,
                                       location=item["location"], channel="in_person",
                                       start=item["start"])})
    return found


@renders(TOPIC)
def render_tour_cancelled(message: OutboxMessage) -> EmailMessage | None:
    appointment = db.session.get(Appointment, message.appointment_id) \
        if message.appointment_id else None
    if appointment is None or appointment.anonymised_at is not None \
            or not appointment.client_email:
        return None
    payload, locale = message.payload, appointment.locale
    start = datetime.fromisoformat(payload["start_at"])
    end = datetime.fromisoformat(payload["end_at"])
    with force_locale(locale):
        text_service = appointment.service.text(locale)
        context = {
            "name": appointment.client_name, "lang": locale, "dir": text_direction(locale),
            "when": appointment_time_text(start, end), "place": place_text(appointment),
            "service_name": text_service.name if text_service else appointment.service_id,
            "reference": appointment.reference,
            "alternatives": _alternatives(appointment, payload),
            "booking_url": _flow_url("place", service=appointment.service_id,
                                     language=appointment.language_code),
            "organisation": appointment.location.organisation,
        }
        subject = _("The advice day on %(date)s has been cancelled",
                    date=format_date(start, "full"))
        text = render_template("emails/tours/cancelled.txt", **context)
        html = render_template("emails/tours/cancelled.html", **context)
    sender_name, sender = parseaddr(current_app.config["MAIL_FROM"])
    return build_message(sender=_address(sender_name, sender),
                         recipient=_address(appointment.client_name, appointment.client_email),
                         subject=subject, text=text, html=html)
