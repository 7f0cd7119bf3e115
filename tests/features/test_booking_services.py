"""Booking use cases: book, find by token, cancel, move; outbox and audit in the same change."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from booking import clock
from booking.appointments import services, tokens
from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from tests.features.booking_helpers import book, booking_request, free_slots


def _outbox(appointment_id):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment_id).order_by(OutboxMessage.id)).all()


def test_booking_stores_minimal_data_and_writes_messages(demo):
    slot = free_slots()[0]
    booked = book(slot, phone="+49 381 1234567", locale="uk")
    appointment = booked.appointment
    assert (appointment.start_at, appointment.end_at) == (slot.start, slot.end)
    assert appointment.status == "confirmed" and appointment.ical_sequence == 0
    assert appointment.consent_version == services.CONSENT_VERSION
    assert appointment.locale == "uk" and appointment.client_phone == "+49 381 1234567"
    # The token: at least 128 random bits behind it, never stored, only its hash.
    assert len(booked.token) >= 32
    assert appointment.manage_token_hash == tokens.hash_token(booked.token)
    assert booked.token not in repr(db.session.execute(select(Appointment.__table__)).all())
    assert len(appointment.ical_uid.split("@")[0]) == 32  # 128 random bits in hex
    messages = _outbox(appointment.id)
    assert {(m.topic, m.payload["recipient"]) for m in messages} == {
        ("appointment.booked", "client"), ("appointment.booked", "counsellor")}
    assert all(m.payload["method"] == "REQUEST" and m.payload["sequence"] == 0
               for m in messages)
    # The token is in no outbox row either: the worker derives the link when it writes.
    assert booked.token not in repr(db.session.execute(select(OutboxMessage.__table__)).all())
    assert tokens.manage_token(appointment.ical_uid) == booked.token
    audit = db.session.scalars(select(AuditEntry)).all()
    assert [(a.action, a.object_id, a.actor) for a in audit] == [
        ("create", str(appointment.id), "client")]
    assert "maria" not in repr([a.details for a in audit]).lower()


def test_reference_is_short_and_readable(demo):
    reference = book(free_slots()[0]).appointment.reference
    assert len(reference) == 9 and reference[4] == "-"
    assert not set(reference) & set("ILOU")


def test_find_by_token(demo):
    booked = book(free_slots()[0])
    assert services.find_by_token(booked.token) == booked.appointment
    # Another last character (a random token ends in "x" one time in 64).
    other = "y" if booked.token.endswith("x") else "x"
    assert services.find_by_token(booked.token[:-1] + other) is None
    assert services.find_by_token("") is None
    assert services.find_by_token("x" * 500) is None


def test_booking_a_taken_time_offers_the_nearest_alternatives(demo):
    slot = free_slots()[0]
    book(slot)
    with pytest.raises(services.SlotTaken) as taken:
        services.book_appointment(booking_request(slot, email="other@example.org"),
                                  now=clock.now())
    db.session.rollback()
    alternatives = taken.value.alternatives
    assert alternatives and all(a.start != slot.start for a in alternatives)
    assert alternatives == sorted(alternatives, key=lambda a: a.start)
    assert min(abs(a.start - slot.start) for a in alternatives) <= timedelta(hours=1)


def test_a_lost_race_takes_the_same_time_with_another_free_counsellor(demo):
    # Tuesday 10:00 in Rostock: three counsellors are free. Three bookings, three counsellors.
    day_slots = free_slots(day=clock.now().date() + timedelta(days=1))
    slot = next(s for s in day_slots if s.start.hour == 9)  # 10:00 local
    counsellors = {book(slot, email=f"c{i}@example.org").appointment.counsellor_id
                   for i in range(3)}
    assert len(counsellors) == 3
    with pytest.raises(services.SlotTaken):
        book(slot, email="fourth@example.org")


def test_booking_needs_consent_and_an_offered_channel(demo):
    slot = free_slots()[0]
    with pytest.raises(services.BookingError) as error:
        services.book_appointment(booking_request(slot, consent=False), now=clock.now())
    assert error.value.code == "consent_required"
    with pytest.raises(services.BookingError) as error:
        services.book_appointment(booking_request(slot, service_id="first-consultation",
                                                  channel="video"), now=clock.now())
    assert error.value.code == "channel_not_offered"
    with pytest.raises(services.BookingError) as error:
        services.book_appointment(booking_request(slot, location_id="atlantis"),
                                  now=clock.now())
    assert error.value.code == "unknown_location"


def test_a_time_that_is_not_offered_cannot_be_booked(demo):
    slot = free_slots()[0]
    with pytest.raises(services.SlotTaken):
        services.book_appointment(booking_request(slot, start_at=slot.start
                                                  + timedelta(minutes=7)), now=clock.now())


def test_cancel_is_idempotent_and_notifies_once(demo):
    appointment = book(free_slots()[0]).appointment
    assert services.cancel_appointment(appointment, now=clock.now()) is True
    db.session.commit()
    assert services.cancel_appointment(appointment, now=clock.now()) is False
    db.session.commit()
    assert appointment.status == "cancelled" and appointment.ical_sequence == 1
    cancels = [m for m in _outbox(appointment.id) if m.topic == "appointment.cancelled"]
    assert len(cancels) == 2  # client and counsellor, once each
    assert all(m.payload["method"] == "CANCEL" and m.payload["sequence"] == 1 for m in cancels)
    # The freed time is offered again.
    assert appointment.start_at in {s.start for s in free_slots()}


def test_past_appointments_cannot_be_changed(demo, app):
    appointment = book(free_slots()[0]).appointment
    app.config["CLOCK"] = lambda: appointment.start_at + timedelta(minutes=1)
    with pytest.raises(services.BookingError) as error:
        services.cancel_appointment(appointment, now=clock.now())
    assert error.value.code == "too_late"


def test_move_raises_the_sequence_and_frees_the_old_time(demo):
    slots = free_slots()
    appointment = book(slots[0]).appointment
    old_start = appointment.start_at
    target = next(s for s in free_slots() if s.start > old_start + timedelta(hours=2))
    services.reschedule_appointment(appointment, target.start, now=clock.now())
    db.session.commit()
    assert appointment.start_at == target.start and appointment.ical_sequence == 1
    assert old_start in {s.start for s in free_slots()}
    moved = [m for m in _outbox(appointment.id) if m.topic == "appointment.moved"]
    assert {m.payload["recipient"] for m in moved} == {"client", "counsellor"}
    assert all(m.payload["sequence"] == 1 for m in moved)


def test_move_by_half_an_hour_overlapping_itself(demo):
    appointment = book(free_slots()[0]).appointment
    start = appointment.start_at + timedelta(minutes=30)
    services.reschedule_appointment(appointment, start, now=clock.now())
    db.session.commit()
    assert appointment.start_at == start


def test_move_onto_a_taken_time_is_refused_with_alternatives(demo):
    first = book(free_slots()[0]).appointment
    other_slots = [s for s in free_slots() if s.start >= first.end_at + timedelta(hours=1)]
    second = book(other_slots[0], email="x@example.org").appointment
    # Book every other counsellor at that time too, so the time is truly gone.
    while True:
        try:
            book(other_slots[0], email=f"{db.session.scalar(select(func.count(Appointment.id)))}"
                                       "@example.org")
        except services.SlotTaken:
            db.session.rollback()
            break
    with pytest.raises(services.SlotTaken) as taken:
        services.reschedule_appointment(first, second.start_at, now=clock.now())
    db.session.rollback()
    assert taken.value.alternatives
    db.session.refresh(first)
    assert first.ical_sequence == 0  # nothing changed


def test_calendar_place_of_a_mobile_day_is_in_the_readers_language(app, demo):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from booking.appointments.calendar import place_text
    from booking.network.models import Location

    appointment = SimpleNamespace(location=db.session.get(Location, "wismar"),
                                  channel="in_person")
    with app.test_request_context(), force_locale("en"):
        assert place_text(appointment) == "Mobile advice day in Wismar"
    with app.test_request_context(), force_locale("de"):
        office = SimpleNamespace(location=db.session.get(Location, "rostock"),
                                 channel="in_person")
        assert place_text(office).startswith("IQ Servicestelle Rostock, Waldemarstraße 32")
