"""Outbox delivery: how many real iMIP e-mails per second the worker renders and hands to an
SMTP server, with one worker and with two.

Set-up: the demo network on a scratch database (SQLite, or PostgreSQL with
``BOOKING_BENCH_DATABASE_URL``), N appointments of the demo counsellors in eight client
languages, and for each one "appointment.booked" message for the client, written by the booking
service's own ``_notify`` (the exact payload a booking writes). The worker renders each into a
full iMIP e-mail (text, HTML, text/calendar inline and as invite.ics) and sends it over SMTP to
a sink on 127.0.0.1: aiosmtpd in a separate process (so it does not share this process's GIL),
which only counts the ``X-Booking-Outbox-Id`` of what arrives.

A run: W threads, each with its own app context (so its own database session), call
``booking.outbox.delivery.deliver_due_messages`` in a loop until nothing is left to claim, or
the time limit is reached. The queue is written anew before each run. Reported per run:
messages, workers, seconds, messages/s, how the work split between the workers, database
errors the worker loop saw (SQLite: "database is locked"), messages still pending afterwards,
and duplicates (an outbox id the sink received twice: must be 0).

Two threads in one process share one GIL and rendering is CPU work, so two workers can at most
overlap the waiting (SMTP round trips, database commits); on SQLite they also take turns on the
single write lock. Several worker processes or machines (PostgreSQL, SKIP LOCKED) are what
scales delivery; this bench shows whether a second worker helps, hurts, or sends anything twice.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, insert, select

from bench.database import bench_app, describe, migrate, scratch_database, sqlite_triggers_suspended
from bench.timing import format_count, load_average
from booking.appointments import services
from booking.appointments.models import Appointment
from booking.counsellors.models import Counsellor
from booking.demo.seed import seed_demo
from booking.extensions import db
from booking.outbox.delivery import deliver_due_messages
from booking.outbox.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[1]
NAME = "delivery"
DESCRIPTION = "outbox delivery to a loopback SMTP sink: iMIP e-mails/s, one and two workers"

MESSAGES, QUICK_MESSAGES = 2_000, 300
REPETITIONS, QUICK_REPETITIONS = 3, 1
RUN_LIMIT_SECONDS = 60.0  # a run stops claiming after this; what is left is reported
TOTAL_BUDGET_SECONDS = 150.0  # no further repetition is started after this
WORKERS = (1, 2)
MAX_FAILURES_IN_A_ROW = 20  # then a worker stops: something is broken, not merely busy
LOCALES = ("de", "ar", "uk", "en", "ru", "fa", "tr", "pl")
SERVICES = ("first-consultation", "qualification-counselling", "follow-up")
OUTBOX_ID = re.compile(rb"^X-Booking-Outbox-Id: *(\d+)\r?$", re.MULTILINE | re.IGNORECASE)


# --- the SMTP sink, in its own process -------------------------------------------------------

class _CountingHandler:
    """Accepts everything; counts the outbox ids (headers only, the body is not parsed)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[int] = Counter()
        self.without_id = 0

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        head = content.split(b"\r\n\r\n", 1)[0]
        found = OUTBOX_ID.search(head)
        with self.lock:
            if found:
                self.ids[int(found.group(1))] += 1
            else:
                self.without_id += 1
        return "250 OK"


def sink_main(port: int) -> None:
    """The sink process: serves SMTP on ``port``; one command per line on stdin ("counts",
    "reset"; anything else or end of input stops it), one JSON answer per line on stdout."""
    from aiosmtpd.controller import Controller

    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            with handler.lock:
                if command == "counts":
                    answer = {"ids": handler.ids, "without_id": handler.without_id}
                elif command == "reset":
                    handler.ids = Counter()
                    handler.without_id = 0
                    answer = {}
                else:
                    break
                print(json.dumps(answer), flush=True)
    finally:
        controller.stop()


class Sink:
    """``with Sink() as sink``: an aiosmtpd server on 127.0.0.1 in a child process (its own
    interpreter, so it does not compete with the workers for this process's GIL)."""

    def __init__(self) -> None:
        from tests.smtp_server import free_port

        self.port = free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=30"

    def __enter__(self) -> Sink:
        self._process = subprocess.Popen(
            [sys.executable, "-c", f"from bench.delivery import sink_main; sink_main({self.port})"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self._process.stdout.readline().strip() != "ready":
            self.__exit__()
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()  # end of input: the sink stops
            process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(5)

    def _ask(self, command: str) -> dict:
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def reset(self) -> None:
        self._ask("reset")

    def counts(self) -> tuple[dict[int, int], int]:
        answer = self._ask("counts")
        return {int(k): v for k, v in answer["ids"].items()}, answer["without_id"]


# --- set-up -----------------------------------------------------------------------------------

def _appointments(app: Flask, how_many: int) -> None:
    """``how_many`` confirmed appointments of the demo counsellors at their home offices, one
    hour apart per counsellor from next week on; clients in eight languages."""
    with app.app_context():
        counsellors = db.session.execute(select(
            Counsellor.id, Counsellor.organisation_id, Counsellor.home_location_id)
            .order_by(Counsellor.id)).all()
        first = (datetime.now(UTC) + timedelta(days=7)).replace(minute=0, second=0,
                                                                microsecond=0)
        now = datetime.now(UTC)
        rows = []
        for i in range(how_many):
            counsellor_id, organisation_id, location_id = counsellors[i % len(counsellors)]
            start = first + timedelta(hours=i // len(counsellors))
            service = SERVICES[i % len(SERVICES)]
            rows.append({
                "reference": f"{i // 10_000:04d}-{i % 10_000:04d}",
                "ical_uid": f"bench-delivery-{i:06d}@iq-mv-booking",
                "organisation_id": organisation_id, "counsellor_id": counsellor_id,
                "location_id": location_id, "service_id": service, "start_at": start,
                "end_at": start + timedelta(minutes=30 if service == "follow-up" else 60),
                "status": "confirmed", "channel": "in_person", "source": "online",
                "language_code": "de", "locale": LOCALES[i % len(LOCALES)],
                "is_interpreter_needed": False, "client_name": f"Klientin {i}",
                "client_email": f"client{i}@example.net", "consent_version": "bench",
                "consent_at": now, "ical_sequence": 0, "created_at": now, "updated_at": now,
            })
        db.session.execute(insert(Appointment), rows)
        db.session.commit()
        db.session.remove()


def _queue(app: Flask) -> int:
    """An empty outbox, then one client invitation per appointment, as a booking writes it."""
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        for appointment in db.session.scalars(select(Appointment).order_by(Appointment.id)):
            services._notify(appointment, "appointment.booked", "REQUEST",
                             recipients=("client",))
        db.session.commit()
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    return queued


# --- one run ----------------------------------------------------------------------------------

@dataclass
class Run:
    workers: int
    queued: int
    seconds: float
    sent_by_worker: list[int]
    errors: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    received: int = 0
    duplicates: int = 0
    missing: int = 0
    without_id: int = 0
    empty_claims: int = 0  # rounds that claimed nothing while unclaimed messages were left
    stopped_by_limit: bool = False

    @property
    def sent(self) -> int:
        return sum(self.sent_by_worker)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def _claimable_left() -> bool:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.claimed_at.is_(None))) > 0


def _worker(app: Flask, index: int, deadline: float, sent: list[int], errors: list[str],
            empty: list[int], start: threading.Barrier) -> None:
    with app.app_context():
        try:
            start.wait()
            failures_in_a_row = 0
            while time.perf_counter() < deadline:
                try:
                    counts = deliver_due_messages()
                except Exception as error:  # noqa: BLE001 - e.g. SQLite's "database is locked"
                    db.session.rollback()
                    text = str(getattr(error, "orig", None) or error).splitlines()[0]
                    errors.append(f"{type(error).__name__}: {text}")
                    failures_in_a_row += 1
                    if failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                        errors.append(f"worker {index + 1} gave up after "
                                      f"{failures_in_a_row} failed rounds in a row")
                        break
                    continue
                failures_in_a_row = 0
                sent[index] += counts["sent"]
                if not any(counts.values()):
                    db.session.rollback()
                    if not _claimable_left():
                        break
                    empty[index] += 1
                    time.sleep(0.005)  # the other worker holds the rest; look again
        finally:
            db.session.remove()


def _run(app: Flask, sink: Sink, workers: int, limit: float) -> Run:
    queued = _queue(app)
    sink.reset()
    sent, empty = [0] * workers, [0] * workers
    errors: list[str] = []
    start = threading.Barrier(workers + 1)
    deadline = time.perf_counter() + limit + 1.0  # +1: the threads start at the barrier
    threads = [threading.Thread(target=_worker, name=f"delivery-worker-{i + 1}",
                                args=(app, i, deadline, sent, errors, empty, start))
               for i in range(workers)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    run = Run(workers, queued, seconds, sent, errors, empty_claims=sum(empty),
              stopped_by_limit=time.perf_counter() >= deadline)
    with app.app_context():
        run.statuses = dict(db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        db.session.remove()
    ids, run.without_id = sink.counts()
    run.received = sum(ids.values())
    run.duplicates = sum(n - 1 for n in ids.values() if n > 1)
    run.missing = run.statuses.get("sent", 0) - len(ids)
    return run


# --- the bench --------------------------------------------------------------------------------

def run(options) -> None:
    quick = getattr(options, "quick", False)
    total = QUICK_MESSAGES if quick else MESSAGES
    repetitions = QUICK_REPETITIONS if quick else REPETITIONS
    with Sink() as sink, scratch_database() as url:
        print(f"database: {describe(url)}; load average {load_average()}", flush=True)
        app = bench_app(url, datetime.now(UTC))
        app.config["CLOCK"] = lambda: datetime.now(UTC)  # the worker's own clock, as deployed
        app.config["SMTP_URL"] = sink.url
        started = time.perf_counter()
        migrate(app)
        with app.app_context():
            seed_demo()
            db.session.commit()
            db.session.remove()
        with sqlite_triggers_suspended(app, "appointments"):
            _appointments(app, total)
        print(f"set-up: schema, demo network and {format_count(total)} appointments in "
              f"{time.perf_counter() - started:.1f} s; sink aiosmtpd on 127.0.0.1:{sink.port} "
              f"(separate process); {repetitions} run(s) per worker count, each stops after "
              f"{RUN_LIMIT_SECONDS:.0f} s", flush=True)
        runs: list[Run] = []
        budget_end = time.perf_counter() + TOTAL_BUDGET_SECONDS
        for repetition in range(repetitions):
            if repetition and time.perf_counter() > budget_end:
                print("time budget spent: no further repetitions", flush=True)
                break
            for workers in WORKERS:
                result = _run(app, sink, workers, RUN_LIMIT_SECONDS)
                runs.append(result)
                _print_run(result)
        with app.app_context():
            dialect = db.engine.dialect.name
            db.engine.dispose()
    _report(runs, dialect)


def _print_run(r: Run) -> None:
    split = " + ".join(format_count(n) for n in r.sent_by_worker)
    left = r.statuses.get("pending", 0)
    print(f"  {r.workers} worker(s): {format_count(r.sent)} of {format_count(r.queued)} sent "
          f"in {r.seconds:.2f} s = {r.rate:.0f} messages/s (split {split}); sink received "
          f"{format_count(r.received)}, duplicates {r.duplicates}; pending after {left}; "
          f"database errors {len(r.errors)}, empty claims {r.empty_claims}"
          f"{'; STOPPED BY THE TIME LIMIT' if r.stopped_by_limit else ''}", flush=True)


def _report(runs: list[Run], dialect: str) -> None:
    if not runs:
        return
    print()
    headings = ["workers", "messages", "seconds", "messages/s", "split", "duplicates",
                "pending after", "db errors"]
    rows = []
    medians: dict[int, float] = {}
    for workers in WORKERS:
        mine = [r for r in runs if r.workers == workers]
        if not mine:
            continue
        middle = sorted(mine, key=lambda r: r.rate)[len(mine) // 2]  # the median run
        medians[workers] = statistics.median(r.rate for r in mine)
        rows.append([str(workers), format_count(middle.sent), f"{middle.seconds:.2f}",
                     f"{medians[workers]:.0f}",
                     " + ".join(format_count(n) for n in middle.sent_by_worker),
                     str(sum(r.duplicates for r in mine)),
                     str(max(r.statuses.get("pending", 0) for r in mine)),
                     str(sum(len(r.errors) for r in mine))])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headings)]
    print("  ".join(h.rjust(w) for h, w in zip(headings, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\nmedian of {len(runs) // len(WORKERS) or 1} run(s) per row (the row shows the "
          f"median run); duplicates and db errors summed over all runs, pending after: the "
          f"most left in any run.")
    if 1 in medians and 2 in medians:
        print(f"ratio 2 workers / 1 worker: {medians[2] / medians[1]:.2f}x "
              f"({medians[1]:.0f} -> {medians[2]:.0f} messages/s)")
    duplicates = sum(r.duplicates for r in runs)
    problems = [r for r in runs if r.missing or r.without_id or r.statuses.get("pending")
                or r.statuses.get("failed") or r.statuses.get("skipped")]
    print(f"duplicates (an X-Booking-Outbox-Id received twice): {duplicates}"
          f"{'  <-- MUST BE 0: at-least-once turned into twice' if duplicates else ''}")
    for r in problems:
        print(f"  note: {r.workers} worker(s): statuses {r.statuses}, marked sent but not "
              f"received {r.missing}, received without id {r.without_id}")
    errors = Counter(e for r in runs for e in r.errors)
    for error, n in errors.most_common(5):
        print(f"  database error seen {n}x: {error}")
    print("db errors: the worker loop catches a database error, rolls back and claims again, "
          "as the scheduler's next tick would.")
    if dialect == "sqlite":
        print("SQLite: one write lock for the whole file, so the two workers take turns for "
              "every claim and every per-message commit (busy_timeout waits, no SKIP LOCKED).")
    else:
        print(f"{dialect}: the workers claim disjoint batches (FOR UPDATE SKIP LOCKED).")
    print(f"both workers are threads of one process and share its GIL; rendering is CPU work "
          f"(load average now {load_average()}: other processes on the machine skew the figures).")
