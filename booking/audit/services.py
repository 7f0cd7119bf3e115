"""Recording audit entries; callers pass ids, never personal data."""

from __future__ import annotations

from booking import clock
from booking.audit.models import AuditEntry
from booking.extensions import db


def record(action: str, object_type: str, object_id: object, *, actor: str,
           organisation_id: str | None = None, user_id: int | None = None,
           details: dict | None = None) -> AuditEntry:
    entry = AuditEntry(occurred_at=clock.now(), action=action, object_type=object_type,
                       object_id=str(object_id), actor=actor,
                       organisation_id=organisation_id, user_id=user_id,
                       details=details or {})
    db.session.add(entry)
    return entry
