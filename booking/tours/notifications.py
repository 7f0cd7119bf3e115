"""The e-mail to a client whose mobile advice day was cancelled: in their language, with up to
three other times to book (the nearest free ones at the organisation's places, found when the
tour is cancelled) and a link into the booking flow. The calendar CANCEL itself goes out with
the appointment's own cancellation (``booking.appointments.notifications``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from booking import clock
from booking.appointments.calendar import place_text
from booking.appointments.models import Appointment
from booking.appointments.notifications import mail_address, sender_address
from booking.appointments.tokens import public_url
from booking.availability.services import find_free_slots, local_date
from booking.availability.views import place_name
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


def _nearest(slots: list[Slot], appointment: Appointment) -> list[Slot]:
    """The ``ALTERNATIVES`` free times nearest to the cancelled appointment, earliest first."""
    closest = sorted(slots, key=lambda s: (abs(s.start - appointment.start_at), s.start))
    return sorted(closest[:ALTERNATIVES], key=lambda s: s.start)


def enqueue_tour_cancelled(tour: Tour, appointments: list[Appointment], now: datetime) -> None:
    """Queue the e-mail to every client of ``appointments`` with an e-mail address, offering
    the free times nearest to their appointment for the same service and language at any
    active place of the organisation. The appointments share the tour's day, so one search
    per service and language serves them all."""
    told = [a for a in appointments if a.client_email]
    if not told:
        return
    locations = list(db.session.scalars(select(Location).where(
        Location.organisation_id == tour.organisation_id, Location.is_active)))
    first_day = max(local_date(now), tour.day - timedelta(days=7))
    end_day = tour.day + timedelta(days=SEARCH_DAYS)
    searches: dict[tuple[str, str], list[Slot]] = {}
    for appointment in told:
        key = (appointment.service_id, appointment.language_code)
        if key not in searches:
            searches[key] = find_free_slots(
                service=appointment.service, locations=locations,
                language=appointment.language_code, first_day=first_day, end_day=end_day,
                now=now).slots
        alternatives = [{"start": s.start.isoformat(), "end": s.end.isoformat(),
                         "location": s.location_id} for s in _nearest(searches[key], appointment)]
        enqueue(TOPIC, payload={"recipient": "client", "tour_id": tour.id,
                                "start_at": appointment.start_at.isoformat(),
                                "end_at": appointment.end_at.isoformat(),
                                "alternatives": alternatives},
                organisation_id=appointment.organisation_id, appointment_id=appointment.id,
                dedupe_key=f"{TOPIC}:{tour.id}:{appointment.id}")


def _flow_url(step: str, **params) -> str:
    return public_url(f"/book/{step}?{urlencode(params)}")


def _alternatives(appointment: Appointment, payload: dict) -> list[dict]:
    """The stored times still to come, each with its link to the booking flow's last step."""
    now = clock.now()
    items = [item for item in payload.get("alternatives", [])
             if datetime.fromisoformat(item["start"]) > now]
    places = {location.id: location for location in db.session.scalars(select(Location).where(
        Location.id.in_({item["location"] for item in items})))} if items else {}
    found = []
    for item in items:
        location = places.get(item["location"])
        if location is None:
            continue  # the place is gone: the time cannot be booked
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        found.append({"when": appointment_time_text(start, end), "place": place_name(location),
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
        context = {
            "name": appointment.client_name, "lang": locale, "dir": text_direction(locale),
            "when": appointment_time_text(start, end), "place": place_text(appointment),
            "service_name": appointment.service.name_in(locale),
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
    return build_message(sender=sender_address(),
                         recipient=mail_address(appointment.client_name,
                                                appointment.client_email),
                         subject=subject, text=text, html=html)
