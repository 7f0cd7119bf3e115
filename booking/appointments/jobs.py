"""Periodic work on appointments: queue the reminders that are due."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from booking import clock
from booking.appointments.models import Appointment
from booking.availability.services import booking_timezone
from booking.domain.calendar_rules import public_holidays
from booking.domain.reminders import due_reminders, parse_leads
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue
from booking.scheduler.registry import PeriodicJob

# The earliest lead ("2wd" before a Tuesday after Easter) lies at most this far ahead.
LOOKAHEAD = timedelta(days=10)


def send_due_reminders() -> int:
    """Queue every reminder that is due now; each (appointment, time, lead) at most once."""
    now = clock.now()
    tz = booking_timezone()
    leads = parse_leads(current_app.config["BOOKING_REMINDER_LEADS"])
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.status == "confirmed",
                                  Appointment.client_email.is_not(None),
                                  Appointment.start_at > now,
                                  Appointment.start_at <= now + LOOKAHEAD)
    ).all()
    if not appointments:
        return 0
    queued = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.appointment_id.in_([a.id for a in appointments]),
        OutboxMessage.topic == "appointment.reminder")))
    holidays = public_holidays(now.date() - LOOKAHEAD, now.date() + LOOKAHEAD)
    count = 0
    for appointment in appointments:
        for lead in due_reminders(appointment.start_at, appointment.created_at, now, leads, tz,
                                  holidays):
            key = f"appointment.reminder:{appointment.id}:{lead.code}:" \
                  f"{appointment.start_at.isoformat()}"
            if key in queued:
                continue
            enqueue("appointment.reminder", payload={
                "recipient": "client", "lead": lead.code, "sequence": appointment.ical_sequence,
                "start_at": appointment.start_at.isoformat(),
                "end_at": appointment.end_at.isoformat(),
            }, organisation_id=appointment.organisation_id, appointment_id=appointment.id,
                dedupe_key=key)
            count += 1
    db.session.flush()
    return count


JOBS = [PeriodicJob("send_due_reminders", send_due_reminders, seconds=60)]
