"""The client's e-mails for one fixed booking, compared with golden files in tests/golden/.

To accept a deliberate change (new wording, finished translations, another layout), rewrite
the golden files and review the diff before committing it::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/features/test_golden_mail.py
    git diff tests/golden/

With UPDATE_GOLDEN=1 the tests write the files instead of comparing (and pass). Without it,
any difference fails with a unified diff.

One booking per language, German ("de") and Arabic ("ar"): a first consultation at the
Neubrandenburg office on Wednesday 3 February 2027 at 09:00 Berlin time, moved to Thursday
4 February 2027 at 14:00, then cancelled. The clock is frozen (conftest) and the slots are
fixed, so the texts are the same on every run. For each of the three client e-mails
(invitation, update, cancellation) two files:

- ``<locale>-<kind>.txt``: the headers a reader sees (From, To, Subject decoded; Date and
  Message-ID as placeholders), the MIME structure in one line, a blank line, then the
  text/plain body exactly as rendered;
- ``<locale>-<kind>.ics``: the calendar object of the e-mail, unfolded (one content line per
  line, LF), with DTSTAMP as a placeholder.

What differs from run to run is replaced by placeholders: the appointment's UID, its manage
token (in the links), its reference (random by design), DTSTAMP, Date and Message-ID. The raw
calendar object is also checked as it is sent: CRLF line ends, lines folded at 75 octets.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from booking import clock
from booking.appointments import services
from booking.appointments.notifications import render_appointment_message
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from tests.features.booking_helpers import book, free_slots

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

BASE_URL = "http://127.0.0.1:5000"
MAIL_FROM = "IQ Beratung MV <termine@iq-mv.example.org>"
LOCATION, SERVICE = "neubrandenburg", "first-consultation"
BOOKED_AT = datetime(2027, 2, 3, 8, 0, tzinfo=UTC)  # Wednesday, 09:00 in Berlin
MOVED_TO = datetime(2027, 2, 4, 13, 0, tzinfo=UTC)  # Thursday, 14:00 in Berlin
# locale -> (language of the counselling, client's name, client's e-mail)
CLIENTS = {"de": ("de", "Maria Beispiel", "maria@example.org"),
           "ar": ("ar", "ليلى مثال", "layla@example.org")}
KINDS = {"appointment.booked": "invitation", "appointment.moved": "update",
         "appointment.cancelled": "cancellation"}
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted")


def slot_at(start: datetime, language: str):
    slots = [s for s in free_slots(LOCATION, SERVICE, language, start.date())
             if s.start == start]
    assert slots, f"the demo has no free {SERVICE} slot at {start} ({language}) any more"
    return slots[0]


def client_messages(locale: str) -> tuple[dict[str, OutboxMessage], dict[str, str]]:
    """Book, move and cancel one appointment; its client messages by kind, and what to
    replace by placeholders."""
    language, name, email = CLIENTS[locale]
    booked = book(slot_at(BOOKED_AT, language), service_id=SERVICE, language=language,
                  locale=locale, name=name, email=email)
    appointment = booked.appointment
    services.reschedule_appointment(appointment, slot_at(MOVED_TO, language).start,
                                    now=clock.now())
    db.session.commit()
    assert services.cancel_appointment(appointment, now=clock.now())
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment.id).order_by(OutboxMessage.id)).all()
    by_kind = {KINDS[m.topic]: m for m in messages if m.payload["recipient"] == "client"}
    assert list(by_kind) == ["invitation", "update", "cancellation"]
    # Longest first: the token and the UID never contain each other, but be safe.
    secrets = {booked.token: "{MANAGE_TOKEN}", appointment.ical_uid: "{UID}",
               appointment.reference: "{REFERENCE}"}
    return by_kind, secrets


def mime_structure(part: EmailMessage) -> str:
    kind = part.get_content_type()
    if part.is_multipart():
        return f"{kind}({', '.join(mime_structure(p) for p in part.iter_parts())})"
    details = [kind]
    if part.get_param("method"):
        details.append(f"method={part.get_param('method')}")
    if part.get_filename():
        details.append(f"filename={part.get_filename()}")
    return ";".join(details)


def text_file(message: EmailMessage) -> str:
    headers = []
    for header in SHOWN_HEADERS:
        value = str(message[header])
        if header == "Date":
            value = "{DATE}"
        elif header == "Message-ID":
            assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", value), value
            value = "{MESSAGE_ID}"
        headers.append(f"{header}: {value}")
    headers.append(f"MIME-Structure: {mime_structure(message)}")
    body = message.get_body(("plain",))
    assert body.get_content_charset() == "utf-8"
    text = body.get_content().replace("\r\n", "\n")
    return "\n".join(headers) + "\n\n" + text


def calendar_file(message: EmailMessage) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 2  # inline alternative and invite.ics attachment: the same bytes
    raw = parts[0].get_payload(decode=True)
    assert parts[1].get_payload(decode=True) == raw
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "CRLF only"
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical), "lines are folded at 75 octets"
    unfolded = raw.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = unfolded.split("\r\n")[:-1]
    stamps = [i for i, line in enumerate(lines) if line.startswith("DTSTAMP:")]
    assert len(stamps) == 1 and re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", lines[stamps[0]])
    lines[stamps[0]] = "DTSTAMP:{DTSTAMP}"
    return "\n".join(lines) + "\n"


def normalise(text: str, secrets: dict[str, str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, secrets[secret])
    return text


def compare_or_update(path: Path, actual: str) -> str | None:
    """None when the file matches (or was rewritten); else a unified diff."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return None
    if not path.exists():
        return f"{path} is missing: run with UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    if expected == actual:
        return None
    return "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        fromfile=f"golden/{path.name}", tofile="rendered now"))


@pytest.mark.parametrize("kind", ["invitation", "update", "cancellation"])
@pytest.mark.parametrize("locale", sorted(CLIENTS))
def test_client_mail_matches_golden_files(app, demo, locale, kind):
    app.config.update(BOOKING_BASE_URL=BASE_URL, MAIL_FROM=MAIL_FROM)
    messages, secrets = client_messages(locale)
    message = render_appointment_message(messages[kind])  # as the worker renders it
    assert message is not None
    differences = [
        compare_or_update(GOLDEN / f"{locale}-{kind}.txt", normalise(text_file(message),
                                                                      secrets)),
        compare_or_update(GOLDEN / f"{locale}-{kind}.ics", normalise(calendar_file(message),
                                                                      secrets)),
    ]
    differences = [d for d in differences if d]
    assert not differences, ("the rendered e-mail differs from the golden files (if the "
                             "change is intended: UPDATE_GOLDEN=1, then review git diff):\n"
                             + "\n".join(differences))


def test_golden_files_hold_no_secrets_or_run_specific_values():
    """Every placeholder is in place, and no token, UID or timestamp slipped through."""
    files = sorted(GOLDEN.glob("*-*.*"))
    assert len(files) == 12, [f.name for f in files]
    for path in files:
        text = path.read_text(encoding="utf-8")
        # A cancellation offers a new booking, not the manage link of what no longer exists.
        assert ("/manage/{MANAGE_TOKEN}" in text) != ("cancellation" in path.name), path
        assert not re.search(r"/manage/(?!\{MANAGE_TOKEN\})", text), path
        assert not re.search(r"\b[0-9a-f]{32}@", text), path
        assert not re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b", text), path
        if path.suffix == ".ics":
            assert "UID:{UID}\n" in text and "DTSTAMP:{DTSTAMP}\n" in text, path

