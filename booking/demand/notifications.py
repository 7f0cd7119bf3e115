"""E-mails about an interest registration, in the client's language: the confirmation with the
withdraw link, and the invitation to a published mobile advice day with a booking link straight
into the flow. Rendered when the worker sends them; a withdrawn registration or a tour that is
no longer published sends nothing."""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from booking.appointments import tokens
from booking.appointments.notifications import mail_address, sender_address
from booking.availability.services import local_date
from booking.catalogue.languages import describe_language
from booking.catalogue.models import Service
from booking.demand.models import InterestRegistration
from booking.demand.services import CONFIRMATION_TOPIC, INVITATION_TOPIC, withdraw_url
from booking.extensions import db
from booking.feeds.events import venue_text
from booking.i18n import appointment_time_text, text_direction
from booking.network.models import Town
from booking.outbox.delivery import renders
from booking.outbox.mime import build_message
from booking.outbox.models import OutboxMessage
from booking.tours.models import Tour, TourStop


def booking_link(registration: InterestRegistration, stop: TourStop) -> str:
    """The flow's time step for the tour's venue, day, service and language (absolute)."""
    query = urlencode({"service": registration.service_id, "language": registration.language_code,
                       "location": stop.location_id, "channel": "in_person",
                       "day": local_date(stop.start_at).isoformat()})
    return tokens.public_url(f"/book/time?{query}")


def _invitation_context(registration: InterestRegistration, payload: dict) -> dict | None:
    tour = db.session.get(Tour, payload["tour_id"])
    stop = db.session.get(TourStop, payload["stop_id"])
    if tour is None or stop is None or tour.status != "published":
        return None  # cancelled or deleted since: this invitation is no longer true
    return {"when": appointment_time_text(stop.start_at, stop.end_at),
            "venue": venue_text(stop.location), "note": tour.public_note,
            "booking_url": booking_link(registration, stop),
            "date_text": format_date(stop.start_at, "full")}


@renders(CONFIRMATION_TOPIC, INVITATION_TOPIC)
def render_interest_message(message: OutboxMessage) -> EmailMessage | None:
    registration = db.session.get(InterestRegistration, message.payload.get("registration_id"))
    if registration is None or not registration.client_email \
            or registration.status == "withdrawn" or registration.anonymised_at is not None:
        return None
    kind = "invitation" if message.topic == INVITATION_TOPIC else "registered"
    locale = registration.locale
    with force_locale(locale):
        town = db.session.get(Town, registration.town_id)
        service = db.session.get(Service, registration.service_id)
        context = {
            "kind": kind, "name": registration.client_name, "town": town.name,
            "service_name": service.name_in(locale) if service else registration.service_id,
            "language_name": describe_language(registration.language_code)["name"],
            "withdraw_url": withdraw_url(registration), "lang": locale,
            "dir": text_direction(locale),
        }
        if kind == "invitation":
            extra = _invitation_context(registration, message.payload)
            if extra is None:
                return None
            context.update(extra)
            subject = _("Mobile advice day in %(town)s on %(date)s", town=town.name,
                        date=extra["date_text"])
        else:
            subject = _("We will invite you to an advice day in %(town)s", town=town.name)
        text = render_template("emails/demand/client.txt", **context)
        html = render_template("emails/demand/client.html", **context)
    return build_message(sender=sender_address(),
                         recipient=mail_address(registration.client_name,
                                                registration.client_email),
                         subject=subject, text=text, html=html)
