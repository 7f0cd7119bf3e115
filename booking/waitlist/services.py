"""Joining and leaving the office waiting list: entries, their secret links, the wished time.

Entry and offer links are HMACs of the row's own values under the secret key, like the manage
links of appointments: unguessable, only their SHA-256 stored, and reproducible by the worker
when it writes an e-mail (so no secret ever sits in an outbox payload). Services flush; the
callers commit once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.appointments import tokens
from booking.appointments.models import Appointment
from booking.appointments.services import CONSENT_VERSION, load_location, load_service
from booking.audit.services import record
from booking.availability.services import bookable_range, find_free_slots, local_date
from booking.catalogue.languages import is_known_language
from booking.catalogue.models import Service
from booking.extensions import db
from booking.network.models import Location
from booking.waitlist.models import SlotHold, WaitlistEntry

ACTIVE = ("waiting", "offered")


class WaitlistError(Exception):
    """A refused waiting-list action; ``code`` is stable and mapped to a message by the views."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def entry_token(entry: WaitlistEntry) -> str:
    return tokens.sign(f"waitlist-entry:{entry.id}:{entry.created_at.isoformat()}")


def hold_token(hold: SlotHold) -> str:
    # One entry is offered one freed time once (offers go round in turn), so these values
    # name exactly one hold.
    return tokens.sign(f"waitlist-hold:{hold.entry_id}:{hold.counsellor_id}:"
                 f"{hold.start_at.isoformat()}:{hold.created_at.isoformat()}")


def entry_url(token: str) -> str:
    return tokens.public_url(f"/waitlist/{token}")


def offer_url(token: str) -> str:
    return tokens.public_url(f"/waitlist/offer/{token}")


def find_entry(token: str) -> WaitlistEntry | None:
    return tokens.find_by_token(WaitlistEntry.manage_token_hash, token)


def find_hold(token: str) -> SlotHold | None:
    return tokens.find_by_token(SlotHold.token_hash, token)


def open_holds_of(entry: WaitlistEntry) -> list[SlotHold]:
    return list(db.session.scalars(select(SlotHold).where(
        SlotHold.entry_id == entry.id, SlotHold.status == "open")))


def wished_before(service: Service, location: Location, language: str,
                  now: datetime) -> datetime:
    """The start of the earliest time on offer now for this service, place and language
    within the booking horizon (a waiting person wants anything earlier); the end of the
    horizon when nothing is on offer."""
    latest = bookable_range(now)[1]
    search = find_free_slots(service=service, locations=[location], language=language,
                             first_day=local_date(now),
                             end_day=local_date(latest - timedelta(seconds=1))
                             + timedelta(days=1), now=now)
    return min((slot.start for slot in search.slots), default=latest)


@dataclass(frozen=True)
class JoinRequest:
    service_id: str
    location_id: str
    language: str
    name: str
    email: str
    phone: str | None = None
    consent: bool = False
    locale: str = "de"
    channel: str = "in_person"


def _add_entry(entry: WaitlistEntry, actor: str) -> tuple[WaitlistEntry, str]:
    db.session.add(entry)
    db.session.flush()  # the id is part of the link
    token = entry_token(entry)
    entry.manage_token_hash = tokens.hash_token(token)
    db.session.flush()
    from booking.waitlist.notifications import enqueue_joined

    enqueue_joined(entry)
    record("create", "waitlist_entry", entry.id, actor=actor,
           organisation_id=entry.organisation_id)
    return entry, token


def join_waitlist(request: JoinRequest, *, now: datetime) -> tuple[WaitlistEntry, str] | None:
    """Put the client on the waiting list for a time before the earliest one on offer. None
    when the same address already waits for the same thing (one entry is enough; the link
    was sent by e-mail, and a page must not hand it to whoever types the address)."""
    service = load_service(request.service_id)
    location = load_location(request.location_id)
    if not is_known_language(request.language):
        raise WaitlistError("unknown_language", "language")
    if not request.consent:
        raise WaitlistError("consent_required", "consent")
    email = request.email.strip().lower()
    duplicate = db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.location_id == location.id, WaitlistEntry.service_id == service.id,
        WaitlistEntry.language_code == request.language,
        WaitlistEntry.client_email == email, WaitlistEntry.appointment_id.is_(None),
        WaitlistEntry.status.in_(ACTIVE)))
    if duplicate is not None:
        return None
    entry = WaitlistEntry(
        organisation_id=location.organisation_id, location_id=location.id,
        service_id=service.id, language_code=request.language, locale=request.locale,
        channel=request.channel,
        wanted_before=wished_before(service, location, request.language, now),
        client_name=request.name, client_email=email, client_phone=request.phone or None,
        consent_version=CONSENT_VERSION, consent_at=now, status="waiting",
        created_at=now, updated_at=now)
    return _add_entry(entry, "client")


def active_entry_for(appointment: Appointment) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.appointment_id == appointment.id, WaitlistEntry.status.in_(ACTIVE)))


def join_for_appointment(appointment: Appointment, *, now: datetime
                         ) -> tuple[WaitlistEntry, str]:
    """Wait for an earlier time than this booked one; taking an offer moves the appointment
    (same reference). Asking twice gives the same entry."""
    if appointment.status != "confirmed" or appointment.start_at <= now:
        raise WaitlistError("too_late")
    if not appointment.client_email:
        raise WaitlistError("no_email")
    existing = active_entry_for(appointment)
    if existing is not None:
        return existing, entry_token(existing)
    entry = WaitlistEntry(
        organisation_id=appointment.organisation_id, location_id=appointment.location_id,
        service_id=appointment.service_id, language_code=appointment.language_code,
        locale=appointment.locale, channel=appointment.channel,
        wanted_before=appointment.start_at,
        appointment_id=appointment.id, client_name=appointment.client_name,
        client_email=appointment.client_email, client_phone=appointment.client_phone,
        consent_version=appointment.consent_version, consent_at=appointment.consent_at or now,
        status="waiting", created_at=now, updated_at=now)
    return _add_entry(entry, "client")


def release_hold(hold: SlotHold, status: str, now: datetime) -> None:
    """Close an open hold; its entry waits again (keeping its place) unless it has moved on
    (booked, withdrawn, expired)."""
    hold.status, hold.resolved_at = status, now
    entry = hold.entry
    if entry.status == "offered":
        entry.status, entry.updated_at = "waiting", now


def end_entry(entry: WaitlistEntry, status: str, now: datetime) -> list[SlotHold]:
    """Take the entry off the list (``withdrawn`` or ``expired``); its open holds become void.
    Returns them, so the caller can offer their times to the next person."""
    entry.status, entry.updated_at = status, now
    holds = open_holds_of(entry)
    for hold in holds:
        release_hold(hold, "void", now)
    db.session.flush()
    return holds
