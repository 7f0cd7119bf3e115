"""Benchmarks, run with ``make bench`` (``python -m bench``).

Each benchmark is a module with ``NAME``, ``DESCRIPTION`` and ``run(options)``, listed in
``bench.__main__.BENCHMARKS``. Shared pieces: ``bench.database`` (a migrated scratch database
and an app with a frozen clock), ``bench.network`` (a large synthetic network) and
``bench.timing`` (repetitions, median and p95, the result table).
"""
