"""Per-connection database settings (SQLite enforces foreign keys and waits for locks), and
the id range every record id lies in."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER columns: 32-bit on PostgreSQL, which refuses a larger number in a
# query outright (SQLite would just find nothing).
MAX_ID = 2**31 - 1


class RecordIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number beyond any record id does not match the route, so
    it is a plain 404 instead of a query the database refuses."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()


def init_database_events() -> None:
    if not event.contains(Engine, "connect", _configure_sqlite):
        event.listen(Engine, "connect", _configure_sqlite)


def reset_postgres_schema(url: str) -> None:
    """Empty a scratch PostgreSQL database (tests, benchmarks): drop and recreate ``public``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
