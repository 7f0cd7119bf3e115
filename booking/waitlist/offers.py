"""Offering freed times to the waiting list in turn: hold a time for the first person waiting
for it, let them take or decline it, and pass it on when they decline, withdraw or let the
hold run out.

A hold blocks its counsellor's time for everybody else in the slot engine
(``find_free_slots(ignore_hold_id=…)`` lets the holder book it). Each waiting entry is offered
one freed time once: whoever declined or let a time pass is not asked about it again, and
keeps their place for the next freed time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from booking.appointments import tokens
from booking.appointments.models import ACTIVE_STATUSES, Appointment
from booking.appointments.services import (
    BookingError,
    BookingRequest,
    book_appointment,
    reschedule_appointment,
)
from booking.audit.services import record
from booking.availability.services import find_free_slots, local_date
from booking.catalogue.models import Service
from booking.domain.slots import Slot
from booking.extensions import db
from booking.network.models import Location
from booking.waitlist.models import SlotHold, WaitlistEntry
from booking.waitlist.services import (
    WaitlistError,
    active_entry_for,
    end_entry,
    hold_token,
    release_hold,
)


@dataclass(frozen=True)
class FreedTime:
    """A counsellor's time at a place that became free (its start is what gets offered)."""

    counsellor_id: int
    location_id: str
    start_at: datetime

    @classmethod
    def of(cls, record_with_time: Appointment | SlotHold) -> FreedTime:
        return cls(record_with_time.counsellor_id, record_with_time.location_id,
                   record_with_time.start_at)


@dataclass(frozen=True)
class Taken:
    appointment: Appointment
    token: str  # the appointment's manage link
    moved: bool  # an existing appointment moved (else a new booking)


def offer_freed_time(appointment: Appointment, *, now: datetime) -> SlotHold | None:
    """The cancellation hook: a wish to move this appointment earlier lapses with it, and its
    time is offered to the first person waiting for it."""
    waiting_to_move = active_entry_for(appointment)
    if waiting_to_move is not None:
        _end_and_pass_on(waiting_to_move, "withdrawn", now)
    return offer_time(FreedTime.of(appointment), now=now)


def offer_time(freed: FreedTime, *, now: datetime) -> SlotHold | None:
    """Hold the freed time for the first waiting entry (created first) at that place that
    wants a time before it and can have it: the service fits there with that counsellor in
    the entry's language (or with an interpreter), beyond the minimum notice; an entry that
    moves a booked appointment needs that appointment still confirmed and later. At most one
    open hold per time: an open hold already blocks it in the engine, so nobody else matches.

    Runs inside every cancellation: one query when nobody waits for the place; the slot
    engine runs once per (service, language) among those waiting, in turn, until one fits."""
    if freed.start_at <= now:
        return None
    asked_before = select(SlotHold.entry_id).where(
        SlotHold.counsellor_id == freed.counsellor_id, SlotHold.start_at == freed.start_at)
    candidates = db.session.scalars(
        select(WaitlistEntry)
        .outerjoin(Appointment, Appointment.id == WaitlistEntry.appointment_id)
        .where(WaitlistEntry.location_id == freed.location_id,
               WaitlistEntry.status == "waiting", WaitlistEntry.wanted_before > freed.start_at,
               WaitlistEntry.id.not_in(asked_before),
               # ``freed.start_at > now``, so "later than the freed time" is "still ahead".
               or_(WaitlistEntry.appointment_id.is_(None),
                   and_(Appointment.status == "confirmed",
                        Appointment.start_at > freed.start_at)))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)).all()
    if not candidates:
        return None
    location = db.session.get(Location, freed.location_id)
    if location is None or not location.is_active:
        return None
    slots: dict[tuple[str, str], Slot | None] = {}
    for entry in candidates:
        key = (entry.service_id, entry.language_code)
        if key not in slots:
            slots[key] = _bookable_slot(entry, location, freed, now)
        if slots[key] is not None:
            # None only when the time is too close to hold for anybody.
            return _hold(entry, slots[key], now)
    return None


def _bookable_slot(entry: WaitlistEntry, location: Location, freed: FreedTime,
                   now: datetime) -> Slot | None:
    service = db.session.get(Service, entry.service_id)
    if service is None or not service.is_active:
        return None
    day = local_date(freed.start_at)
    search = find_free_slots(service=service, locations=[location],
                             language=entry.language_code, first_day=day,
                             end_day=day + timedelta(days=1), now=now,
                             counsellor_id=freed.counsellor_id)
    return next((s for s in search.slots if s.start == freed.start_at), None)


def _hold(entry: WaitlistEntry, slot: Slot, now: datetime) -> SlotHold | None:
    cfg = current_app.config
    # Never held past the moment the time could still be booked online.
    expires_at = min(now + timedelta(minutes=cfg["WAITLIST_HOLD_MINUTES"]),
                     slot.start - timedelta(hours=cfg["BOOKING_MIN_NOTICE_HOURS"]))
    if expires_at <= now:
        return None
    hold = SlotHold(entry_id=entry.id, counsellor_id=slot.counsellor_id,
                    location_id=slot.location_id, start_at=slot.start, end_at=slot.end,
                    is_interpreter_needed=slot.interpreter, status="open",
                    expires_at=expires_at, created_at=now)
    hold.token_hash = tokens.hash_token(hold_token(hold))
    db.session.add(hold)
    entry.status, entry.updated_at = "offered", now
    db.session.flush()
    from booking.waitlist.notifications import enqueue_offer

    enqueue_offer(hold)
    record("offer", "slot_hold", hold.id, actor="system", organisation_id=entry.organisation_id,
           details={"entry_id": entry.id})
    return hold


def is_open(hold: SlotHold, now: datetime) -> bool:
    return hold.status == "open" and hold.expires_at > now


def take_offer(hold: SlotHold, *, now: datetime) -> Taken:
    """Book the held time for the entry (or move the entry's appointment there, keeping its
    reference); the usual invitation or update mail goes out. A moved appointment's former
    time is offered on in turn."""
    if not is_open(hold, now):
        raise WaitlistError("offer_gone")
    entry = hold.entry
    hold_id, freed_before = hold.id, None
    if entry.appointment_id is not None:
        appointment = db.session.get(Appointment, entry.appointment_id)
        if appointment is None:
            raise WaitlistError("offer_gone")
        freed_before = FreedTime.of(appointment)
        try:
            appointment = reschedule_appointment(
                appointment, hold.start_at, now=now, counsellor_id=hold.counsellor_id,
                ignore_hold_id=hold_id)
        except BookingError as error:
            raise WaitlistError("offer_gone") from error
        token = tokens.manage_token(appointment.ical_uid)
    else:
        try:
            booked = book_appointment(BookingRequest(
                service_id=entry.service_id, location_id=entry.location_id,
                start_at=hold.start_at, language=entry.language_code,
                name=entry.client_name or "", email=entry.client_email,
                phone=entry.client_phone, channel=entry.channel,
                wants_interpreter=hold.is_interpreter_needed,
                consent=entry.consent_version is not None, counsellor_id=hold.counsellor_id,
                locale=entry.locale, source="online", ignore_hold_id=hold_id), now=now)
        except BookingError as error:
            raise WaitlistError("offer_gone") from error
        appointment, token = booked.appointment, booked.token
    hold = db.session.get(SlotHold, hold_id)  # a lost race inside booking rolls back and reloads
    hold.status, hold.resolved_at = "taken", now
    entry = hold.entry
    entry.status, entry.appointment_id, entry.updated_at = "booked", appointment.id, now
    db.session.flush()
    record("take", "slot_hold", hold.id, actor="client", organisation_id=entry.organisation_id,
           details={"appointment_id": appointment.id})
    if freed_before is not None:
        offer_time(freed_before, now=now)
    return Taken(appointment, token, moved=freed_before is not None)


def decline_offer(hold: SlotHold, *, now: datetime) -> SlotHold | None:
    """No thanks: the entry waits again (keeping its place) and the time goes to the next."""
    if not is_open(hold, now):
        raise WaitlistError("offer_gone")
    release_hold(hold, "declined", now)
    db.session.flush()
    return offer_time(FreedTime.of(hold), now=now)


def give_up_hold(hold: SlotHold, *, now: datetime) -> None:
    """The held time could not be booked after all (taken meanwhile): void the hold."""
    if hold.status == "open":
        release_hold(hold, "void", now)
        db.session.flush()


def withdraw(entry: WaitlistEntry, *, now: datetime) -> bool:
    """Leave the waiting list; an offered time goes to the next person. Twice is harmless."""
    if entry.status not in ("waiting", "offered"):
        return False
    _end_and_pass_on(entry, "withdrawn", now)
    record("withdraw", "waitlist_entry", entry.id, actor="client",
           organisation_id=entry.organisation_id)
    return True


def _end_and_pass_on(entry: WaitlistEntry, status: str, now: datetime) -> None:
    for hold in end_entry(entry, status, now):
        offer_time(FreedTime.of(hold), now=now)


def expire_holds_and_entries(now: datetime) -> int:
    """The periodic clean-up (idempotent): holds whose entry no longer waits for them or whose
    time was booked another way become void, holds past their time expire; both pass the time
    on. Entries whose wished time has passed expire. Returns how many records changed."""
    changed = 0
    entries = db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.status.in_(("waiting", "offered")),
        WaitlistEntry.wanted_before <= now)).all()
    for entry in entries:
        _end_and_pass_on(entry, "expired", now)
        changed += 1
    booked_over = select(Appointment.id).where(
        Appointment.counsellor_id == SlotHold.counsellor_id,
        Appointment.status.in_(ACTIVE_STATUSES), Appointment.start_at < SlotHold.end_at,
        Appointment.end_at > SlotHold.start_at)
    stale = db.session.scalars(
        select(SlotHold).join(WaitlistEntry, WaitlistEntry.id == SlotHold.entry_id)
        .where(SlotHold.status == "open",
               (WaitlistEntry.status != "offered") | booked_over.exists())).all()
    for hold in stale:
        release_hold(hold, "void", now)
        changed += 1
    expired = db.session.scalars(select(SlotHold).where(
        SlotHold.status == "open", SlotHold.expires_at <= now)
        .order_by(SlotHold.expires_at, SlotHold.id)).all()
    for hold in expired:
        release_hold(hold, "expired", now)
        db.session.flush()
        offer_time(FreedTime.of(hold), now=now)
        changed += 1
    db.session.flush()
    return changed
