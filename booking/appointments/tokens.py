"""Manage tokens, references and iCalendar UIDs for appointments.

The manage token is an HMAC of the appointment's random UID (128 bits) under the secret key:
unguessable, never stored (only its SHA-256 is), and reproducible by the server when a
reminder needs the link again. Rotating SECRET_KEY invalidates the links of existing bookings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from booking.extensions import db

# Crockford's base32 without I, L, O, U: easy to read out on the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ical_uid() -> str:
    return f"{secrets.token_hex(16)}@iq-mv-booking"


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def sign(message: str) -> str:
    """A link token: the HMAC-SHA256 of ``message`` under the secret key, 192 bits, URL-safe.
    The same message gives the same token, so the worker can rebuild a link for a mail."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def manage_token(ical_uid: str) -> str:
    return sign(f"manage:{ical_uid}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(column, token: str):
    """The row whose ``column`` holds the SHA-256 of ``token`` (only hashes are stored);
    None for an unknown or absurd token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(column.class_).where(column == hash_token(token)))


def public_url(path: str) -> str:
    """An absolute link for messages written outside a request (the worker has none)."""
    return f"{current_app.config['BOOKING_BASE_URL'].rstrip('/')}{path}"


def manage_url(token: str) -> str:
    return public_url(f"/manage/{token}")
