"""Configuration read from the environment (DESIGN.md §3); all optional in development."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEFAULT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - refused in production (issue 9)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgresql://user@host:port/db`` form and use psycopg 3 for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Config:
    CLOCK = staticmethod(_utcnow)  # tests replace it to travel in time
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'booking.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SMTP_URL = os.environ.get("SMTP_URL", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "IQ Beratung MV <termine@iq-mv.example.org>")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "outbox"))

    BOOKING_BASE_URL = os.environ.get("BOOKING_BASE_URL", "http://127.0.0.1:5000")
    BOOKING_TIMEZONE = os.environ.get("BOOKING_TIMEZONE", "Europe/Berlin")
    BOOKING_HORIZON_DAYS = _env_int("BOOKING_HORIZON_DAYS", 90)
    BOOKING_MIN_NOTICE_HOURS = _env_int("BOOKING_MIN_NOTICE_HOURS", 12)
    BOOKING_SLOT_STEP_MINUTES = _env_int("BOOKING_SLOT_STEP_MINUTES", 30)
    BOOKING_REMINDER_LEADS = os.environ.get("BOOKING_REMINDER_LEADS", "2wd,morning")
    # How long a freed time is held for the first person on the waiting list.
    WAITLIST_HOLD_MINUTES = _env_int("WAITLIST_HOLD_MINUTES", 60)

    # Calendar sync may read calendars on loopback and private-network hosts (a Nextcloud in the
    # office network; the tests' servers on 127.0.0.1). Set false on a public server so the
    # addresses counsellors enter cannot reach into the server's own network.
    CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS = _env_bool("CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS", True)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_BOOKING_PER_IP = os.environ.get("RATELIMIT_BOOKING_PER_IP", "20 per hour")
    RATELIMIT_BOOKING_PER_EMAIL = os.environ.get("RATELIMIT_BOOKING_PER_EMAIL", "5 per day")
    RATELIMIT_MANAGE_PER_IP = os.environ.get("RATELIMIT_MANAGE_PER_IP", "120 per hour")
    RATELIMIT_MANAGE_PER_TOKEN = os.environ.get("RATELIMIT_MANAGE_PER_TOKEN", "10 per hour")
    # Sign-in attempts (successful or not) per address and per account name.
    RATELIMIT_LOGIN_PER_IP = os.environ.get("RATELIMIT_LOGIN_PER_IP", "30 per 15 minutes")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT",
                                                 "5 per 15 minutes")

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "booking" / "translations")
    # UI languages; the first is the default. Arabic and Persian are written right to left.
    UI_LANGUAGES = ("de", "en", "uk", "ru", "ar", "fa", "tr", "pl")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    SESSION_COOKIE_NAME = "iq_session"
    # A staff session ends after a working day without activity renewal.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("STAFF_SESSION_HOURS", 10))
    # Argon2id parameters for staff passwords (argon2-cffi's RFC 9106 low-memory profile).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)
    WTF_CSRF_TIME_LIMIT = None


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    # Cheap hashes keep the suite fast; the algorithm and code path stay the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 256
