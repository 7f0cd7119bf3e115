"""Availability: the slot engine alone and ``GET /api/v1/slots``, at three table sizes.

(a) ``compute_free_slots`` for one office over four weeks, its inputs loaded once by the
    service's own loaders (the engine alone; also for all locations, for comparison);
(b) ``GET /api/v1/slots`` for all locations over four weeks through the test client, with and
    without ``language=``, counting the SQL statements per request;
(c) both again with 2,000, 20,000 and 200,000 stored appointments. The four weeks searched hold
    the same appointments at every size; a bigger table only reaches further into the past and
    the future at the same density (``bench.network``), so only the table size changes.
(d) for information: storing one booking in a free slot (INSERT + rollback), which runs the
    database's double-booking guard.
"""

from __future__ import annotations

import gc
import time
from datetime import timedelta
from unittest import mock

from flask import Flask
from sqlalchemy import insert, select

from bench import network
from bench.database import QueryCounter, analyse, sqlite_triggers_suspended
from bench.timing import Result, format_count, load_average, measure, measurement_plan, table
from booking.appointments.models import Appointment
from booking.availability import services
from booking.catalogue.models import Service
from booking.domain.slots import Slot, compute_free_slots
from booking.extensions import db
from booking.network.models import Location

NAME = "availability"
DESCRIPTION = "free slots: engine alone and GET /api/v1/slots at 2k, 20k and 200k appointments"

SIZES = (2_000, 20_000, 200_000)
QUICK_SIZES = (2_000, 20_000, 50_000)
SERVICE = "first-consultation"
FIRST_DAY = network.FIRST_WEEK  # "today" at the frozen now: what the API searches by default
END_DAY = FIRST_DAY + timedelta(weeks=4)
ENGINE_GOAL_MS = 20.0  # (a) engine alone, one location, four weeks
API_P95_GOAL_MS = 100.0  # (b) GET /api/v1/slots, all locations, four weeks

ENGINE_ONE = "(a) engine, 1 office"
ENGINE_ALL = "    engine, all locations"
API_ALL = "(b) GET /slots, all locations"
API_LANGUAGE = "    GET /slots, all, language={}"
BOOKING = "(d) INSERT 1 booking (info)"


def run(options) -> None:
    quick = getattr(options, "quick", False)
    freeze = getattr(options, "gc_freeze", False)
    plan = measurement_plan(quick)
    sizes = QUICK_SIZES if quick else SIZES
    with network.network_app(note=f"; load average {load_average()}") as (app, net, set_up):
        language = net.half_covered_language()
        where = len(net.speakers(language))
        print(f"network: 3 organisations, {len(net.offices)} offices + {len(net.mobile)} mobile "
              f"venues, {net.counts['counsellors']} counsellors (2-4 languages, some at two "
              f"places), {net.counts['weekly hours']} weekly-hours rules, "
              f"{net.counts['absences']} absences, {net.counts['closures']} closures; schema and "
              f"network in {set_up:.1f} s")
        print(f"search: {SERVICE}, {FIRST_DAY} .. {END_DAY - timedelta(days=1)} (4 weeks), now "
              f"frozen at {network.FIXED_NOW:%Y-%m-%d %H:%M} UTC; language variant "
              f"'{language}' (spoken at {where} of {len(net.offices) + len(net.mobile)} "
              f"locations); {plan['repetitions']} runs after {plan['warmups']} warm-ups, at "
              f"most ~{plan['budget_seconds']:.0f} s per row"
              f"{'; gc.freeze() before measuring' if freeze else ''}", flush=True)
        results = _run_sizes(app, net, sizes, language, plan, freeze)
    _report(results, sizes, language)


def _run_sizes(app: Flask, net, sizes, language: str, plan: dict,
               freeze: bool) -> list[Result]:
    stream = network.appointment_stream(net)
    counter = QueryCounter(app)
    results: list[Result] = []
    stored = 0
    try:
        for size in sizes:
            started = time.perf_counter()
            with sqlite_triggers_suspended(app, "appointments") as suspended:
                network.insert_appointments(app, stream, size - stored)
            stored = size
            analyse(app)
            first, last = network.stored_span(app)
            note = f", {suspended} SQLite triggers suspended for the load" if suspended else ""
            print(f"stored {format_count(size):>7} appointments, {first:%Y-%m-%d} .. "
                  f"{last:%Y-%m-%d} (loaded and analysed in {time.perf_counter() - started:.1f}"
                  f" s{note}); measuring ...", flush=True)
            if freeze:
                gc.collect()
                gc.freeze()
            engine_results, free = _engine(app, size, net.main_office, plan)
            results += engine_results
            results += _api(app, size, counter, language, plan)
            results.append(_booking(app, size, net, free[0], plan))
    finally:
        counter.close()
    return results


def capture_engine_inputs(app: Flask, location_ids: list[str] | None,
                          language: str | None = None) -> tuple[tuple, dict]:
    """The exact arguments ``find_free_slots`` hands to the engine (same loaders, same
    window), captured by standing in for ``compute_free_slots`` for one call."""
    captured: dict = {}

    def recorder(*args, **kwargs):
        captured.update(args=args, kwargs=kwargs)
        return []

    with app.app_context(), mock.patch.object(services, "compute_free_slots", recorder):
        query = select(Location).where(Location.is_active)
        if location_ids is not None:
            query = query.where(Location.id.in_(location_ids))
        services.find_free_slots(
            service=db.session.get(Service, SERVICE), locations=db.session.scalars(query).all(),
            language=language, first_day=FIRST_DAY, end_day=END_DAY, now=network.FIXED_NOW)
        db.session.remove()
    return captured["args"], captured["kwargs"]


def _engine(app: Flask, size: int, office: str, plan: dict) -> tuple[list[Result], list[Slot]]:
    results, first_slots = [], []
    for scenario, location_ids in ((ENGINE_ONE, [office]), (ENGINE_ALL, None)):
        args, kwargs = capture_engine_inputs(app, location_ids)
        slots = compute_free_slots(*args, **kwargs)
        first_slots = first_slots or slots
        samples, full_gc = measure(lambda a=args, k=kwargs: compute_free_slots(*a, **k), **plan)
        results.append(Result(scenario, size, samples, {
            "slots": format_count(len(slots)), "loaded": len(kwargs["appointments"]),
            "gc": full_gc}))
    return results, first_slots


def _api(app: Flask, size: int, counter: QueryCounter, language: str,
         plan: dict) -> list[Result]:
    client = app.test_client()
    base = f"/api/v1/slots?service={SERVICE}&start={FIRST_DAY}&end={END_DAY}"
    results = []
    for scenario, url in ((API_ALL, base),
                          (API_LANGUAGE.format(language), f"{base}&language={language}")):
        queries: list[int] = []

        def call(url=url, queries=queries):
            before = counter.count
            response = client.get(url)
            queries.append(counter.count - before)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.get_data(True)}")
            return response

        body = call().get_json()
        samples, full_gc = measure(call, **plan)
        spread = sorted(set(queries))
        results.append(Result(scenario, size, samples, {
            "slots": format_count(len(body["slots"])), "gc": full_gc,
            "queries": "-".join(str(q) for q in (spread[0], spread[-1])[:len(spread)])}))
    return results


def _booking(app: Flask, size: int, net, slot: Slot, plan: dict) -> Result:
    """Store one appointment in the first free slot and roll back: the unique indexes and the
    double-booking guard (an exclusion constraint, or triggers on SQLite) run each time."""
    row = {"reference": "BOOK-TEST", "ical_uid": "bench-booking@iq-mv.example.org",
           "organisation_id": net.counsellors[slot.counsellor_id]["organisation"],
           "counsellor_id": slot.counsellor_id, "location_id": slot.location_id,
           "service_id": SERVICE, "start_at": slot.start, "end_at": slot.end,
           "status": "confirmed", "channel": "in_person", "source": "online",
           "language_code": "de", "locale": "de", "is_interpreter_needed": slot.interpreter,
           "ical_sequence": 0, "created_at": network.FIXED_NOW, "updated_at": network.FIXED_NOW}

    def book() -> None:
        db.session.execute(insert(Appointment), [row])
        db.session.rollback()

    with app.app_context():
        samples, full_gc = measure(book, **plan)
        db.session.remove()
    return Result(BOOKING, size, samples, {"gc": full_gc})


def _goal(result: Result) -> str:
    if result.scenario == ENGINE_ONE:
        if result.p95_ms < ENGINE_GOAL_MS:
            return f"<{ENGINE_GOAL_MS:.0f} ms: met"
        met = "median only" if result.median_ms < ENGINE_GOAL_MS else "missed"
        return f"<{ENGINE_GOAL_MS:.0f} ms: {met}"
    if result.scenario == API_ALL:
        met = "met" if result.p95_ms < API_P95_GOAL_MS else "missed"
        return f"p95 <{API_P95_GOAL_MS:.0f} ms: {met}"
    return ""


def _report(results: list[Result], sizes, language: str) -> None:
    for r in results:
        r.extra["goal"] = _goal(r)
    print()
    print(table(results, [("loaded", "in window"), ("slots", "slots"), ("queries", "queries"),
                          ("gc", "gc")], after=[("goal", "goal")]))
    print("\nin window: stored appointments the engine receives for the four weeks; queries: "
          "SQL statements per request;\ngc: timed runs that included a full (generation 2) "
          "garbage collection, usually the slow tail.")
    print(f"median ratio {format_count(sizes[-1])} / {format_count(sizes[0])} stored "
          f"appointments (about 1.0: the cost follows the window, not the table):")
    scenarios = list(dict.fromkeys(r.scenario for r in results))
    by_key = {(r.scenario, r.stored): r for r in results}
    for scenario in scenarios:
        low, high = by_key[(scenario, sizes[0])], by_key[(scenario, sizes[-1])]
        print(f"  {scenario.strip():34} {high.median_ms / low.median_ms:5.2f}x  "
              f"({low.median_ms:.2f} -> {high.median_ms:.2f} ms)")
    window = {r.extra.get("loaded") for r in results if r.scenario == ENGINE_ONE}
    if len(window) > 1:
        print(f"  note: the window's appointments differ between sizes: {sorted(window)}")
    control = [by_key[(s, sizes[-1])].median_ms / by_key[(s, sizes[0])].median_ms
               for s in (ENGINE_ONE, ENGINE_ALL)]
    if not all(0.8 < ratio < 1.25 for ratio in control):
        print(f"  note: the engine got the same input at every size, yet its median changed "
              f"{' and '.join(f'{r:.2f}x' for r in control)}: the machine was busy (load "
              f"average now {load_average()}); rerun for clean ratios.")
    print(f"goals: (a) engine alone, one location, four weeks: under {ENGINE_GOAL_MS:.0f} ms "
          f"(judged on p95); (b) GET /api/v1/slots, all locations, four weeks: p95 under "
          f"{API_P95_GOAL_MS:.0f} ms on the 2-core target machine. The language={language} and "
          f"(d) rows are for information.")
