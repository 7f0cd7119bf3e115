"""Appointments written into a counsellor's own CalDAV calendar through the outbox: PUT on
booking and on every move, DELETE on cancellation and when the appointment goes to another
counsellor.

The object lives at ``<collection>/<ical_uid>.ics`` with the UID of the e-mailed invitation
and the feeds, so every copy of the appointment is the same event to a calendar program. It is
a stored calendar object, not a scheduling message: no METHOD (RFC 4791 §4.1), and
``SCHEDULE-AGENT=CLIENT`` on ORGANIZER and ATTENDEE (RFC 6638 §7.1) so that a scheduling server
sends no invitation of its own (the service already e-mailed one). ``X-IQMV-APPOINTMENT:1``
marks it as ours: the busy-times import skips such events, so an appointment never blocks
itself.

Delivery is idempotent: the same message always PUTs the same bytes (DTSTAMP is the message's
creation time), and deleting an object that is already gone counts as done. Messages of one
appointment for one counsellor can arrive out of order after retries, so only the newest one is
written; older ones are skipped as superseded.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote

import caldav
from caldav.lib import error as caldav_error
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from booking.appointments import tokens
from booking.appointments.calendar import appointment_event, place_text
from booking.appointments.models import Appointment
from booking.calendarsync.models import CalDavTarget
from booking.counsellors.models import Counsellor
from booking.domain.ical import build_calendar
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue

CHANNEL = "caldav"
PUT, DELETE = "caldav.put", "caldav.delete"
# Which write each change of an appointment (booking/appointments/services._notify) causes.
WRITES = {"appointment.booked": PUT, "appointment.moved": PUT,
          "appointment.cancelled": DELETE, "appointment.reassigned": DELETE}
MARKER = ("X-IQMV-APPOINTMENT", "1")
COUNSELLOR_LOCALE = "de"
TIMEOUT_SECONDS = 20
HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class CalDavWriteError(Exception):
    """The server refused or could not take a write. The text is safe to store and show: it
    never holds a password or credentials from a URL."""


def active_target(counsellor_id: int | None) -> CalDavTarget | None:
    if counsellor_id is None:
        return None
    return db.session.scalar(select(CalDavTarget).where(
        CalDavTarget.counsellor_id == counsellor_id, CalDavTarget.is_active.is_(True)))


def enqueue_write(appointment: Appointment, change: str, *,
                  counsellor_id: int | None = None) -> OutboxMessage | None:
    """The outbox message that brings the counsellor's calendar up to date after ``change``
    (an ``appointment.*`` topic); none when that counsellor has no active CalDAV target.
    The payload holds only what the write needs: UID, SEQUENCE and times, no personal data."""
    topic = WRITES.get(change)
    counsellor_id = counsellor_id or appointment.counsellor_id
    if topic is None or active_target(counsellor_id) is None:
        return None
    payload = {"uid": appointment.ical_uid, "counsellor_id": counsellor_id,
               "sequence": appointment.ical_sequence}
    if topic == PUT:
        payload.update(start_at=appointment.start_at.isoformat(),
                       end_at=appointment.end_at.isoformat())
    return enqueue(topic, payload=payload, organisation_id=appointment.organisation_id,
                   appointment_id=appointment.id, channel=CHANNEL,
                   dedupe_key=f"{topic}:{appointment.id}:{appointment.ical_sequence}:"
                              f"{counsellor_id}")


def object_url(collection_url: str, uid: str) -> str:
    """``<collection>/<uid>.ics``, the UID percent-encoded as the caldav library does."""
    return f"{collection_url.rstrip('/')}/{quote(uid, safe='')}.ics"


def counsellor_copy(appointment: Appointment, counsellor: Counsellor, *, start: datetime,
                    end: datetime, sequence: int, stamp: datetime) -> bytes:
    """The VCALENDAR stored in the counsellor's calendar.

    Same privacy as the subscription feeds: reference, service and place, never the client's
    name or contact details. The counsellor's calendar usually sits with a third party (a
    groupware or cloud provider) and is shared with assistants or synced to phones; the client's
    details stay behind the sign-in of the staff area, which the event links to."""
    from booking.appointments.views import booking_labels  # late: views import the services

    with force_locale(COUNSELLOR_LOCALE):
        text = appointment.service.text(COUNSELLOR_LOCALE)
        details_url = tokens.public_url(f"/staff/appointments/{appointment.reference}")
        lines = [text.name if text else appointment.service_id,
                 _("Reference: %(reference)s", reference=appointment.reference),
                 _("Details (sign-in required): %(url)s", url=details_url)]
        place = place_text(appointment) if appointment.channel == "in_person" \
            else booking_labels()["channel_label"](appointment.channel)
        event = appointment_event(
            appointment, attendees=((counsellor.email, counsellor.display_name),),
            start=start, end=end, sequence=sequence, stamp=stamp, cancelled=False)
        event = replace(event, description="\n".join(lines), location=place, url=details_url,
                        schedule_agent="CLIENT", x_properties=(MARKER,))
    return build_calendar([event])  # no METHOD in a stored object (RFC 4791 §4.1)


def deliver(message: OutboxMessage) -> str:
    """Write one message to the counsellor's calendar: "sent", or "skipped" when it is no
    longer true (target switched off, a newer write on its way, appointment gone)."""
    payload = message.payload
    target = active_target(payload["counsellor_id"])
    if target is None or _superseded(message):
        return "skipped"
    if message.topic == PUT:
        appointment = db.session.get(Appointment, message.appointment_id) \
            if message.appointment_id else None
        counsellor = db.session.get(Counsellor, payload["counsellor_id"])
        if (appointment is None or appointment.anonymised_at is not None or counsellor is None
                or appointment.status == "cancelled"
                or appointment.counsellor_id != counsellor.id):
            return "skipped"  # gone, or no longer this counsellor's: never write it back
        body = counsellor_copy(
            appointment, counsellor, start=datetime.fromisoformat(payload["start_at"]),
            end=datetime.fromisoformat(payload["end_at"]), sequence=payload["sequence"],
            stamp=message.created_at)
    else:
        body = None
    try:
        with caldav.DAVClient(url=target.url, username=target.username or None,
                              password=target.password or None,
                              timeout=TIMEOUT_SECONDS) as client:
            if body is None:
                _delete(client, target.url, payload["uid"])
            else:
                _put(client, target.url, payload["uid"], body)
    except Exception as error:  # noqa: BLE001 - any failure: the outbox retries the message
        raise CalDavWriteError(safe_error_text(error, target)) from error
    target.last_error = None
    return "sent"


def note_failure(message: OutboxMessage, error: BaseException) -> None:
    """Show the error on the counsellor's target too (the staff form lists it)."""
    target = active_target((message.payload or {}).get("counsellor_id"))
    if target is not None:
        target.last_error = safe_error_text(error, target)[:500]


def safe_error_text(error: BaseException, target: CalDavTarget) -> str:
    if isinstance(error, CalDavWriteError):
        return str(error)
    text = _USERINFO.sub("", f"{type(error).__name__}: {error}")
    if target.password:
        text = text.replace(target.password, "***")
    return text[:1000]


def _superseded(message: OutboxMessage) -> bool:
    """A newer write for the same appointment and counsellor exists (pending, sent or
    skipped): it describes a later state, so this one must not overwrite it."""
    if message.appointment_id is None:
        return False
    newer = db.session.scalars(select(OutboxMessage.payload).where(
        OutboxMessage.channel == CHANNEL, OutboxMessage.appointment_id == message.appointment_id,
        OutboxMessage.id > message.id))
    return any(p.get("counsellor_id") == message.payload["counsellor_id"] for p in newer)


def _put(client: caldav.DAVClient, collection_url: str, uid: str, body: bytes) -> None:
    # Unconditional PUT (no If-Match): the booking service owns the appointment, so our
    # version wins over edits made in the calendar program.
    url = object_url(collection_url, uid)
    response = client.put(url, body, HEADERS)
    if response.status in (409, 412):
        # 409: the collection already holds this UID under another name (RFC 4791 §5.3.2.1
        # no-uid-conflict), e.g. the mail program filed the e-mailed invitation here;
        # 412: a server-side precondition. Either way: remove that copy, then write ours.
        _remove_by_uid(client, collection_url, uid)
        response = client.put(url, body, HEADERS)
    if response.status not in (200, 201, 204):
        raise CalDavWriteError(f"PUT answered {response.status} {response.reason}")


def _delete(client: caldav.DAVClient, collection_url: str, uid: str) -> None:
    response = client.delete(object_url(collection_url, uid))
    if response.status == 404:
        # Already gone (a repeated delivery), or stored under another name: look it up once.
        _remove_by_uid(client, collection_url, uid)
    elif response.status not in (200, 204):
        raise CalDavWriteError(f"DELETE answered {response.status} {response.reason}")


def _remove_by_uid(client: caldav.DAVClient, collection_url: str, uid: str) -> None:
    try:
        existing = client.calendar(url=collection_url).object_by_uid(uid)
    except caldav_error.NotFoundError:
        return
    existing.delete()
