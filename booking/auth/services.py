"""Account use cases: create staff users, set passwords, load the signed-in user."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from booking import clock
from booking.auth.models import ROLES, User
from booking.extensions import db
from booking.network.models import Organisation

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A refused account change; ``code`` is stable, the message is for the operator."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@cache
def _make_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _make_hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return _make_hasher(time_cost, memory_cost).hash("no such user")


def authenticate(email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, else None. An unknown e-mail costs the
    same hashing work as a wrong password, so response times do not reveal accounts."""
    user = find_user_by_email(email)
    if user is None:
        cfg = current_app.config
        try:
            _hasher().verify(_dummy_hash(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"]),
                             password)
        except VerificationError:
            pass
        return None
    if not verify_password(user, password) or not user.is_enabled:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # stronger parameters since it was set
    user.last_login_at = clock.now()
    db.session.flush()
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    *, email: str, password: str, role: str, organisation_id: str | None = None,
    display_name: str = "", counsellor_id: int | None = None,
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("role", f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not organisation_id:
        raise AccountError("organisation", "staff and counsellors need an organisation")
    if organisation_id and db.session.get(Organisation, organisation_id) is None:
        raise AccountError("organisation", f"unknown organisation {organisation_id!r}")
    if find_user_by_email(email) is not None:
        raise AccountError("email_taken", f"a user with e-mail {email} exists already")
    _check_password(password)
    user = User(
        email=email, password_hash=hash_password(password), role=role,
        organisation_id=organisation_id, display_name=display_name or email,
        counsellor_id=counsellor_id, password_changed_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session of the user."""
    _check_password(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.password_changed_at = clock.now()
    db.session.flush()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
        )


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: the session id is ``<user id>:<session version>``."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or user.session_version != int(version):
        return None
    return user
