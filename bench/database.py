"""A scratch database built by the app's migrations, and an app with a frozen clock.

SQLite in a temporary file by default; ``BOOKING_BENCH_DATABASE_URL`` (for example
``postgresql://postgres@127.0.0.1:5432/bench_x``) selects another database, whose public schema
is dropped and recreated first, so never point it at a database you want to keep.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import Flask
from sqlalchemy import create_engine, event, make_url, text

from booking import create_app
from booking.database import reset_postgres_schema
from booking.extensions import db
from config import Config, normalise_database_url

ENV_URL = "BOOKING_BENCH_DATABASE_URL"


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yield an empty database URL (a temporary SQLite file unless ``ENV_URL`` is set)."""
    configured = os.environ.get(ENV_URL, "").strip()
    if configured:
        url = normalise_database_url(configured)
        if make_url(url).get_backend_name() == "postgresql":
            reset_postgres_schema(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="booking-bench-") as directory:
        yield f"sqlite:///{directory}/bench.sqlite3"


def describe(url: str) -> str:
    """The database for the report, without a password; the server version where known."""
    shown = make_url(url).render_as_string(hide_password=True)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                version = conn.execute(text("SHOW server_version")).scalar()
                return f"{shown} (PostgreSQL {version})"
            if conn.dialect.name == "sqlite":
                version = conn.execute(text("SELECT sqlite_version()")).scalar()
                source = f"{ENV_URL}" if os.environ.get(ENV_URL) else "temporary file"
                return f"{shown} (SQLite {version}, {source})"
    finally:
        engine.dispose()
    return shown


def bench_app(url: str, now: datetime, horizon_days: int = 120) -> Flask:
    """The production configuration on ``url``, with "now" frozen and rate limits off."""
    settings = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                "BOOKING_HORIZON_DAYS": horizon_days}
    app = create_app(type("BenchConfig", (Config,), settings))
    app.config["CLOCK"] = lambda: now
    return app


def migrate(app: Flask) -> None:
    """Build the schema exactly as production does: ``flask db upgrade``."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


def analyse(app: Flask) -> None:
    """Refresh the planner statistics after a bulk load (PostgreSQL's autovacuum would)."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


@contextmanager
def sqlite_triggers_suspended(app: Flask, table: str) -> Iterator[int]:
    """On SQLite, drop ``table``'s triggers for a bulk load of rows that are valid by
    construction, then recreate them from their stored SQL; yields how many there were.

    The double-booking trigger scans the counsellor's earlier appointments for every row, so
    loading 200,000 rows with it takes minutes instead of seconds (the bench measures one
    guarded insert separately). Elsewhere a no-op: PostgreSQL's exclusion constraint is
    checked through its index."""
    triggers = []
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            triggers = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table}).all()
            for name, _ in triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield len(triggers)
    finally:
        with app.app_context(), db.engine.begin() as conn:
            for _, sql in triggers:
                conn.execute(text(sql))


class QueryCounter:
    """Counts statements sent to the database (``before_cursor_execute``)."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)
