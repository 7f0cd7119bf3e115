"""The booking flow's state, carried in the URL so every step works without JavaScript,
cookies or a server session, and can be bookmarked or shared with a helper."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import request, url_for

from booking.catalogue.languages import is_known_language
from booking.catalogue.models import Service
from booking.extensions import db
from booking.network.models import Location


@dataclass(frozen=True)
class FlowState:
    service: Service | None = None
    language: str | None = None
    location: Location | None = None
    channel: str | None = None
    month: date | None = None
    day: date | None = None
    start: datetime | None = None

    def params(self, **changes) -> dict:
        state = replace(self, **changes) if changes else self
        values = {
            "service": state.service.id if state.service else None,
            "language": state.language,
            "location": state.location.id if state.location else None,
            "channel": state.channel,
            "month": state.month.strftime("%Y-%m") if state.month else None,
            "day": state.day.isoformat() if state.day else None,
            "start": state.start.isoformat() if state.start else None,
        }
        return {k: v for k, v in values.items() if v is not None}

    def url(self, step: str, **changes) -> str:
        return url_for(f"booking.{step}", **self.params(**changes))

    @property
    def missing_step(self) -> str | None:
        """The first step whose answer is missing (where to send the client back to)."""
        if not self.service or not self.language:
            return "service"
        if not self.location or not self.channel:
            return "place"
        return None


def _get(name: str) -> str:
    return request.values.get(name, "").strip()


def _parse_date(raw: str | None, length: int, suffix: str = "") -> date | None:
    if not raw or len(raw) != length:
        return None
    try:
        return date.fromisoformat(raw + suffix)
    except ValueError:
        return None


def parse_day(raw: str | None) -> date | None:
    """``YYYY-MM-DD`` → a date; anything else → None."""
    return _parse_date(raw, 10)


def parse_month(raw: str | None) -> date | None:
    """``YYYY-MM`` → the first of that month; anything else → None."""
    return _parse_date(raw, 7, "-01")


def read_state(state_class: type[FlowState] = FlowState) -> FlowState:
    """The state from the query string; anything unknown or malformed is simply dropped.
    ``state_class`` lets another flow (the office desk) keep its own step URLs."""
    service = db.session.get(Service, _get("service")) if _get("service") else None
    location = db.session.get(Location, _get("location")) if _get("location") else None
    language = _get("language").lower() or None
    channel = _get("channel") or None
    if service is not None and not service.is_active:
        service = None
    if location is not None and not location.is_active:
        location = None
    if language and not is_known_language(language):
        language = None
    if channel and (service is None or channel not in service.channels):
        channel = None
    if channel and location is not None and location.kind == "mobile" and channel != "in_person":
        channel = None
    start = None
    if _get("start"):
        try:
            start = datetime.fromisoformat(_get("start"))
        except ValueError:
            start = None
        if start is not None and start.tzinfo is None:
            start = None
    return state_class(service=service, language=language, location=location, channel=channel,
                       month=parse_month(_get("month")), day=parse_day(_get("day")),
                       start=start)
