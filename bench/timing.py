"""Repeated timing with ``time.perf_counter``; median, p95 and a compact result table."""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    scenario: str
    stored: int
    samples: list[float]  # seconds
    extra: dict = field(default_factory=dict)  # slots, queries, loaded appointments, goal …

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """Nearest-rank 95th percentile (with 30 samples: the second slowest)."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def measurement_plan(quick: bool) -> dict:
    """``measure``'s settings: a short smoke run with ``--quick``, else the full one."""
    if quick:
        return {"repetitions": 10, "warmups": 2, "budget_seconds": 3.0}
    return {"repetitions": 30, "warmups": 3, "budget_seconds": 10.0}


def measure(fn: Callable[[], object], *, repetitions: int, warmups: int,
            budget_seconds: float, minimum: int = 5) -> tuple[list[float], int]:
    """Run ``fn`` ``warmups`` times untimed, then up to ``repetitions`` timed runs; stop early
    (after at least ``minimum``) once ``budget_seconds`` are spent, so the bench stays bounded.

    Returns the samples in seconds and how many of the timed runs included a full (generation
    2) garbage collection, which is what usually makes the slow tail."""
    full_collections = 0

    def seen(phase: str, info: dict) -> None:
        nonlocal full_collections
        if phase == "start" and info["generation"] == 2:
            full_collections += 1

    for _ in range(warmups):
        fn()
    gc.collect()
    samples: list[float] = []
    runs_with_full_gc = 0
    deadline = time.perf_counter() + budget_seconds
    gc.callbacks.append(seen)
    try:
        while len(samples) < repetitions:
            before = full_collections
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
            runs_with_full_gc += full_collections > before
            if len(samples) >= minimum and time.perf_counter() > deadline:
                break
    finally:
        gc.callbacks.remove(seen)
    return samples, runs_with_full_gc


def load_average() -> str:
    """The machine's load for the report: other processes skew the figures."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f", {os.cpu_count()} CPUs"


def format_count(n: int) -> str:
    return f"{n:,}"


def table(results: list[Result], columns: list[tuple[str, str]],
          after: list[tuple[str, str]] = ()) -> str:
    """Rows of ``results``: scenario, stored, the ``extra`` columns named in ``columns``
    (key, heading), n, median and p95 in milliseconds, then the ``after`` columns."""
    headings = ["scenario", "stored", *[h for _, h in columns], "n", "median ms", "p95 ms",
                *[h for _, h in after]]
    rows = []
    for r in results:
        cells = [str(r.extra.get(key, "-")) for key, _ in columns]
        rows.append([r.scenario, format_count(r.stored), *cells, str(len(r.samples)),
                     f"{r.median_ms:.1f}", f"{r.p95_ms:.1f}",
                     *[str(r.extra.get(key, "")) for key, _ in after]])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(headings)]
    left = {0, *range(len(headings) - len(after), len(headings))}

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(headings), line(["-" * w for w in widths]), *map(line, rows)])
