"""Rate limits on booking, manage and sign-in actions, per IP address and per e-mail or token."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from booking.extensions import limiter

CHANGING = ["POST", "DELETE"]


def email_key() -> str:
    payload = request.get_json(silent=True) if request.is_json else request.form
    email = str((payload or {}).get("email", "")).strip().lower()
    if not email:
        return get_remote_address()
    return "email:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _token_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:24]


def config_value(name: str):
    return lambda: current_app.config[name]


def booking_limits(view):
    view = limiter.limit(config_value("RATELIMIT_BOOKING_PER_IP"), methods=CHANGING)(view)
    return limiter.limit(config_value("RATELIMIT_BOOKING_PER_EMAIL"), key_func=email_key,
                         methods=CHANGING)(view)


def manage_limits(view):
    view = limiter.limit(config_value("RATELIMIT_MANAGE_PER_IP"))(view)
    return limiter.limit(config_value("RATELIMIT_MANAGE_PER_TOKEN"), key_func=_token_key,
                         methods=CHANGING)(view)


def login_limits(view):
    """Sign-in attempts per address and per account name, so guessing one staff member's
    password is slow from many addresses and guessing many from one address too."""
    view = limiter.limit(config_value("RATELIMIT_LOGIN_PER_IP"), methods=["POST"])(view)
    return limiter.limit(config_value("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=email_key,
                         methods=["POST"])(view)
