"""Reading the audit log (filtered, paged, as CSV) and the outbox messages that need attention."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import Select, func, select

from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.availability.services import booking_timezone
from booking.domain.calendar_rules import local_to_utc
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.outbox.services import NEEDS_ATTENTION

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
ERROR_PREVIEW = 200
_EMAIL_ADDRESS = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")


@dataclass(frozen=True)
class AuditFilter:
    organisation_id: str | None = None
    action: str | None = None
    actor: str | None = None
    start_on: date | None = None
    end_on: date | None = None  # inclusive

    def as_details(self) -> dict:
        """What the filter was, for auditing an export: ids and dates, not the typed text."""
        values = {"filter_organisation": self.organisation_id, "filter_action": self.action,
                  "filter_by_user": bool(self.actor) or None,
                  "filter_start": self.start_on.isoformat() if self.start_on else None,
                  "filter_end": self.end_on.isoformat() if self.end_on else None}
        return {key: value for key, value in values.items() if value is not None}


def audit_statement(where: AuditFilter) -> Select:
    """Entries matching the filter, newest first (period in local days, Europe/Berlin)."""
    statement = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    if where.organisation_id:
        statement = statement.where(AuditEntry.organisation_id == where.organisation_id)
    if where.action:
        statement = statement.where(AuditEntry.action == where.action)
    if where.actor:
        pattern = "%" + where.actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        statement = statement.where(func.lower(AuditEntry.actor).like(pattern, escape="\\"))
    tz = booking_timezone()
    if where.start_on:
        statement = statement.where(AuditEntry.occurred_at >= local_to_utc(where.start_on,
                                                                            time(0), tz))
    if where.end_on:
        statement = statement.where(AuditEntry.occurred_at < local_to_utc(
            where.end_on + timedelta(days=1), time(0), tz))
    return statement


def audit_page(where: AuditFilter, page: int) -> tuple[list[AuditEntry], bool]:
    """One page of entries and whether there is a next one."""
    rows = list(db.session.scalars(audit_statement(where).offset((page - 1) * PAGE_SIZE)
                                   .limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(
        AuditEntry.action)))


def details_text(details: dict | None) -> str:
    """``{"fields": ["name", "phone"], "rows": 3}`` → 'fields: name, phone · rows: 3'."""
    parts = []
    for key, value in sorted((details or {}).items()):
        if isinstance(value, list | tuple):
            value = ", ".join(map(str, value))
        parts.append(f"{key}: {value}")
    return " · ".join(parts)


def _cell(value: object) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: make them plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv(where: AuditFilter) -> tuple[str, int]:
    """The filtered log as CSV (local times, ISO 8601 with offset) and the number of rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["occurred_at", "actor", "user_id", "organisation", "action",
                     "object_type", "object_id", "details"])
    tz, count = booking_timezone(), 0
    for entry in db.session.scalars(audit_statement(where).limit(EXPORT_LIMIT)):
        writer.writerow([_cell(v) for v in (
            entry.occurred_at.astimezone(tz).isoformat(timespec="seconds"), entry.actor,
            entry.user_id, entry.organisation_id, entry.action, entry.object_type,
            entry.object_id, json.dumps(entry.details or {}, sort_keys=True))])
        count += 1
    return out.getvalue(), count


# -- outbox -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MessageRow:
    message: OutboxMessage
    reference: str | None  # the appointment's reference, only for case workers
    error: str


def error_preview(text: str | None) -> str:
    """The start of the last error, e-mail addresses hidden: a mail server's refusal names the
    client's address, and the list is no place for client data (the appointment shows it)."""
    text = _EMAIL_ADDRESS.sub("…@…", " ".join((text or "").split()))
    return text if len(text) <= ERROR_PREVIEW else text[:ERROR_PREVIEW - 1] + "…"


def messages_statement() -> Select:
    return select(OutboxMessage).where(NEEDS_ATTENTION)


def message_rows(statement: Select, *, with_client_links: bool,
                 limit: int = 200) -> list[MessageRow]:
    """Failed and overdue messages, newest first; administrators (``with_client_links``
    False) get no appointment references."""
    statement = (statement.add_columns(Appointment.reference)
                 .outerjoin(Appointment, Appointment.id == OutboxMessage.appointment_id)
                 .order_by(OutboxMessage.id.desc()).limit(limit))
    return [MessageRow(message, reference if with_client_links else None,
                       error_preview(message.last_error))
            for message, reference in db.session.execute(statement)]


def count_needing_attention(statement: Select | None = None) -> int:
    statement = statement if statement is not None else messages_statement()
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
