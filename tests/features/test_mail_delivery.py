"""What arrives at a real SMTP server for one booking's life: invitation, update, cancellation
(iMIP, RFC 6047) to the client and the counsellor, and the reminders before the appointment."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from booking import clock
from booking.appointments import services, tokens
from booking.appointments.jobs import send_due_reminders
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage
from tests.features.booking_helpers import book, free_slots

CLIENT = "maria@example.org"
OFFICE_ADDRESS = "Waldemarstraße 32"
WHAT_TO_BRING = "Die Unterlagen, um die es geht"
SERVICE_NAMES = ("Folgetermin", "Follow-up")
WEDNESDAY = date(2027, 2, 3)
# 07:30 in Berlin (CET, UTC+1): two working days before Wednesday 3 February, and that morning.
TWO_WORKING_DAYS_BEFORE = datetime(2027, 2, 1, 6, 30, tzinfo=UTC)
MORNING_OF_THE_DAY = datetime(2027, 2, 3, 6, 30, tzinfo=UTC)
UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def travel(app, instant: datetime) -> None:
    app.config["CLOCK"] = lambda: instant


def tick(runner) -> str:
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def arrived_since(server, seen: int) -> dict[str, list]:
    """Mail that arrived after the first ``seen`` ones, by envelope recipient."""
    by_recipient: dict[str, list] = {}
    for received in server.received[seen:]:
        assert len(received.recipients) == 1, received.recipients
        by_recipient.setdefault(received.recipients[0], []).append(received)
    return by_recipient


def assert_crlf_only(raw: bytes) -> None:
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF in the raw message"


def assert_no_service_name(message) -> None:
    assert not any(name in message["Subject"] for name in SERVICE_NAMES), message["Subject"]


def imip(received) -> tuple[str, bytes]:
    """Check the iMIP structure; return the MIME method and the calendar's bytes."""
    assert_crlf_only(received.raw)
    message = received.message
    assert_no_service_name(message)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, inline = alternative.get_payload()
    assert (text.get_content_type(), html.get_content_type(), inline.get_content_type()) == (
        "text/plain", "text/html", "text/calendar")
    method = inline.get_param("method")
    assert inline.get_param("charset") == "UTF-8"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_param("method") == method
    body = inline.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == body  # identical bytes
    assert_crlf_only(body)
    return method, body


def event_of(body: bytes, method: str):
    calendar = Calendar.from_ical(body)
    assert str(calendar["METHOD"]) == method  # RFC 6047 §2.4
    (event,) = calendar.walk("VEVENT")
    unfolded = body.decode().replace("\r\n ", "").split("\r\n")
    for name in ("DTSTART", "DTEND", "DTSTAMP"):
        (value,) = [line.split(":", 1)[1] for line in unfolded if line.startswith(f"{name}:")]
        assert UTC_STAMP.match(value), f"{name} is not in UTC: {value}"
    return event


def mailto(address) -> str:
    return str(address).removeprefix("mailto:").removeprefix("MAILTO:")


def attendees(event) -> set[str]:
    values = event.get("attendee", [])
    return {mailto(a) for a in (values if isinstance(values, list) else [values])}


def check_event(event, *, appointment, sequence: int, start, end, status: str) -> None:
    assert str(event["uid"]) == appointment.ical_uid
    assert int(event["sequence"]) == sequence
    assert str(event["status"]) == status
    assert event.decoded("dtstart") == start and event.decoded("dtend") == end
    assert event.decoded("dtstamp").tzinfo is not None
    assert mailto(event["organizer"]) == "termine@iq-mv.example.org"
    assert event["organizer"].params["CN"]
    assert OFFICE_ADDRESS in str(event["location"])


def test_invitation_update_and_cancellation_reach_client_and_counsellor(app, demo, smtp_server,
                                                                        runner):
    booked = book(free_slots(day=WEDNESDAY)[0])
    appointment = booked.appointment
    manage_url = tokens.manage_url(booked.token)
    counsellor = db.session.get(Counsellor, appointment.counsellor_id).email
    expected = []  # (method, sequence, status, start, end) per step

    def deliver_and_check(step: int, seen: int) -> None:
        tick(runner)
        method, sequence, status, start, end = expected[step]
        mail = arrived_since(smtp_server, seen)
        assert set(mail) == {CLIENT, counsellor}, set(mail)
        for recipient, (received,) in mail.items():
            got_method, body = imip(received)
            assert got_method == method
            event = event_of(body, method)
            check_event(event, appointment=appointment, sequence=sequence, start=start,
                        end=end, status=status)
            if recipient == CLIENT:
                assert received.message["To"].addresses[0].addr_spec == CLIENT
                assert attendees(event) == {CLIENT}
                description = str(event["description"])
                assert WHAT_TO_BRING in description
                # The link to move or cancel, except in the cancellation (nothing to manage).
                assert (manage_url in description) == (method == "REQUEST")
                text = received.message.get_body(("plain",)).get_content()
                assert (manage_url in text) == (method == "REQUEST")
                # A cancellation offers to book again, as an absolute link.
                book_again = app.config["BOOKING_BASE_URL"] + "/book"
                assert (book_again in text) == (method == "CANCEL")
            else:
                assert received.message["To"].addresses[0].addr_spec == counsellor
                assert counsellor in attendees(event)

    expected.append(("REQUEST", 0, "CONFIRMED", appointment.start_at, appointment.end_at))
    deliver_and_check(0, 0)

    # Moved to Thursday with the same counsellor: an update, SEQUENCE 1.
    target = next(s for s in free_slots(day=WEDNESDAY + timedelta(days=1))
                  if s.counsellor_id == appointment.counsellor_id and s.start.hour >= 9)
    services.reschedule_appointment(appointment, target.start, now=clock.now())
    db.session.commit()
    assert appointment.counsellor_id == target.counsellor_id
    expected.append(("REQUEST", 1, "CONFIRMED", target.start, target.end))
    deliver_and_check(1, 2)

    services.cancel_appointment(appointment, now=clock.now())
    db.session.commit()
    expected.append(("CANCEL", 2, "CANCELLED", target.start, target.end))
    deliver_and_check(2, 4)

    assert len(smtp_server.received) == 6
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sent"] * 6


def test_a_move_to_another_counsellor_cancels_the_event_in_the_first_calendar(
        app, demo, smtp_server, runner):
    # Wednesday 09:00 with one counsellor; Thursday 08:00 (Berlin) only another one works.
    appointment = book(free_slots(day=WEDNESDAY)[0]).appointment
    first = db.session.get(Counsellor, appointment.counsellor_id).email
    old_start = appointment.start_at
    tick(runner)
    target = next(s for s in free_slots(day=WEDNESDAY + timedelta(days=1))
                  if s.counsellor_id != appointment.counsellor_id)
    services.reschedule_appointment(appointment, target.start, now=clock.now())
    db.session.commit()
    second = db.session.get(Counsellor, target.counsellor_id).email
    tick(runner)
    mail = arrived_since(smtp_server, 2)
    assert set(mail) == {CLIENT, first, second}
    for recipient, method in ((CLIENT, "REQUEST"), (second, "REQUEST"), (first, "CANCEL")):
        (received,) = mail[recipient]
        got_method, body = imip(received)
        assert got_method == method
        event = event_of(body, method)
        assert str(event["uid"]) == appointment.ical_uid and int(event["sequence"]) == 1
        assert recipient in attendees(event)
        # The first counsellor's cancellation names the time they had, not the new one.
        expected = old_start if recipient == first else target.start
        assert event.decoded("dtstart") == expected


def test_the_client_mail_in_arabic_is_written_right_to_left(app, demo, smtp_server, runner):
    book(free_slots(day=WEDNESDAY)[0], locale="ar", email="amal@example.org")
    tick(runner)
    (received,) = arrived_since(smtp_server, 0)["amal@example.org"]
    imip(received)
    html = received.message.get_payload()[0].get_payload()[1].get_content()
    assert '<html lang="ar" dir="rtl">' in html


def reminders_sent() -> list[str]:
    return db.session.scalars(select(OutboxMessage.payload).where(
        OutboxMessage.topic == "appointment.reminder", OutboxMessage.status == "sent")
        .order_by(OutboxMessage.id)).all()


def check_reminder(received, manage_url: str) -> None:
    assert_crlf_only(received.raw)
    message = received.message
    assert_no_service_name(message)
    assert message["To"].addresses[0].addr_spec == CLIENT
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert not [p for p in message.walk() if p.get_filename()]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert manage_url in text and manage_url in html


def test_reminders_two_working_days_before_and_in_the_morning_each_once(app, demo,
                                                                        smtp_server, runner):
    booked = book(free_slots(day=WEDNESDAY)[0])
    tick(runner)
    assert len(smtp_server.received) == 2  # the invitations; no reminder yet

    for instant in (TWO_WORKING_DAYS_BEFORE, TWO_WORKING_DAYS_BEFORE + timedelta(minutes=1),
                    TWO_WORKING_DAYS_BEFORE + timedelta(hours=5)):
        travel(app, instant)
        tick(runner)
    (reminder,) = arrived_since(smtp_server, 2)[CLIENT]
    check_reminder(reminder, tokens.manage_url(booked.token))

    for instant in (MORNING_OF_THE_DAY - timedelta(minutes=1), MORNING_OF_THE_DAY,
                    MORNING_OF_THE_DAY + timedelta(minutes=10)):
        travel(app, instant)
        tick(runner)
    (morning,) = arrived_since(smtp_server, 3)[CLIENT]
    check_reminder(morning, tokens.manage_url(booked.token))
    assert [p["lead"] for p in reminders_sent()] == ["2wd", "morning"]
    assert len(smtp_server.received) == 4


def test_after_a_downtime_over_both_reminder_times_only_the_closer_one_is_sent(
        app, demo, smtp_server, runner):
    book(free_slots(day=WEDNESDAY)[0])
    travel(app, MORNING_OF_THE_DAY + timedelta(minutes=20))  # no worker ran since the booking
    tick(runner)
    tick(runner)
    assert len(arrived_since(smtp_server, 0)[CLIENT]) == 2  # the late invitation, one reminder
    assert [p["lead"] for p in reminders_sent()] == ["morning"]


def test_no_reminder_whose_time_had_passed_when_the_appointment_was_booked(
        app, demo, smtp_server, runner):
    # Booked on Monday 07:00 for Tuesday: "2wd" (last Thursday) had passed; "morning" comes.
    book(next(s for s in free_slots(day=WEDNESDAY - timedelta(days=1)) if s.start.hour >= 9))
    tick(runner)
    travel(app, TWO_WORKING_DAYS_BEFORE + timedelta(days=1))  # Tuesday 07:30
    tick(runner)
    assert [p["lead"] for p in reminders_sent()] == ["morning"]
    assert len(arrived_since(smtp_server, 0)[CLIENT]) == 2  # the invitation, one reminder


def test_no_reminder_for_a_cancelled_appointment(app, demo, smtp_server, runner):
    appointment = book(free_slots(day=WEDNESDAY)[0]).appointment
    services.cancel_appointment(appointment, now=clock.now())
    db.session.commit()
    tick(runner)
    seen = len(smtp_server.received)
    for instant in (TWO_WORKING_DAYS_BEFORE, MORNING_OF_THE_DAY):
        travel(app, instant)
        tick(runner)
    assert len(smtp_server.received) == seen
    assert not db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "appointment.reminder")).all()


@pytest.mark.parametrize("change", ["cancelled", "moved", "over"])
def test_a_queued_reminder_that_is_no_longer_true_is_skipped(app, demo, smtp_server, change):
    appointment = book(free_slots(day=WEDNESDAY)[0]).appointment
    deliver_due_messages()  # the invitations
    travel(app, TWO_WORKING_DAYS_BEFORE)
    assert send_due_reminders() == 1
    db.session.commit()
    if change == "cancelled":
        services.cancel_appointment(appointment, now=clock.now())
    elif change == "moved":
        later = next(s for s in free_slots(day=WEDNESDAY + timedelta(days=7))
                     if s.counsellor_id == appointment.counsellor_id)
        services.reschedule_appointment(appointment, later.start, now=clock.now())
    else:
        travel(app, appointment.end_at + timedelta(hours=1))
    db.session.commit()
    seen = len(smtp_server.received)
    deliver_due_messages()
    reminder = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.topic == "appointment.reminder"))
    assert reminder.status == "skipped" and reminder.sent_at is None
    subjects = [m["Subject"] for m in smtp_server.messages()[seen:]]
    assert len(subjects) == (0 if change == "over" else 2)  # the change itself, no reminder
