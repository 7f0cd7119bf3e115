"""Shared fixtures: an app on SQLite (or on PostgreSQL when BOOKING_TEST_DATABASE_URL is set),
a clean database per test, and a guard that keeps tests away from real mail servers."""

from __future__ import annotations

import contextvars
import os
import smtplib
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from booking import create_app
from booking.database import reset_postgres_schema
from booking.demo.seed import seed_demo
from booking.extensions import db
from config import TestConfig, normalise_database_url

POSTGRES_URL = os.environ.get("BOOKING_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def make_config(database_url: str) -> type:
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if POSTGRES_URL:
        url = normalise_database_url(POSTGRES_URL)
        try:
            reset_postgres_schema(url)
        except Exception as error:  # noqa: BLE001 - a configured database must be reachable
            pytest.exit(f"BOOKING_TEST_DATABASE_URL is set but unusable: {error}", returncode=3)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _migrated_schema(database_url):
    """The test schema comes from the migrations, exactly as production builds it."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield


def _delete_all_rows() -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(database_url, _migrated_schema, tmp_path):
    app = create_app(make_config(database_url))
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "outbox")
    with app.app_context():
        yield app
        db.session.remove()
        _delete_all_rows()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs every request in a fresh context, so it gets its own app context, ``g`` and
    database session, as in production, even though the test itself holds an app context."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(autouse=True)
def _no_real_mail_servers(monkeypatch):
    """Fail any test that tries to reach a mail server other than one on loopback."""
    real_connect = smtplib.SMTP.connect

    def guarded_connect(self, host="localhost", port=0, source_address=None):
        if host not in ("localhost", "127.0.0.1", "::1"):
            pytest.fail(f"test tried to reach a real mail server at {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded_connect)


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


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app sends to it (SMTP_URL)."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer().start()
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()


# Demo sign-ins (booking/demo/accounts.py): two organisations' staff and counsellors.
ADMIN = "admin@iq-mv.example.org"
STAFF_VSP = "buero@vsp.example.org"
STAFF_MIGRA = "buero@migra.example.org"
COUNSELLOR_VSP = "k.beispiel@vsp.example.org"  # Katrin Beispiel, Schwerin
COUNSELLOR_VSP_OTHER = "s.musterani@vsp.example.org"  # Samir Al-Musterani, Schwerin
COUNSELLOR_MIGRA = "j.exempel@migra.example.org"  # Jonas Exempel, Rostock


@pytest.fixture
def sign_in(demo):
    """``sign_in(email)`` gives a test client signed in as that demo account, reading the staff
    pages in English (``language=None``: the default, German)."""
    from booking.demo.accounts import DEMO_PASSWORD

    demo.test_client_class = IsolatedClient

    def _sign_in(email: str, password: str = DEMO_PASSWORD,
                 language: str | None = "en") -> FlaskClient:
        client = demo.test_client()
        if language:
            client.set_cookie("lang", language)
        response = client.post("/staff/login", data={"email": email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


@pytest.fixture
def radicale(tmp_path):
    """A real Radicale CalDAV server on loopback (see tests/radicale_server.py)."""
    from tests.radicale_server import RadicaleServer

    folder = tmp_path / "radicale"
    folder.mkdir()
    server = RadicaleServer(folder).start()
    yield server
    server.stop()
