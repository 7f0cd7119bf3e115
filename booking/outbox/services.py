"""Writing outbox messages in the caller's transaction; the scheduler worker delivers them."""

from __future__ import annotations

from datetime import datetime

from booking import clock
from booking.extensions import db
from booking.outbox.models import OutboxMessage


def enqueue(topic: str, *, payload: dict, organisation_id: str | None = None,
            appointment_id: int | None = None, channel: str = "email",
            dedupe_key: str | None = None, available_at: datetime | None = None
            ) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the surrounding transaction commits.
    Times come from the application clock, the same one the worker uses to find due rows."""
    now = clock.now()
    message = OutboxMessage(
        topic=topic, payload=payload, organisation_id=organisation_id,
        appointment_id=appointment_id, channel=channel, dedupe_key=dedupe_key,
        available_at=available_at or now, created_at=now,
    )
    db.session.add(message)
    return message
