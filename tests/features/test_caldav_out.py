"""Appointments in the counsellor's own CalDAV calendar, against a real Radicale server: a
booking appears, moves with a reschedule (same UID and href, higher SEQUENCE), goes to the new
counsellor's calendar on a reassignment and disappears on cancellation; a down server or a
wrong password delays the write, never loses it; nothing is written without a target."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import caldav
import pytest
from icalendar import Calendar
from sqlalchemy import select

from booking.appointments import services
from booking.appointments.models import Appointment
from booking.calendarsync import caldav_out
from booking.calendarsync.models import CalDavTarget
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage
from tests.conftest import NOW
from tests.features.booking_helpers import book, free_slots
from tests.features.test_ics_independent_parser import parse_with_ical_js
from tests.radicale_server import PASSWORD, USER

CLIENT_NAME, CLIENT_EMAIL = "Maria Beispiel", "maria@example.org"
WEDNESDAY, THURSDAY = date(2027, 2, 3), date(2027, 2, 4)


def travel(app, instant: datetime) -> None:
    app.config["CLOCK"] = lambda: instant


def tick(runner) -> None:
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def add_target(counsellor_id: int, url: str, *, password: str = PASSWORD,
               is_active: bool = True) -> CalDavTarget:
    target = CalDavTarget(counsellor_id=counsellor_id, url=url, username=USER,
                          password=password, is_active=is_active)
    db.session.add(target)
    db.session.commit()
    return target


def book_with_target(radicale, location: str = "rostock", name: str = "work"):
    """Book the first free Wednesday slot for its counsellor, who has a CalDAV target."""
    slot = free_slots(location, day=WEDNESDAY)[0]
    url = radicale.make_calendar(name)
    add_target(slot.counsellor_id, url)
    booked = book(slot, counsellor_id=slot.counsellor_id, name=CLIENT_NAME, email=CLIENT_EMAIL)
    return booked.appointment, url


def stored(url: str) -> dict[str, bytes]:
    """Every object in the collection: href -> body as the server returns it."""
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as client:
        return {str(obj.url): obj.data.encode() if isinstance(obj.data, str) else obj.data
                for obj in client.calendar(url=url).events()}


def only_event(url: str, appointment: Appointment):
    objects = stored(url)
    assert list(objects) == [caldav_out.object_url(url, appointment.ical_uid)]
    calendar = Calendar.from_ical(next(iter(objects.values())))
    (event,) = calendar.walk("VEVENT")
    return calendar, event, next(iter(objects.values()))


def caldav_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "caldav").order_by(OutboxMessage.id)))


def test_booking_appears_moves_and_disappears_on_cancellation(app, demo, radicale, runner,
                                                               tmp_path):
    appointment, url = book_with_target(radicale)
    tick(runner)
    calendar, event, raw = only_event(url, appointment)
    assert "METHOD" not in calendar  # a stored object, not a scheduling message (RFC 4791)
    assert str(event["UID"]) == appointment.ical_uid
    assert int(event["SEQUENCE"]) == 0
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (appointment.start_at,
                                                                  appointment.end_at)
    assert str(event["X-IQMV-APPOINTMENT"]) == "1"
    organizer, attendees = event["ORGANIZER"], event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    counsellor = db.session.get(Counsellor, appointment.counsellor_id)
    assert [str(a) for a in attendees] == [f"mailto:{counsellor.email}"]
    for address in (organizer, *attendees):
        assert address.params["SCHEDULE-AGENT"] == "CLIENT"  # RFC 6638 §7.1: no server mail
    # Same privacy as the feeds: reference and service, never the client's name or contact.
    assert appointment.reference in str(event["DESCRIPTION"])
    assert f"/staff/appointments/{appointment.reference}" in str(event["URL"])
    for personal in (CLIENT_NAME, "Beispiel", CLIENT_EMAIL):
        assert personal.encode() not in raw
    assert str(event["SUMMARY"]) and CLIENT_NAME not in str(event["SUMMARY"])

    # ical.js (Thunderbird's parser) reads the stored object the same way.
    path = tmp_path / "stored.ics"
    path.write_bytes(raw)
    (parsed,) = parse_with_ical_js([path])["stored.ics"]["events"]
    assert parsed["uid"] == appointment.ical_uid and parsed["sequence"] == 0
    assert parsed["dtstart"] == appointment.start_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parsed["attendees"][0]["cn"] == counsellor.display_name

    # Moved to Thursday with the same counsellor: the same object, new times and SEQUENCE.
    new_slot = next(s for s in free_slots("rostock", day=THURSDAY)
                    if s.counsellor_id == appointment.counsellor_id)
    services.reschedule_appointment(appointment, new_slot.start, now=NOW)
    db.session.commit()
    tick(runner)
    appointment = db.session.get(Appointment, appointment.id)
    _calendar, event, _raw = only_event(url, appointment)
    assert str(event["UID"]) == appointment.ical_uid
    assert int(event["SEQUENCE"]) == appointment.ical_sequence == 1
    assert event.decoded("DTSTART") == new_slot.start == appointment.start_at

    services.cancel_appointment(appointment, now=NOW)
    db.session.commit()
    tick(runner)
    assert stored(url) == {}
    assert [(m.topic, m.status) for m in caldav_messages()] == [
        ("caldav.put", "sent"), ("caldav.put", "sent"), ("caldav.delete", "sent")]
    # The payload carries only what the write needs.
    assert {key for m in caldav_messages() for key in m.payload} == {
        "uid", "counsellor_id", "sequence", "start_at", "end_at"}


def test_reassignment_moves_the_event_to_the_new_counsellors_calendar(app, demo, radicale,
                                                                      runner):
    appointment, first_url = book_with_target(radicale)
    first = appointment.counsellor_id
    other_slot = next(s for s in free_slots("rostock", day=THURSDAY) if s.counsellor_id != first)
    second_url = radicale.make_calendar("second")
    add_target(other_slot.counsellor_id, second_url)
    tick(runner)
    assert len(stored(first_url)) == 1

    services.reschedule_appointment(appointment, other_slot.start, now=NOW)
    db.session.commit()
    tick(runner)
    appointment = db.session.get(Appointment, appointment.id)
    assert appointment.counsellor_id == other_slot.counsellor_id != first
    assert stored(first_url) == {}
    _calendar, event, _raw = only_event(second_url, appointment)
    assert int(event["SEQUENCE"]) == 1
    assert sorted((m.topic, m.payload["counsellor_id"]) for m in caldav_messages()) == sorted([
        ("caldav.put", first), ("caldav.put", other_slot.counsellor_id),
        ("caldav.delete", first)])


def test_without_an_active_target_nothing_is_written(app, demo, radicale):
    slot = free_slots(day=WEDNESDAY)[0]
    booked = book(slot, counsellor_id=slot.counsellor_id)
    add_target(slot.counsellor_id, radicale.make_calendar("off"), is_active=False)
    other = free_slots(day=WEDNESDAY)[0]
    book(other, counsellor_id=slot.counsellor_id)
    services.cancel_appointment(booked.appointment, now=NOW)
    db.session.commit()
    assert caldav_messages() == []
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "email"))


def test_a_target_switched_off_after_booking_skips_the_write(app, demo, radicale, runner):
    appointment, url = book_with_target(radicale)
    target = db.session.scalar(select(CalDavTarget))
    target.is_active = False
    db.session.commit()
    tick(runner)
    assert [m.status for m in caldav_messages()] == ["skipped"]
    assert stored(url) == {}


def test_server_down_the_write_waits_with_backoff_and_lands_after_recovery(app, demo, radicale,
                                                                           runner):
    appointment, url = book_with_target(radicale)
    radicale.stop()
    tick(runner)
    (message,) = caldav_messages()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.available_at == NOW + timedelta(minutes=1)
    assert "Connection" in message.last_error and PASSWORD not in message.last_error
    target = db.session.scalar(select(CalDavTarget))
    assert target.last_error and PASSWORD not in target.last_error
    # E-mails are not held back by the calendar server.
    assert {m.status for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "email"))} == {"sent"}

    radicale.start()  # the same folder and port
    tick(runner)  # not due yet
    assert stored(url) == {}
    travel(app, NOW + timedelta(minutes=1))
    tick(runner)
    assert [(m.status, m.attempts, m.last_error) for m in caldav_messages()] == [
        ("sent", 2, None)]
    assert db.session.scalar(select(CalDavTarget)).last_error is None
    only_event(url, appointment)


def test_wrong_password_retries_then_succeeds_once_fixed(app, demo, radicale, runner):
    appointment, url = book_with_target(radicale)
    target = db.session.scalar(select(CalDavTarget))
    target.password = "falsches-passwort"
    db.session.commit()
    tick(runner)
    (message,) = caldav_messages()
    assert message.status == "pending" and "Unauthorized" in message.last_error
    assert "falsches-passwort" not in message.last_error
    assert "falsches-passwort" not in db.session.scalar(select(CalDavTarget)).last_error

    db.session.scalar(select(CalDavTarget)).password = PASSWORD
    db.session.commit()
    travel(app, NOW + timedelta(minutes=1))
    tick(runner)
    assert [m.status for m in caldav_messages()] == ["sent"]
    only_event(url, appointment)


def test_gives_up_after_the_last_attempt_like_mail(app, demo, radicale):
    from booking.outbox.delivery import MAX_ATTEMPTS

    book_with_target(radicale)
    radicale.stop()
    for attempt in range(MAX_ATTEMPTS):
        travel(app, NOW + timedelta(hours=7 * attempt))
        deliver_due_messages()
    (message,) = caldav_messages()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)


def test_cancelled_while_down_the_calendar_ends_empty(app, demo, radicale, runner):
    """The booking's PUT waits for its retry while the cancellation's DELETE is due first:
    the older PUT must not bring the cancelled appointment back."""
    appointment, url = book_with_target(radicale)
    radicale.stop()
    tick(runner)
    services.cancel_appointment(db.session.get(Appointment, appointment.id), now=NOW)
    db.session.commit()
    radicale.start()
    tick(runner)  # only the DELETE is due: nothing there yet, which counts as done
    travel(app, NOW + timedelta(minutes=1))
    tick(runner)
    assert [(m.topic, m.status) for m in caldav_messages()] == [
        ("caldav.put", "skipped"), ("caldav.delete", "sent")]
    assert stored(url) == {}


def test_delivery_is_idempotent(app, demo, radicale, runner):
    appointment, url = book_with_target(radicale)
    tick(runner)
    (put,) = caldav_messages()
    before = stored(url)
    assert caldav_out.deliver(put) == "sent"  # the same message again: the same object
    assert stored(url) == before
    services.cancel_appointment(db.session.get(Appointment, appointment.id), now=NOW)
    db.session.commit()
    tick(runner)
    delete = caldav_messages()[-1]
    assert caldav_out.deliver(delete) == "sent"  # already gone: done
    assert stored(url) == {}


def test_an_existing_copy_under_another_name_is_replaced(app, demo, radicale, runner):
    """The counsellor's mail program filed the e-mailed invitation into the same calendar
    under its own name: the server refuses a second object with that UID (409), so ours
    replaces it."""
    appointment, url = book_with_target(radicale)
    foreign = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mail//EN\r\nBEGIN:VEVENT\r\n"
               f"UID:{appointment.ical_uid}\r\nDTSTAMP:20270101T000000Z\r\n"
               f"DTSTART:20270101T080000Z\r\nDTEND:20270101T090000Z\r\nSUMMARY:old\r\n"
               f"END:VEVENT\r\nEND:VCALENDAR\r\n")
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as client:
        assert client.put(f"{url}invitation-from-mail.ics", foreign, {}).status == 201
    tick(runner)
    _calendar, event, _raw = only_event(url, appointment)
    assert event.decoded("DTSTART") == appointment.start_at
    assert [m.status for m in caldav_messages()] == ["sent"]


@pytest.mark.parametrize("password", ["geheim-123", "p@ss:w/rd"])
def test_error_texts_hide_passwords(app, demo, password):
    target = CalDavTarget(counsellor_id=1, url="https://user:geheim@cal.example.org/x/",
                          password=password)
    error = RuntimeError(f"failed for https://user:geheim@cal.example.org/x/ with {password}")
    text = caldav_out.safe_error_text(error, target)
    assert password not in text and "geheim" not in text
    assert "cal.example.org/x/" in text
