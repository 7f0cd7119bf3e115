"""Staff sign-in: argon2 hashes, throttling, CSRF, session invalidation, safe redirects."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from booking import create_app
from booking.audit.models import AuditEntry
from booking.auth import services
from booking.auth.models import User
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db, limiter
from tests.conftest import COUNSELLOR_VSP, STAFF_VSP, IsolatedClient, make_config
from tests.features.test_booking_api import REDIS_URL


def _user(email: str) -> User:
    return services.find_user_by_email(email)


@pytest.fixture
def anonymous(demo):
    demo.test_client_class = IsolatedClient
    return demo.test_client()


def test_passwords_are_stored_as_argon2id(demo):
    user = _user(STAFF_VSP)
    assert user.password_hash.startswith("$argon2id$")
    assert DEMO_PASSWORD not in user.password_hash


def test_sign_in_lands_on_the_role_page_and_is_audited(anonymous):
    response = anonymous.post("/staff/login", data={"email": STAFF_VSP.upper(),
                                                    "password": DEMO_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert anonymous.get("/staff/").headers["Location"].startswith("/staff/desk")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    assert entry.actor == STAFF_VSP and entry.organisation_id == "vsp"
    assert _user(STAFF_VSP).last_login_at is not None


@pytest.mark.parametrize("email, password", [
    (STAFF_VSP, "wrong-password"), ("nobody@example.org", DEMO_PASSWORD),
])
def test_wrong_credentials_get_one_message_without_revealing_accounts(anonymous, email,
                                                                       password):
    response = anonymous.post("/staff/login", data={"email": email, "password": password})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Die E-Mail-Adresse oder das Passwort ist nicht richtig." in page
    assert anonymous.get("/staff/").status_code == 302


def test_empty_form_names_the_missing_fields_in_english(anonymous):
    response = anonymous.post("/staff/login", data={}, headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter your e-mail address." in body and "Please enter your password." in body


def test_disabled_accounts_cannot_sign_in_and_lose_their_session(demo, sign_in, anonymous):
    client = sign_in(STAFF_VSP)
    _user(STAFF_VSP).is_enabled = False
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    response = anonymous.post("/staff/login", data={"email": STAFF_VSP,
                                                    "password": DEMO_PASSWORD})
    assert response.status_code == 422


@pytest.fixture(params=["memory://", REDIS_URL], ids=["memory", "redis"])
def limited(request, database_url, demo, frozen_now):
    """A second app on the same database with sign-in limits on and low, counting in memory
    and in Redis (shared between web workers in production)."""
    config = type("Limited", (make_config(database_url),), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": request.param,
        "RATELIMIT_LOGIN_PER_IP": "4 per 15 minutes",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "3 per 15 minutes",
        "CLOCK": staticmethod(lambda: frozen_now),
    })
    app = create_app(config)
    app.test_client_class = IsolatedClient
    limiter.reset()
    yield app.test_client()
    limiter.reset()


def test_sign_in_is_throttled_per_account(limited):
    codes = [limited.post("/staff/login", data={"email": COUNSELLOR_VSP, "password": f"x{i}"},
                          environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
             for i in range(4)]
    assert codes == [422, 422, 422, 429]
    # Even the right password waits now: the limit counts attempts, not failures.
    right = limited.post("/staff/login", data={"email": COUNSELLOR_VSP,
                                               "password": DEMO_PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert right.status_code == 429
    # Another account is not affected.
    other = limited.post("/staff/login", data={"email": STAFF_VSP, "password": DEMO_PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.0.1.2"})
    assert other.status_code == 303


def test_sign_in_is_throttled_per_address(limited):
    codes = [limited.post("/staff/login", data={"email": f"guess{i}@example.org",
                                                "password": "x"}).status_code
             for i in range(6)]
    assert codes == [422] * 4 + [429, 429]
    # The sign-in page itself stays readable.
    assert limited.get("/staff/login").status_code == 200


def test_sign_in_form_needs_a_csrf_token(demo, anonymous):
    demo.config["WTF_CSRF_ENABLED"] = True
    response = anonymous.post("/staff/login", data={"email": STAFF_VSP,
                                                    "password": DEMO_PASSWORD})
    assert response.status_code == 400
    page = anonymous.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = anonymous.post("/staff/login", data={"email": STAFF_VSP, "csrf_token": token,
                                                    "password": DEMO_PASSWORD})
    assert response.status_code == 303


def test_sign_out_needs_post_and_a_csrf_token(demo, sign_in):
    client = sign_in(STAFF_VSP)
    assert client.get("/staff/logout").status_code == 405
    demo.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/staff/logout").status_code == 400  # a foreign page cannot sign us out
    demo.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/staff/logout").status_code == 303
    assert client.get("/staff/").status_code == 302


def test_changing_the_password_signs_out_every_other_session(demo, sign_in):
    office, tablet = sign_in(STAFF_VSP), sign_in(STAFF_VSP)
    response = office.post("/staff/password", data={
        "current": DEMO_PASSWORD, "new": "ein neues langes Passwort",
        "repeat": "ein neues langes Passwort"})
    assert response.status_code == 303
    assert office.get("/staff/").status_code == 302  # this session continues (to its landing)
    assert office.get("/staff/").headers["Location"].startswith("/staff/desk")
    assert tablet.get("/staff/").headers["Location"].startswith("/staff/login")
    assert services.authenticate(STAFF_VSP, "ein neues langes Passwort") is not None
    assert services.authenticate(STAFF_VSP, DEMO_PASSWORD) is None


def test_the_cli_password_reset_signs_out_existing_sessions(demo, sign_in, runner):
    client = sign_in(COUNSELLOR_VSP)
    result = runner.invoke(args=["users", "set-password", "--email", COUNSELLOR_VSP],
                           env={"BOOKING_NEW_PASSWORD": "noch ein Passwort 1"})
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("data, field_message", [
    ({"current": "wrong", "new": "long enough 123", "repeat": "long enough 123"},
     "The current password is not right."),
    ({"current": DEMO_PASSWORD, "new": "short", "repeat": "short"},
     "The new password needs at least 10 characters."),
    ({"current": DEMO_PASSWORD, "new": "long enough 123", "repeat": "long enough 124"},
     "The two new passwords are not the same."),
])
def test_password_change_errors(demo, sign_in, data, field_message):
    client = sign_in(STAFF_VSP)
    response = client.post("/staff/password", data=data, headers={"Accept-Language": "en"},
                           environ_base={"HTTP_COOKIE": "lang=en"})
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert services.authenticate(STAFF_VSP, DEMO_PASSWORD) is not None


def test_a_stolen_session_cookie_does_not_work_from_another_browser(demo, sign_in):
    client = sign_in(STAFF_VSP)
    assert client.get("/staff/", headers={"User-Agent": "thief"}).headers[
        "Location"].startswith("/staff/login")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(anonymous, target):
    response = anonymous.post("/staff/login", query_string={"next": target},
                              data={"email": STAFF_VSP, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/staff/"


def test_sign_in_returns_to_the_page_asked_for(anonymous):
    assert anonymous.get("/staff/password").headers["Location"] == (
        "/staff/login?next=%2Fstaff%2Fpassword")
    response = anonymous.post("/staff/login", query_string={"next": "/staff/password"},
                              data={"email": STAFF_VSP, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/staff/password"


def test_session_cookie_flags(demo, anonymous):
    demo.config["SESSION_COOKIE_SECURE"] = True
    response = anonymous.post("/staff/login", data={"email": STAFF_VSP,
                                                    "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "iq_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=Lax" in cookie


def test_stronger_hash_parameters_are_applied_at_the_next_sign_in(demo):
    user = _user(STAFF_VSP)
    old = user.password_hash
    demo.config["ARGON2_TIME_COST"] = 2
    assert services.authenticate(STAFF_VSP, DEMO_PASSWORD) is not None
    assert user.password_hash != old and "t=2" in user.password_hash
