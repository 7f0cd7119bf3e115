"""Writing outbox messages in the caller's transaction; the scheduler worker delivers them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_

from booking import clock
from booking.extensions import db
from booking.outbox.delivery import CLAIM_LEASE
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


# What staff are shown as a delivery problem: given up, or waiting for another attempt.
NEEDS_ATTENTION = or_(OutboxMessage.status == "failed",
                      and_(OutboxMessage.status == "pending", OutboxMessage.attempts > 0))


def requeue(messages: Iterable[OutboxMessage]) -> int:
    """Send these messages again at the worker's next round, with a fresh set of attempts
    (``outbox retry`` and the staff Messages page). Only failed messages and pending ones
    waiting for a retry are touched; sent and skipped ones stay as they are, and so does a
    message a worker is sending right now (releasing its claim could send it twice)."""
    now, count = clock.now(), 0
    for message in messages:
        if message.status not in ("failed", "pending"):
            continue
        if message.claimed_at is not None and message.claimed_at > now - CLAIM_LEASE:
            continue
        message.status, message.attempts = "pending", 0
        message.available_at, message.claimed_at = now, None
        count += 1
    db.session.flush()
    return count
