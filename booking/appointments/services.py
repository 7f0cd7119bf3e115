"""Booking use cases: book, look up by token, cancel, move. They flush; callers commit once.

Double booking is refused by the database (migration 0002). A booking that loses a race gets
the database's refusal, recomputes, and either takes the same start with another free
counsellor or reports ``SlotTaken`` with the nearest free alternatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from booking.appointments import tokens
from booking.appointments.models import Appointment
from booking.audit.services import record
from booking.availability.services import find_free_slots, local_date
from booking.calendarsync import caldav_out
from booking.catalogue.models import Service
from booking.domain.slots import Slot
from booking.extensions import db
from booking.network.models import Location
from booking.outbox.services import enqueue

CONSENT_VERSION = "2026-11-privacy-v1"
ATTEMPTS = 3


class BookingError(Exception):
    """A refused booking action; ``code`` is stable and mapped to a message by the views."""

    code = "booking_error"

    def __init__(self, code: str | None = None, field: str | None = None):
        super().__init__(code or self.code)
        self.code = code or self.code
        self.field = field


class SlotTaken(BookingError):
    code = "slot_taken"

    def __init__(self, alternatives: list[Slot]):
        super().__init__()
        self.alternatives = alternatives


@dataclass(frozen=True)
class BookingRequest:
    service_id: str
    location_id: str
    start_at: datetime
    language: str
    name: str
    email: str | None
    phone: str | None = None
    wants_interpreter: bool = False
    consent: bool = False
    counsellor_id: int | None = None
    channel: str = "in_person"
    locale: str = "de"
    source: str = "online"
    booked_by_user_id: int | None = None
    min_notice: timedelta | None = None  # None: the configured notice; the desk may pass 0
    ignore_hold_id: int | None = None  # the waiting-list hold of the person booking


@dataclass(frozen=True)
class Booked:
    appointment: Appointment
    token: str


def load_service(service_id: str) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or not service.is_active:
        raise BookingError("unknown_service", "service")
    return service


def load_location(location_id: str) -> Location:
    location = db.session.get(Location, location_id)
    if location is None or not location.is_active:
        raise BookingError("unknown_location", "location")
    return location


def _slot_at(service: Service, location: Location, language: str, start_at: datetime,
             now: datetime, *, counsellor_id: int | None = None,
             ignore_appointment_id: int | None = None,
             min_notice: timedelta | None = None,
             ignore_hold_id: int | None = None) -> Slot | None:
    day = local_date(start_at)
    search = find_free_slots(service=service, locations=[location], language=language,
                             first_day=day, end_day=day + timedelta(days=1), now=now,
                             counsellor_id=counsellor_id,
                             ignore_appointment_id=ignore_appointment_id, min_notice=min_notice,
                             ignore_hold_id=ignore_hold_id)
    return next((s for s in search.slots if s.start == start_at), None)


def nearest_alternatives(service: Service, location: Location, language: str,
                         around: datetime, now: datetime, limit: int = 6,
                         ignore_appointment_id: int | None = None,
                         counsellor_id: int | None = None,
                         min_notice: timedelta | None = None) -> list[Slot]:
    """The free slots closest in time to ``around`` at the same place (with the same
    counsellor when given), earliest first."""
    day = local_date(around)
    search = find_free_slots(service=service, locations=[location], language=language,
                             first_day=day - timedelta(days=3), end_day=day + timedelta(days=15),
                             now=now, ignore_appointment_id=ignore_appointment_id,
                             counsellor_id=counsellor_id, min_notice=min_notice)
    closest = sorted(search.slots, key=lambda s: abs((s.start - around).total_seconds()))
    return sorted(closest[:limit], key=lambda s: s.start)


def book_appointment(request: BookingRequest, *, now: datetime) -> Booked:
    service = load_service(request.service_id)
    location = load_location(request.location_id)
    if request.channel not in service.channels:
        raise BookingError("channel_not_offered", "channel")
    if not request.consent:
        raise BookingError("consent_required", "consent")
    for _attempt in range(ATTEMPTS):
        slot = _slot_at(service, location, request.language, request.start_at, now,
                        counsellor_id=request.counsellor_id, min_notice=request.min_notice,
                        ignore_hold_id=request.ignore_hold_id)
        if slot is None:
            break
        uid = tokens.new_ical_uid()
        token = tokens.manage_token(uid)
        appointment = Appointment(
            reference=tokens.new_reference(), organisation_id=location.organisation_id,
            counsellor_id=slot.counsellor_id, location_id=location.id, service_id=service.id,
            start_at=slot.start, end_at=slot.end, status="confirmed", channel=request.channel,
            source=request.source, language_code=request.language, locale=request.locale,
            is_interpreter_needed=slot.interpreter or request.wants_interpreter,
            client_name=request.name, client_email=request.email or None,
            client_phone=request.phone or None, consent_version=CONSENT_VERSION,
            consent_at=now, manage_token_hash=tokens.hash_token(token), ical_uid=uid,
            ical_sequence=0, booked_by_user_id=request.booked_by_user_id,
            created_at=now, updated_at=now,
        )
        db.session.add(appointment)
        try:
            db.session.flush()
        except IntegrityError:
            # Somebody else took this counsellor's time a moment ago: look again.
            db.session.rollback()
            service, location = load_service(service.id), load_location(location.id)
            continue
        _notify(appointment, "appointment.booked", "REQUEST")
        record("create", "appointment", appointment.id, actor=_actor(request),
               organisation_id=appointment.organisation_id,
               user_id=request.booked_by_user_id)
        return Booked(appointment, token)
    raise SlotTaken(nearest_alternatives(service, location, request.language,
                                         request.start_at, now,
                                         counsellor_id=request.counsellor_id,
                                         min_notice=request.min_notice))


def find_by_token(token: str) -> Appointment | None:
    return tokens.find_by_token(Appointment.manage_token_hash, token)


def _check_changeable(appointment: Appointment, now: datetime) -> None:
    if appointment.status == "cancelled":
        raise BookingError("already_cancelled")
    if appointment.status != "confirmed" or appointment.start_at <= now:
        raise BookingError("too_late")


def cancel_appointment(appointment: Appointment, *, now: datetime, actor: str = "client",
                       user_id: int | None = None) -> bool:
    """Cancel; cancelling twice is harmless and returns False the second time."""
    if appointment.status == "cancelled":
        return False
    _check_changeable(appointment, now)
    appointment.status = "cancelled"
    appointment.cancelled_at = appointment.updated_at = now
    appointment.ical_sequence += 1
    db.session.flush()
    _notify(appointment, "appointment.cancelled", "CANCEL")
    record("cancel", "appointment", appointment.id, actor=actor, user_id=user_id,
           organisation_id=appointment.organisation_id)
    # Late import: the waiting list builds on bookings. The freed time goes to the first
    # person waiting for it, in the same transaction.
    from booking.waitlist.offers import offer_freed_time

    offer_freed_time(appointment, now=now)
    return True


def reschedule_appointment(appointment: Appointment, new_start: datetime, *, now: datetime,
                           actor: str = "client", user_id: int | None = None,
                           min_notice: timedelta | None = None,
                           counsellor_id: int | None = None,
                           ignore_hold_id: int | None = None) -> Appointment:
    """Move to ``new_start`` (with ``counsellor_id`` when given; ``ignore_hold_id``: the
    waiting-list hold on that time that the client is taking)."""
    _check_changeable(appointment, now)
    appointment_id = appointment.id
    for _attempt in range(ATTEMPTS):
        service = load_service(appointment.service_id)
        location = load_location(appointment.location_id)
        slot = _slot_at(service, location, appointment.language_code, new_start, now,
                        counsellor_id=counsellor_id, ignore_appointment_id=appointment_id,
                        min_notice=min_notice, ignore_hold_id=ignore_hold_id)
        if slot is None:
            break
        previous_counsellor = appointment.counsellor_id
        previous_time = {"start_at": appointment.start_at.isoformat(),
                         "end_at": appointment.end_at.isoformat()}
        appointment.counsellor_id = slot.counsellor_id
        appointment.start_at, appointment.end_at = slot.start, slot.end
        appointment.is_interpreter_needed = appointment.is_interpreter_needed or slot.interpreter
        appointment.ical_sequence += 1
        appointment.updated_at = now
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            appointment = db.session.get(Appointment, appointment_id)
            continue
        _notify(appointment, "appointment.moved", "REQUEST")
        if previous_counsellor != appointment.counsellor_id:
            # The appointment went to another counsellor: take it out of the first one's
            # calendar (RFC 5546 CANCEL, same UID).
            _notify(appointment, "appointment.reassigned", "CANCEL", recipients=("counsellor",),
                    counsellor_id=previous_counsellor, **previous_time)
        record("move", "appointment", appointment.id, actor=actor, user_id=user_id,
               organisation_id=appointment.organisation_id)
        return appointment
    service = load_service(appointment.service_id)
    location = load_location(appointment.location_id)
    raise SlotTaken(nearest_alternatives(service, location, appointment.language_code,
                                         new_start, now, ignore_appointment_id=appointment_id,
                                         min_notice=min_notice))


def _actor(request: BookingRequest) -> str:
    return "staff" if request.booked_by_user_id else "client"


def _notify(appointment: Appointment, topic: str, method: str,
            recipients: tuple[str, ...] = ("counsellor", "client"), **extra) -> None:
    """Outbox messages for the client (when reachable by e-mail) and the counsellor: what
    changed, as it was at that moment (RFC 5546 METHOD and SEQUENCE). The manage link is not
    stored; the worker derives it from the appointment when it writes the e-mail."""
    snapshot = {"method": method, "sequence": appointment.ical_sequence,
                "start_at": appointment.start_at.isoformat(),
                "end_at": appointment.end_at.isoformat(), **extra}
    for recipient in recipients:
        if recipient == "client" and not appointment.client_email:
            continue
        enqueue(topic, payload={**snapshot, "recipient": recipient},
                organisation_id=appointment.organisation_id, appointment_id=appointment.id,
                dedupe_key=f"{topic}:{appointment.id}:{appointment.ical_sequence}:{recipient}")
    # And the counsellor's own CalDAV calendar, when they have one (the moved-away-from
    # counsellor of a reassignment is ``counsellor_id`` in ``extra``).
    caldav_out.enqueue_write(appointment, topic, counsellor_id=extra.get("counsellor_id"))
