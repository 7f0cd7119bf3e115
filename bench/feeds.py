"""Calendar feeds: rendering a counsellor's feed with 2,000 appointments, and the 304 answer.

Calendar apps poll a subscribed feed about once an hour, so most requests should end in a 304
that costs a few small queries and no rendering (``booking/feeds/content.py``: the ETag comes
from a fingerprint query). Measured through the test client, with the whole request:

(a) ``GET /feeds/counsellors/<token>.ics``: 200, all events rendered;
(b) the same with ``If-None-Match`` (the ETag of (a)): 304;
(c) the same with ``If-Modified-Since`` only: 304 (for information);
(d) ``GET /feeds/outreach.ics``: the public mobile advice days (for information).

The network is ``bench.network``'s (three organisations, dozens of counsellors, their hours,
absences and closures) plus other counsellors' appointments, so the feed's queries search a
realistic table; one counsellor has 2,000 active appointments in the feed's window (30 days
back to the booking horizon) and some cancelled ones, which the feed leaves out.
"""

from __future__ import annotations

import gc
import itertools
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import insert

from bench import network
from bench.database import QueryCounter, analyse, sqlite_triggers_suspended
from bench.timing import Result, format_count, measure, measurement_plan, table
from booking.appointments.models import Appointment
from booking.appointments.tokens import hash_token
from booking.extensions import db
from booking.feeds.content import PAST_DAYS
from booking.feeds.models import CalendarFeed
from booking.feeds.services import feed_token
from booking.feeds.views import rendered

NAME = "feeds"
DESCRIPTION = "counsellor feed with 2,000 events: full render (200) against the 304 answer"

EVENTS = 2_000
OTHERS, QUICK_OTHERS = 20_000, 5_000  # other counsellors' appointments in the table
HORIZON_DAYS = 120  # bench_app's booking horizon
PER_DAY = 15  # one appointment an hour, 06:00-20:45 UTC, every day of the window
CANCELLED_EVERY = 10  # every tenth is cancelled (not in the body, but in the fingerprint)

RENDER = "(a) GET feed, 200 (rendered)"
CACHED = "(a2) GET feed, 200 (unchanged: body from the per-process cache)"
NOT_MODIFIED = "(b) GET feed, 304 (If-None-Match)"
SINCE = "(c) GET feed, 304 (If-Modified-Since)"
OUTREACH = "(d) GET /feeds/outreach.ics, 200"


def run(options) -> None:
    quick = getattr(options, "quick", False)
    freeze = getattr(options, "gc_freeze", False)
    plan = measurement_plan(quick)
    others = QUICK_OTHERS if quick else OTHERS
    with network.network_app(horizon_days=HORIZON_DAYS) as (app, net, set_up):
        started = time.perf_counter()
        counsellor_id = _mobile_counsellor(net)
        path, stored = _load(app, net, counsellor_id, others)
        analyse(app)
        set_up += time.perf_counter() - started
        print(f"network: {net.counts['counsellors']} counsellors, {format_count(stored)} stored "
              f"appointments; the feed's counsellor ({counsellor_id}) has {EVENTS:,} active "
              f"ones in the window ({PAST_DAYS} days back to {HORIZON_DAYS} days ahead) and a "
              f"fortnightly mobile advice day; set up in {set_up:.1f} s; "
              f"{plan['repetitions']} runs after {plan['warmups']} warm-ups"
              f"{'; gc.freeze() before measuring' if freeze else ''}", flush=True)
        if freeze:
            gc.collect()
            gc.freeze()
        results = _measure(app, path, stored, plan)
    _report(results)


def _mobile_counsellor(net) -> int:
    """A counsellor with hours at a mobile venue, so every kind of event is in the feed."""
    return min(r.counsellor_id for r in net.rules if r.location_id in net.mobile)


def _load(app: Flask, net, counsellor_id: int, others: int) -> tuple[str, int]:
    """The feed's counsellor's appointments, other counsellors' from the network's stream,
    and a feed; the feed's URL path and the number of stored appointments."""
    info = net.counsellors[counsellor_id]
    office = next(r.location_id for r in net.rules if r.counsellor_id == counsellor_id
                  and r.location_id not in net.mobile)
    first = network.FIXED_NOW.replace(hour=0, minute=0) - timedelta(days=PAST_DAYS)
    rows, active = [], 0
    for n in itertools.count():
        if active == EVENTS:
            break
        start = first + timedelta(days=n // PER_DAY, hours=6 + n % PER_DAY)
        cancelled = n % CANCELLED_EVERY == CANCELLED_EVERY - 1
        past = start < network.FIXED_NOW
        active += not cancelled
        rows.append({
            "reference": f"FEED-{n:04d}", "ical_uid": f"feed-bench-{n}@iq-mv.example.org",
            "organisation_id": info["organisation"], "counsellor_id": counsellor_id,
            "location_id": office, "service_id": "first-consultation" if n % 3 else "follow-up",
            "start_at": start, "end_at": start + timedelta(minutes=45),
            "status": "cancelled" if cancelled else ("attended" if past else "confirmed"),
            "channel": ("in_person", "in_person", "phone")[n % 3], "source": "online",
            "language_code": info["languages"][n % len(info["languages"])], "locale": "de",
            "is_interpreter_needed": n % 7 == 0, "client_name": f"Klientin {n}",
            "client_email": f"feed{n}@example.net", "consent_version": "2026-01",
            "consent_at": start - timedelta(days=5), "ical_sequence": 1 if cancelled else 0,
            "created_at": start - timedelta(days=5),
            "updated_at": start - timedelta(days=1 if cancelled else 5),
            "cancelled_at": start - timedelta(days=1) if cancelled else None})
    with sqlite_triggers_suspended(app, "appointments"), app.app_context():
        db.session.execute(insert(Appointment), rows)
        stream = (row for row in network.appointment_stream(net)
                  if row["counsellor_id"] != counsellor_id)
        db.session.execute(insert(Appointment), list(itertools.islice(stream, others)))
        feed = CalendarFeed(kind="counsellor", organisation_id=info["organisation"],
                            counsellor_id=counsellor_id, nonce="bench-feed", token_hash="-",
                            created_at=network.FIXED_NOW, updated_at=network.FIXED_NOW)
        feed.token_hash = hash_token(feed_token(feed))
        db.session.add(feed)
        db.session.commit()
        path = f"/feeds/counsellors/{feed_token(feed)}.ics"
    return path, len(rows) + others


def _measure(app: Flask, path: str, stored: int, plan: dict) -> list[Result]:
    client = app.test_client()
    counter = QueryCounter(app)
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(f"{path}: {first.status_code} {first.get_data(True)[:300]}")
    events = first.data.count(b"BEGIN:VEVENT")
    conditions = {RENDER: {}, CACHED: {},
                  NOT_MODIFIED: {"If-None-Match": first.headers["ETag"]},
                  SINCE: {"If-Modified-Since": first.headers["Last-Modified"]}}
    expected = {RENDER: 200, NOT_MODIFIED: 304, SINCE: 304}
    results = []
    try:
        for scenario, headers in [*conditions.items(), (OUTREACH, {})]:
            url = "/feeds/outreach.ics" if scenario == OUTREACH else path
            queries: list[int] = []
            sizes: list[int] = []

            def call(url=url, headers=headers, scenario=scenario, queries=queries,
                     sizes=sizes):
                if scenario == RENDER:
                    rendered.clear()  # measure the render itself, not the body cache
                before = counter.count
                response = client.get(url, headers=headers)
                queries.append(counter.count - before)
                sizes.append(len(response.data))
                if response.status_code != expected.get(scenario, 200):
                    raise RuntimeError(f"{scenario}: {response.status_code}")

            samples, full_gc = measure(call, **plan)
            body = client.get(url, headers=headers).data
            results.append(Result(scenario, stored, samples, {
                "events": format_count(body.count(b"BEGIN:VEVENT")) if body else "-",
                "kb": f"{max(sizes) / 1024:.0f}", "queries": max(queries), "gc": full_gc}))
    finally:
        counter.close()
    results[0].extra["events"] = format_count(events)
    return results


def _report(results: list[Result]) -> None:
    print()
    print(table(results, [("events", "events"), ("kb", "body KB"), ("queries", "queries"),
                          ("gc", "gc")]))
    by = {r.scenario: r for r in results}
    render, cheap = by[RENDER], by[NOT_MODIFIED]
    print(f"\nratio (a) / (b), medians: {render.median_ms / cheap.median_ms:.1f}x "
          f"({render.median_ms:.1f} ms rendered, {cheap.median_ms:.1f} ms for the 304); "
          f"p95: {render.p95_ms / cheap.p95_ms:.1f}x")
    print("queries: SQL statements per request; gc: timed runs with a full garbage collection."
          f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; figures are information, not "
          "a pass/fail check.")
