"""Parsing and checking query parameters; every problem becomes a 400 naming the parameter."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _

from booking.api.errors import ApiError


def required(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise ApiError(400, "missing_parameter",
                       _("The parameter %(name)s is required.", name=name), parameter=name)
    return value


def optional(name: str) -> str | None:
    return request.args.get(name, "").strip() or None


def parse_date(name: str, default: date | None = None) -> date:
    raw = optional(name)
    if raw is None:
        if default is None:
            required(name)
        return default
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_date",
                       _("%(name)s must be a date written as YYYY-MM-DD.", name=name),
                       parameter=name) from None


def parse_month(name: str, default: date) -> date:
    """``YYYY-MM`` → the first day of that month."""
    raw = optional(name)
    if raw is None:
        return default.replace(day=1)
    try:
        if len(raw) != 7:
            raise ValueError(raw)
        return date.fromisoformat(raw + "-01")
    except ValueError:
        raise ApiError(400, "invalid_month",
                       _("%(name)s must be a month written as YYYY-MM.", name=name),
                       parameter=name) from None
