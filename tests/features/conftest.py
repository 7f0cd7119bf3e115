"""Fixtures for feature tests: the seeded demo network and a frozen clock."""

from datetime import UTC, datetime

import pytest

from booking.demo.seed import seed_demo
from booking.extensions import db

# Monday 1 February 2027, 07:00 in Berlin.
NOW = datetime(2027, 2, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(app):
    app.config["CLOCK"] = lambda: NOW
    return NOW


@pytest.fixture
def demo(app, frozen_now):
    seed_demo()
    db.session.commit()
    return app


@pytest.fixture
def count_queries(app):
    """Counts SQL statements sent to the database while the returned list is being watched."""
    from sqlalchemy import event

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    yield statements
    event.remove(db.engine, "before_cursor_execute", before)
