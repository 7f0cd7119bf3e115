"""Every kind of calendar object the service emits, read by a second, independent parser.

icalendar writes the objects and the other tests read them back with icalendar too, so a
mistake both directions share (escaping, folding, an encoding slip) would go unnoticed. Here
ical.js (Mozilla's parser, the one in Thunderbird; ``tests/tools/parse_ics.mjs``) reads the
manage page's download and the calendar parts of the invitation, the update after a move and
the cancellation — for the client in German and in Arabic, and for the counsellor — and must
agree with icalendar on METHOD, UID, SEQUENCE, STATUS, DTSTART/DTEND and the texts.

Needs Node.js and ical.js from package.json: ``make browser-deps`` (or ``npm ci``). Without
them these tests fail rather than skip, so a missing tool is never mistaken for a pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from booking import clock
from booking.appointments import services
from booking.appointments.models import Appointment
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage
from tests.features.booking_helpers import book, free_slots

ROOT = Path(__file__).resolve().parents[2]
PARSER = ROOT / "tests" / "tools" / "parse_ics.mjs"
INSTALL_HINT = ("install Node.js and the test tools from package.json: `make browser-deps` "
                "(runs `npm ci`; Debian: apt-get install nodejs npm)")

# Client locale -> (language of the counselling, client's name): a German booking, and an
# Arabic one with a name in Arabic script (a non-ASCII CN parameter).
CLIENTS = {"de": ("de", "Maria Beispiel"), "ar": ("ar", "ليلى مثال")}
LOCATION, SERVICE = "neubrandenburg", "first-consultation"  # long texts: folded lines
BOOK_DAY, MOVE_DAY = date(2027, 2, 3), date(2027, 2, 4)


@dataclass
class Expected:
    """What one calendar object must say, from the appointment's own state."""

    name: str
    path: Path
    method: str | None
    uid: str
    sequence: int
    status: str
    start: datetime
    end: datetime


def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.fail(f"node is not installed, so ical.js cannot run: {INSTALL_HINT}")
    if not (ROOT / "node_modules" / "ical.js" / "package.json").is_file():
        pytest.fail(f"node_modules/ical.js is missing: {INSTALL_HINT}")
    return executable


def parse_with_ical_js(paths: list[Path]) -> dict[str, dict]:
    result = subprocess.run([node(), str(PARSER), *map(str, paths)], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, f"ical.js refused a calendar object:\n{result.stderr}"
    parsed = [json.loads(line) for line in result.stdout.splitlines()]
    return {Path(item["file"]).name: item for item in parsed}


def utc_text(value) -> str:
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def address(prop) -> dict:
    cn = prop.params.get("CN")
    return {"address": str(prop), "cn": None if cn is None else str(cn)}


def read_with_icalendar(raw: bytes) -> dict:
    """The same summary parse_ics.mjs prints, from icalendar."""
    calendar = Calendar.from_ical(raw)
    events = []
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        events.append({
            "uid": str(event["UID"]), "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "dtstart": utc_text(event.decoded("DTSTART")),
            "dtend": utc_text(event.decoded("DTEND")),
            "summary": str(event["SUMMARY"]), "location": str(event["LOCATION"]),
            "description": str(event["DESCRIPTION"]),
            "url": str(event["URL"]) if "URL" in event else None,
            "organizer": address(event["ORGANIZER"]),
            "attendees": [{**address(a), "role": str(a.params.get("ROLE")),
                           "partstat": str(a.params.get("PARTSTAT"))} for a in attendees],
        })
    method = calendar.get("METHOD")
    return {"method": None if method is None else str(method),
            "version": str(calendar["VERSION"]), "prodid": str(calendar["PRODID"]),
            "events": events}


def calendar_parts(message: EmailMessage) -> tuple[bytes, str]:
    """The inline text/calendar alternative and the invite.ics attachment: the same bytes and
    the same METHOD parameter (RFC 6047 §2.4); returns them once."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 2, [p.get_content_type() for p in message.walk()]
    inline, attachment = parts
    assert inline.get_content_disposition() is None
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    raw = inline.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == raw
    method = inline.get_param("method")
    assert attachment.get_param("method") == method
    assert f"METHOD:{method}\r\n".encode() in raw
    return raw, method


class Collector:
    """Writes each calendar object to a file and records what it must say."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.expected: list[Expected] = []
        self.problems: set[str] = set()  # messages the worker could not render or send

    def add(self, name: str, raw: bytes, appointment: Appointment, method: str | None,
            status: str, times: tuple | None = None) -> None:
        path = self.directory / f"{name}.ics"
        path.write_bytes(raw)
        start, end = times or (appointment.start_at, appointment.end_at)
        self.expected.append(Expected(name, path, method, appointment.ical_uid,
                                      appointment.ical_sequence, status, start, end))


def deliver(smtp_server, already: int, problems: set[str]) -> list[EmailMessage]:
    """One worker round; what the SMTP server received. A message the worker could not
    render or send goes to ``problems`` (the test fails on it after checking the rest)."""
    counts = deliver_due_messages()
    errors = db.session.execute(select(OutboxMessage.topic, OutboxMessage.payload,
                                       OutboxMessage.last_error)
                                .where(OutboxMessage.last_error.is_not(None))).all()
    problems.update(f"{topic} to {payload['recipient']}: {error}"
                    for topic, payload, error in errors)
    assert counts["sent"] + counts["retry"] >= 1 and counts["failed"] == 0, counts
    received = smtp_server.messages()[already:]
    assert len(received) == counts["sent"]
    return received


def recipient_of(message: EmailMessage, appointment: Appointment) -> str:
    return "client" if appointment.client_email in message["To"] else "counsellor"


STEPS = (("booked", "REQUEST", "CONFIRMED"), ("moved", "REQUEST", "CONFIRMED"),
         ("cancelled", "CANCEL", "CANCELLED"))


def emit_every_kind(client, smtp_server, collector: Collector, locale: str,
                    steps=STEPS) -> None:
    """Book, download, move, download, cancel, download; collect every calendar object."""
    language, name = CLIENTS[locale]
    slot = free_slots(LOCATION, SERVICE, language, BOOK_DAY)[0]
    booked = book(slot, service_id=SERVICE, language=language, locale=locale, name=name,
                  email=f"client-{locale}@example.org")
    appointment = booked.appointment
    seen = 0
    for step, method, status in steps:
        if step == "moved":
            previous_times = (appointment.start_at, appointment.end_at)
            new_start = free_slots(LOCATION, SERVICE, language, MOVE_DAY)[-1].start
            services.reschedule_appointment(appointment, new_start, now=clock.now())
            db.session.commit()
            assert appointment.start_at == new_start
        elif step == "cancelled":
            assert services.cancel_appointment(appointment, now=clock.now())
            db.session.commit()
        received = deliver(smtp_server, seen, collector.problems)
        seen += len(received)
        for message in received:
            raw, mime_method = calendar_parts(message)
            who = recipient_of(message, appointment)
            if who == "counsellor" and appointment.counsellor.email not in message["To"]:
                # Moved to another counsellor: out of the first one's calendar (same UID).
                assert step == "moved"
                # It names the time that counsellor had, not the new one.
                collector.add(f"{locale}-reassigned-{who}-mail", raw, appointment, "CANCEL",
                              "CANCELLED", times=previous_times)
                continue
            assert mime_method == method
            collector.add(f"{locale}-{step}-{who}-mail", raw, appointment, method, status)
        response = client.get(f"/manage/{booked.token}/appointment.ics")
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        collector.add(f"{locale}-{step}-download", response.data, appointment, None, status)


@pytest.mark.parametrize("locale", sorted(CLIENTS))
def test_ical_js_reads_every_calendar_object_as_icalendar_does(client, demo, smtp_server,
                                                                tmp_path, locale):
    node()  # fail early, with the install hint, before any work
    collector = Collector(tmp_path)
    emit_every_kind(client, smtp_server, collector, locale)
    parsed = parse_with_ical_js([e.path for e in collector.expected])
    for expected in collector.expected:
        raw = expected.path.read_bytes()
        assert b"\n" not in raw.replace(b"\r\n", b""), f"{expected.name}: bare LF"
        ours = read_with_icalendar(raw)
        theirs = parsed[expected.path.name]
        label = f"{expected.name}: ical.js and icalendar disagree"
        assert {k: theirs[k] for k in ours} == ours, label
        # ... and both say what the appointment says.
        assert theirs["method"] == expected.method, expected.name
        [event] = theirs["events"]
        assert (event["uid"], event["sequence"], event["status"]) == (
            expected.uid, expected.sequence, expected.status), expected.name
        assert (event["dtstart"], event["dtend"]) == (
            utc_text(expected.start), utc_text(expected.end)), expected.name

    # Every e-mail was sent, so every kind of calendar object was checked.
    assert not collector.problems, (
        f"ical.js agrees on the {len(collector.expected)} calendar objects that were sent, "
        f"but the worker could not render or send: {'; '.join(sorted(collector.problems))}")
    names = {e.name.split("-", 1)[1] for e in collector.expected}
    assert names >= {f"{step}-{kind}" for step, _, _ in STEPS
                     for kind in ("client-mail", "counsellor-mail", "download")}


def test_ical_js_sees_the_texts_in_the_clients_language(client, demo, smtp_server, tmp_path):
    """The Arabic texts survive folding and escaping (commas, semicolons, line breaks) for
    ical.js too, not only for icalendar."""
    node()
    collector = Collector(tmp_path)
    emit_every_kind(client, smtp_server, collector, "ar", steps=STEPS[:1])
    assert not collector.problems
    parsed = parse_with_ical_js([e.path for e in collector.expected])
    [event] = parsed["ar-booked-client-mail.ics"]["events"]
    assert event["attendees"] == [{"address": "mailto:client-ar@example.org",
                                   "cn": CLIENTS["ar"][1], "role": "REQ-PARTICIPANT",
                                   "partstat": "ACCEPTED"}]
    lines = event["description"].split("\n")
    assert lines[0] == "الاستشارة الأولى حول الاعتراف بالمؤهلات"  # the service, in Arabic
    assert any("(تكفي النسخ)، كشف بالمواد" in line for line in lines)  # what to bring
    assert lines[-1].endswith(event["url"]) and "/manage/" in event["url"]


def test_the_parser_fails_loudly_on_a_broken_file(tmp_path):
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                       b"END:VCALENDAR\r\n")
    result = subprocess.run([node(), str(PARSER), str(broken)], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode != 0 and result.stdout == ""
    assert "broken.ics" in result.stderr and "parse_ics" in result.stderr
    split = tmp_path / "split.ics"  # a UTF-8 character cut in two by a line fold
    split.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
                      b"SUMMARY:\xd8\r\n \xa7\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    result = subprocess.run([node(), str(PARSER), str(split)], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode != 0 and "UTF-8" in result.stderr
