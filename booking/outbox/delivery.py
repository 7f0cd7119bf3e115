"""Delivering outbox messages: claim, send, mark; retries with exponential backoff.

Guarantee: every message is delivered at least once. Each message is marked in its own
transaction right after the mail server accepted it, so a worker that dies can repeat at most
the one message it was sending; its other claimed messages are taken over by any worker once
the claim lease has expired. A live worker renews its claim before each message, so a slow
batch is never taken over (only a single delivery longer than the lease could be).
PostgreSQL hands out rows with ``FOR UPDATE SKIP LOCKED``, so any number of workers on any
number of machines share the queue without sending anything twice.

Messages go out by their ``channel``: "email" over one SMTP connection per round; "caldav" one
by one to each counsellor's own calendar server (booking/calendarsync/caldav_out.py), so a
down mail server never holds back a calendar write, nor the other way round. Retries, backoff
and "failed" work the same for every channel.
"""

from __future__ import annotations

import os
import smtplib
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update

from booking import clock
from booking.extensions import db
from booking.outbox.backends import backend_from_config
from booking.outbox.models import OutboxMessage

CLAIM_LEASE = timedelta(minutes=5)  # longer than any single delivery takes
MAX_ATTEMPTS = 8  # then the message is "failed" and shown to staff
BATCH = 50
# The connection itself is gone (not: the server refused this one message).
CONNECTION_LOST = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)

Renderer = Callable[[OutboxMessage], EmailMessage | None]
_renderers: dict[str, Renderer] = {}


def renders(*topics: str):
    """Register the function that turns an outbox message of these topics into an e-mail
    (returning None when the message is no longer true and must be skipped)."""
    def register(function: Renderer) -> Renderer:
        for topic in topics:
            _renderers[topic] = function
        return function
    return register


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due(now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due messages for this worker and commit the claim; returns the
    claim token and the ids claimed with it."""
    token = f"{worker_name()}:{uuid.uuid4().hex[:8]}"
    claimable = (
        OutboxMessage.status == "pending", OutboxMessage.available_at <= now,
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_LEASE),
    )
    query = select(OutboxMessage.id).where(*claimable).order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = db.session.scalars(query).all()
    if ids:
        # The same conditions again: on SQLite a second worker that read the same rows finds
        # them claimed once it gets the write lock, and claims nothing.
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), *claimable)
            .values(claimed_at=now, claimed_by=token, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))
    db.session.commit()
    if not ids:
        return token, []
    return token, list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)))


def _still_mine(message_id: int, token: str) -> bool:
    """Renew the claim right before sending, so a long batch is never taken over while its
    worker is alive; False when another worker took the message after the lease ran out."""
    renewed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id,
                                    OutboxMessage.claimed_by == token,
                                    OutboxMessage.status == "pending")
        .values(claimed_at=clock.now()).execution_options(synchronize_session=False))
    db.session.commit()
    return renewed.rowcount == 1


def _channel(name: str):
    """The module that delivers messages of a channel other than e-mail: ``deliver(message)``
    returns "sent" or "skipped" (or raises), ``note_failure(message, error)`` records the error
    where the channel's owner sees it."""
    if name == "caldav":
        from booking.calendarsync import caldav_out  # late: calendar sync builds on the outbox

        return caldav_out
    raise LookupError(f"no delivery for outbox channel {name!r}")


def deliver_due_messages(limit: int = BATCH) -> dict[str, int]:
    """One round: claim due messages, send the e-mails over one connection and write the
    other channels' messages one by one, mark each."""
    token, ids = claim_due(clock.now(), limit)
    counts = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    if not ids:
        return counts
    channels = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.channel)
                                       .where(OutboxMessage.id.in_(ids))).all())
    email_ids = [message_id for message_id in ids if channels[message_id] == "email"]
    if email_ids:
        _send_emails(email_ids, token, counts)
    for message_id in ids:
        if channels[message_id] != "email" and _still_mine(message_id, token):
            counts[_deliver_one(message_id, None)] += 1
    return counts


def _send_emails(ids: list[int], token: str, counts: dict[str, int]) -> None:
    backend = backend_from_config(current_app.config)
    try:
        with backend.connection() as send:
            for message_id in ids:
                if _still_mine(message_id, token):
                    counts[_deliver_one(message_id, send)] += 1
    except OSError as error:  # could not connect, or lost the connection: the rest waits
        db.session.rollback()
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message.status == "pending" and message.claimed_by == token:
                counts[_retry_later(message, error)] += 1
        db.session.commit()


def _send_email(message: OutboxMessage, send) -> str:
    email = _renderers[message.topic](message)
    if email is None:
        return "skipped"
    email["X-Booking-Outbox-Id"] = str(message.id)
    send(email)
    return "sent"


def _deliver_one(message_id: int, send) -> str:
    message = db.session.get(OutboxMessage, message_id)
    channel = message.channel
    try:
        if channel == "email":
            outcome = _send_email(message, send)
        else:
            outcome = _channel(channel).deliver(message)
        message.status = outcome
        message.sent_at = clock.now() if outcome == "sent" else None
        message.claimed_at = None
        message.last_error = None
    except Exception as error:  # noqa: BLE001 - any failure of one message: retry it later
        if channel == "email" and isinstance(error, CONNECTION_LOST):
            raise  # the caller reschedules the rest of the batch
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        outcome = _retry_later(message, error)
        if channel != "email" and not isinstance(error, LookupError):
            _channel(channel).note_failure(message, error)
    db.session.commit()
    return outcome


def _retry_later(message: OutboxMessage, error: BaseException) -> str:
    message.claimed_at = None
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    current_app.logger.warning("outbox message %s failed (attempt %s): %s", message.id,
                               message.attempts, type(error).__name__)
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        return "failed"
    message.available_at = clock.now() + backoff(message.attempts)
    return "retry"
