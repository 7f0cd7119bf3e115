"""E-mails to people on the waiting list, in their language: the confirmation with the link
to leave the list, and the offer of a freed time held for them. Rendered when the worker sends
them; the links are derived from the records then (never stored in the outbox)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from flask import render_template
from flask_babel import force_locale, format_date, format_time, get_locale
from flask_babel import gettext as _

from booking import clock
from booking.appointments import tokens
from booking.appointments.calendar import place_text
from booking.appointments.notifications import mail_address, sender_address
from booking.availability.services import local_date
from booking.catalogue.languages import describe_language
from booking.catalogue.models import Service
from booking.extensions import db
from booking.i18n import appointment_time_text, text_direction
from booking.network.models import Location
from booking.outbox.delivery import renders
from booking.outbox.mime import build_message
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue
from booking.waitlist.models import SlotHold, WaitlistEntry
from booking.waitlist.services import entry_token, entry_url, hold_token, offer_url

TOPICS = ("waitlist.joined", "waitlist.offer")


def enqueue_joined(entry: WaitlistEntry) -> None:
    if entry.client_email:
        enqueue("waitlist.joined", payload={"entry_id": entry.id},
                organisation_id=entry.organisation_id,
                dedupe_key=f"waitlist.joined:{entry.id}")


def enqueue_offer(hold: SlotHold) -> None:
    entry = hold.entry
    if entry.client_email:
        enqueue("waitlist.offer", payload={"entry_id": entry.id, "hold_id": hold.id},
                organisation_id=entry.organisation_id,
                dedupe_key=f"waitlist.offer:{hold.id}")


def moment_text(instant: datetime) -> str:
    """'Mittwoch, 3. Februar 2027 um 10:00': the locale's own date-time pattern."""
    pattern = str(get_locale().datetime_formats["full"]).replace("'", "")
    return pattern.replace("{1}", format_date(instant, "full")).replace(
        "{0}", format_time(instant, "short"))


def until_text(instant: datetime, now: datetime) -> str:
    """Only the time when it is today (local), else the date and the time."""
    if local_date(instant) == local_date(now):
        return format_time(instant, "short")
    return moment_text(instant)


def _subject(kind: str, hold: SlotHold | None) -> str:
    if kind == "offer":
        return _("An earlier time is free for you: %(date)s",
                 date=format_date(hold.start_at, "full"))
    return _("You are on the waiting list")


@renders(*TOPICS)
def render_waitlist_message(message: OutboxMessage) -> EmailMessage | None:
    entry = db.session.get(WaitlistEntry, message.payload.get("entry_id"))
    if entry is None or entry.anonymised_at is not None or not entry.client_email:
        return None
    kind = message.topic.split(".", 1)[1]
    hold = db.session.get(SlotHold, message.payload["hold_id"]) if kind == "offer" else None
    if kind == "offer" and (hold is None or hold.status != "open"
                            or hold.expires_at <= clock.now()):
        return None  # taken, declined or run out meanwhile: the offer is no longer true
    if kind == "joined" and entry.status not in ("waiting", "offered"):
        return None
    location = db.session.get(Location, entry.location_id)
    service = db.session.get(Service, entry.service_id)
    locale = entry.locale
    with force_locale(locale):
        context = {
            "kind": kind, "entry": entry, "name": entry.client_name or "",
            "lang": locale, "dir": text_direction(locale),
            "service_name": service.name_in(locale) if service else entry.service_id,
            "language_name": describe_language(entry.language_code)["name"],
            "place": place_text(entry),
            "wanted_before": moment_text(entry.wanted_before),
            "entry_url": entry_url(entry_token(entry)),
            "booking_url": tokens.public_url("/book"),
            "office": location.name if location else "",
        }
        if hold is not None:
            url = offer_url(hold_token(hold))
            context.update(when=appointment_time_text(hold.start_at, hold.end_at),
                           held_until=until_text(hold.expires_at, clock.now()),
                           take_url=url, decline_url=f"{url}?answer=no",
                           interpreter=hold.is_interpreter_needed,
                           moves=entry.appointment_id is not None)
        subject = _subject(kind, hold)
        body_text = render_template("emails/waitlist/client.txt", **context)
        body_html = render_template("emails/waitlist/client.html", **context)
    return build_message(sender=sender_address(),
                         recipient=mail_address(entry.client_name, entry.client_email),
                         subject=subject, text=body_text, html=body_html)
