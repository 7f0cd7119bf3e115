"""The current time, from one place, so tests can travel in time (``app.config["CLOCK"]``)."""

from datetime import datetime

from flask import current_app


def now() -> datetime:
    return current_app.config["CLOCK"]()
