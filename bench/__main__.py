"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks and print their figures.

Timings are information, not a pass/fail check: the exit status is 0 unless a benchmark
crashed. Add a benchmark by appending its module to ``BENCHMARKS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

# (name, module); the module provides NAME, DESCRIPTION and run(options).
BENCHMARKS: list[tuple[str, str]] = [
    ("availability", "bench.availability"),
    ("delivery", "bench.delivery"),
    ("feeds", "bench.feeds"),
    ("tours", "bench.tours"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [name for name, _ in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="Run the benchmarks and print their figures.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions and a smaller top size (a smoke run)")
    parser.add_argument("--only", action="append", metavar="NAME", default=[],
                        help=f"run only these benchmarks (repeatable or comma-separated): "
                             f"{', '.join(names)}")
    parser.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false",
                        help="measure without gc.freeze() after set-up (wsgi.py freezes the "
                             "start-up objects, so by default the bench does too)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    options = parser.parse_args(argv)
    wanted = [n.strip() for item in options.only for n in item.split(",") if n.strip()]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
    options.selected = [n for n in names if not wanted or n in wanted]
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    modules = {name: module for name, module in BENCHMARKS}
    if options.list:
        for name in options.selected:
            print(f"{name:16} {importlib.import_module(modules[name]).DESCRIPTION}")
        return 0
    failed = []
    for name in options.selected:
        module = importlib.import_module(modules[name])
        print(f"=== {name}: {module.DESCRIPTION}{' (quick)' if options.quick else ''}",
              flush=True)
        started = time.perf_counter()
        try:
            module.run(options)
        except Exception:  # noqa: BLE001 - report and go on with the other benchmarks
            traceback.print_exc()
            failed.append(name)
        print(f"=== {name} finished in {time.perf_counter() - started:.1f} s\n", flush=True)
    if failed:
        print(f"crashed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
