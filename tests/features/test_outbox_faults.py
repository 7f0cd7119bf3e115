"""Delivery under faults: the mail server down, a worker killed mid-send, a message that cannot
be rendered, and two workers sharing one queue on PostgreSQL. At least once, never lost, and at
most the one message in flight sent twice."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.outbox.delivery import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    backoff,
    claim_due,
    deliver_due_messages,
)
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue
from tests.conftest import NOW
from tests.features.booking_helpers import book, free_slots

PROJECT_DIR = Path(__file__).resolve().parents[2]
NOTHING = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}


def travel(app, instant: datetime) -> None:
    app.config["CLOCK"] = lambda: instant


def book_clients(count: int) -> list[int]:
    """``count`` bookings, each writing a message to the client and one to the counsellor."""
    for i in range(count):
        book(free_slots()[0], email=f"client{i}@example.org")
    return list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def arrivals(server) -> Counter:
    return Counter(int(m["X-Booking-Outbox-Id"]) for m in server.messages())


@pytest.mark.parametrize(("attempts", "minutes"), [
    (0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (7, 64), (9, 256), (10, 360), (30, 360)])
def test_backoff_doubles_up_to_six_hours(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


def test_a_claim_holds_for_the_lease_then_anyone_may_take_it_over(app, demo):
    ids = book_clients(1)
    assert claim_due(NOW)[1] == ids
    assert claim_due(NOW + CLAIM_LEASE)[1] == []
    assert claim_due(NOW + CLAIM_LEASE + timedelta(seconds=1))[1] == ids
    assert [m.attempts for m in outbox()] == [2, 2]


def test_mail_server_down_messages_wait_with_backoff_and_arrive_once(app, demo, smtp_server,
                                                                     runner):
    ids = book_clients(3)
    smtp_server.stop()
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    for message in outbox():
        assert (message.status, message.attempts, message.claimed_at) == ("pending", 1, None)
        assert message.last_error and "Connection" in message.last_error
        assert message.available_at == NOW + timedelta(minutes=1)

    # Still down at the second try: two minutes more.
    travel(app, NOW + timedelta(minutes=1))
    assert deliver_due_messages() == {**NOTHING, "retry": 6}
    assert {(m.attempts, m.available_at) for m in outbox()} == {
        (2, NOW + timedelta(minutes=3))}

    smtp_server.start()
    travel(app, NOW + timedelta(minutes=3) - timedelta(seconds=1))
    assert deliver_due_messages() == NOTHING  # not yet due
    assert smtp_server.received == []
    travel(app, NOW + timedelta(minutes=3))
    assert deliver_due_messages() == {**NOTHING, "sent": 6}
    travel(app, NOW + timedelta(hours=1))
    assert deliver_due_messages() == NOTHING
    assert arrivals(smtp_server) == Counter({i: 1 for i in ids})
    assert {(m.status, m.attempts, m.last_error) for m in outbox()} == {("sent", 3, None)}


def run_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "tick"], cwd=PROJECT_DIR,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(worker: subprocess.Popen) -> str:
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    return output


def test_a_killed_worker_repeats_at_most_the_message_in_flight(app, demo, smtp_server,
                                                               database_url):
    """A real worker process is killed (SIGKILL) while the server holds its first message.

    The worker runs on the real clock, not the test's: the messages are made due now, and the
    claim lease is made to expire by moving the claim five minutes and a bit into the past in
    the database, as the passing of time would."""
    ids = book_clients(3)
    for message in outbox():  # due on the worker's (real) clock
        message.available_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    db.session.remove()
    env = {**os.environ, "DATABASE_URL": database_url, "SMTP_URL": smtp_server.url}
    smtp_server.handler.delay_seconds = 25  # the server has the DATA but does not answer
    worker = run_worker(env)
    try:
        deadline = time.monotonic() + 30
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert smtp_server.received, "the worker sent nothing"
        assert worker.poll() is None
        worker.kill()
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp_server.handler.delay_seconds = 0
    in_flight = ids[0]
    assert arrivals(smtp_server) == Counter({in_flight: 1})
    messages = outbox()
    assert all(m.status == "pending" and m.claimed_at is not None and m.attempts == 1
               for m in messages)
    assert len({m.claimed_by for m in messages}) == 1

    # Within the lease another worker leaves the dead worker's messages alone.
    assert "'sent': 0" in finish(run_worker(env))
    assert len(smtp_server.received) == 1

    for message in outbox():  # UPDATE … SET claimed_at = claimed_at - lease - 1 s
        message.claimed_at -= CLAIM_LEASE + timedelta(seconds=1)
    db.session.commit()
    assert f"'sent': {len(ids)}" in finish(run_worker(env))
    assert arrivals(smtp_server) == Counter({i: 2 if i == in_flight else 1 for i in ids})
    assert {(m.status, m.attempts) for m in outbox()} == {("sent", 2)}


def test_a_slow_batch_is_not_taken_over_while_its_worker_is_still_sending(app, demo,
                                                                        smtp_server):
    """Each message takes two (simulated) minutes at the server, so the batch outlasts the
    lease although no single delivery does. A live worker's messages must not be sent again
    by a second worker: only a dead worker's claims may be taken over."""
    ids = book_clients(2)
    smtp_server.handler.delay_seconds = 0.5
    errors: list[BaseException] = []

    def slow_worker() -> None:
        try:
            with app.app_context():
                deliver_due_messages()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - report it in the test
            errors.append(error)

    worker = threading.Thread(target=slow_worker)
    worker.start()
    deadline = time.monotonic() + 30
    arrived = 0
    while worker.is_alive() and time.monotonic() < deadline:
        if len(smtp_server.received) > arrived:
            arrived = len(smtp_server.received)
            travel(app, NOW + timedelta(minutes=2 * arrived))
            deliver_due_messages()  # a second worker, on the next tick
        time.sleep(0.02)
    worker.join(timeout=30)
    smtp_server.handler.delay_seconds = 0
    assert not errors, errors
    assert arrivals(smtp_server) == Counter({i: 1 for i in ids})


def test_a_message_that_cannot_be_written_fails_after_max_attempts_and_can_be_retried(
        app, demo, smtp_server, runner):
    good = book_clients(1)
    broken = enqueue("appointment.booked", payload={"recipient": "client"},
                     appointment_id=db.session.get(OutboxMessage, good[0]).appointment_id)
    unknown = enqueue("no.such.topic", payload={})
    db.session.commit()
    bad = [broken.id, unknown.id]
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = deliver_due_messages()
        rows = [m for m in outbox() if m.id in bad]
        assert {(m.attempts, m.claimed_at) for m in rows} == {(attempt, None)}
        assert all(m.last_error.startswith("KeyError") for m in rows)
        if attempt == MAX_ATTEMPTS:
            assert counts == {**NOTHING, "failed": 2}
            assert {m.status for m in rows} == {"failed"}
            break
        assert counts == {**NOTHING, "retry": 2, "sent": 2 if attempt == 1 else 0}
        assert {(m.status, m.available_at) for m in rows} == {
            ("pending", now + timedelta(minutes=2 ** (attempt - 1)))}
        due = now + timedelta(minutes=2 ** (attempt - 1))
        travel(app, due - timedelta(seconds=1))
        assert deliver_due_messages() == NOTHING
        now = due
        travel(app, now)
    travel(app, now + timedelta(days=1))
    assert deliver_due_messages() == NOTHING  # failed messages stay put
    assert arrivals(smtp_server) == Counter({i: 1 for i in good})

    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0, status.output
    assert "failed: 2" in status.output and "sent: 2" in status.output
    for message_id, topic in ((broken.id, "appointment.booked"), (unknown.id, "no.such.topic")):
        assert f"failed #{message_id} {topic} after {MAX_ATTEMPTS} attempts: KeyError" \
            in status.output

    retried = runner.invoke(args=["outbox", "retry", str(unknown.id)])
    assert retried.exit_code == 0 and "1 message(s) queued again" in retried.output
    row = next(m for m in outbox() if m.id == unknown.id)
    assert (row.status, row.attempts, row.available_at) == ("pending", 0, now + timedelta(days=1))
    assert runner.invoke(args=["outbox", "retry"]).output.startswith("1 message(s)")
    assert deliver_due_messages() == {**NOTHING, "retry": 2}
    assert {m.attempts for m in outbox() if m.id in bad} == {1}


if os.environ.get("BOOKING_TEST_DATABASE_URL"):
    from booking.outbox.delivery import renders
    from booking.outbox.mime import build_message

    QUEUED = 1000

    @renders("test.ping")
    def render_ping(message: OutboxMessage):
        return build_message(sender="IQ <termine@iq-mv.example.org>",
                             recipient=f"ping{message.id}@example.org", subject="Ping",
                             text="ping", html="<p>ping</p>")

    def test_two_workers_on_postgresql_share_the_queue_without_duplicates(app, demo,
                                                                          smtp_server):
        db.session.add_all(OutboxMessage(topic="test.ping", payload={"n": n},
                                         available_at=NOW - timedelta(minutes=1))
                           for n in range(QUEUED))
        db.session.commit()
        start = threading.Barrier(2)
        sent: list[int] = []
        errors: list[BaseException] = []

        def work() -> None:
            """A worker of its own (app context, session, connections), until nothing is due."""
            try:
                with app.app_context():
                    start.wait(timeout=30)
                    mine = 0
                    while any((counts := deliver_due_messages()).values()):
                        mine += counts["sent"]
                    sent.append(mine)
                    db.session.remove()
            except BaseException as error:  # noqa: BLE001 - report it in the test
                errors.append(error)

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert not errors, errors
        assert sum(sent) == QUEUED and all(sent), sent  # both workers took part
        ids = arrivals(smtp_server)
        assert len(smtp_server.received) == QUEUED
        assert len(ids) == QUEUED and set(ids.values()) == {1}
        assert {(m.status, m.attempts) for m in outbox()} == {("sent", 1)}
