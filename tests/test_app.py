"""The app factory, the home page, the health check and error responses."""

from sqlalchemy import text

from booking import create_app
from booking.extensions import db
from config import TestConfig


def test_health_check_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_unreachable_database(tmp_path):
    broken = type("Broken", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x/db.sqlite3",
    })
    app = create_app(broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_home_page_says_in_german_what_the_service_is(client, runner):
    runner.invoke(args=["seed-demo"])
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de" dir="ltr">' in html
    assert "Termine für die Anerkennungsberatung in Mecklenburg-Vorpommern" in html
    assert "Berufs- oder Studienabschluss aus dem Ausland" in html
    assert "kostenlos, vertraulich" in html
    # The offices come from the database, with their provider.
    assert "Mecklenburgstraße 9" in html and "migra e.V." in html


def test_home_page_follows_accept_language(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Appointments for recognition counselling" in html


def test_unknown_page_is_a_translated_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not_found" and body["message"]


def test_unexpected_error_is_a_page_not_a_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Bei uns ist ein Fehler aufgetreten" in response.get_data(as_text=True)


def test_factory_builds_independent_apps(database_url):
    first = create_app(type("A", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    second = create_app(type("B", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    assert first is not second
    with second.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_refuses_to_start_with_unreadable_reminder_leads():
    import pytest

    bad = type("Bad", (TestConfig,), {"BOOKING_REMINDER_LEADS": "2wd,tomorrowish"})
    with pytest.raises(RuntimeError, match="BOOKING_REMINDER_LEADS.*tomorrowish"):
        create_app(bad)


def test_api_errors_speak_the_readers_language(client):
    german = client.get("/api/v1/nothing-here", headers={"Accept-Language": "de"}).get_json()
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}).get_json()
    assert german["error"] == english["error"] == "not_found"
    assert german["message"] == "Die Adresse ist vielleicht falsch geschrieben, oder die Seite " \
                                "gibt es nicht mehr."
    assert english["message"] == "The address may be mistyped, or the page no longer exists."
    not_allowed = client.delete("/api/v1/locations", headers={"Accept-Language": "de"})
    assert not_allowed.status_code == 405
    assert not_allowed.get_json()["message"] == "Die Anfrage konnte nicht verarbeitet werden"
