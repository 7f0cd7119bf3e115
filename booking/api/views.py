"""JSON API v1 endpoints for the public catalogue and availability (DESIGN.md §3)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking import clock
from booking.api import params
from booking.api.errors import ApiError
from booking.api.openapi import openapi_document
from booking.availability.services import days_with_slots, find_free_slots, local_today
from booking.catalogue.languages import describe_language, is_known_language
from booking.catalogue.models import Service
from booking.catalogue.services import active_services, languages_on_offer
from booking.extensions import db
from booking.network.models import Location

bp = Blueprint("api", __name__, url_prefix="/api/v1")
DEFAULT_WINDOW_DAYS = 14


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error.response()


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/locations")
def locations():
    rows = db.session.scalars(
        select(Location).where(Location.is_active).options(joinedload(Location.organisation))
        .order_by(Location.kind.desc(), Location.town)
    ).all()
    return jsonify([location_json(loc) for loc in rows])


def location_json(loc: Location) -> dict:
    address = None
    if loc.address:
        address = f"{loc.address}, {loc.postcode or ''} {loc.town}".replace("  ", " ")
    return {"id": loc.id, "name": loc.name, "kind": loc.kind, "town": loc.town,
            "address": address, "lat": loc.lat, "lon": loc.lon,
            "organisation": loc.organisation_id, "organisation_name": loc.organisation.name}


@bp.get("/services")
def services():
    locale = str(get_locale())
    return jsonify([service_json(s, locale) for s in active_services()])


def service_json(service: Service, locale: str) -> dict:
    text = service.text(locale)
    return {"id": service.id, "name": text.name if text else service.id,
            "description": text.description if text else "",
            "what_to_bring": text.what_to_bring if text else "",
            "duration_minutes": service.duration_minutes,
            "interpreter_duration_minutes":
                service.duration_minutes + service.interpreter_extra_minutes,
            "channels": list(service.channels)}


@bp.get("/languages")
def languages():
    reader = get_locale()
    described = [describe_language(code, reader) for code in languages_on_offer()]
    return jsonify(sorted(described, key=lambda d: d["name"].casefold()))


def _search_arguments() -> tuple[Service, list[Location], str | None]:
    service_id = params.required("service")
    service = db.session.get(Service, service_id)
    if service is None or not service.is_active:
        raise ApiError(400, "unknown_service",
                       _("There is no service with the id %(id)s.", id=service_id),
                       parameter="service")
    location_id = params.optional("location")
    query = select(Location).where(Location.is_active)
    if location_id:
        query = query.where(Location.id == location_id)
    found = db.session.scalars(query).all()
    if location_id and not found:
        raise ApiError(400, "unknown_location",
                       _("There is no location with the id %(id)s.", id=location_id),
                       parameter="location")
    language = params.optional("language")
    if language is not None:
        language = language.lower()
        if not is_known_language(language):
            raise ApiError(400, "unknown_language",
                           _("%(code)s is not a language code we know.", code=language),
                           parameter="language")
    return service, found, language


def _check_window(first: date, end: date) -> None:
    if end <= first:
        raise ApiError(400, "invalid_window", _("end must be after start."), parameter="end")
    horizon = current_app.config["BOOKING_HORIZON_DAYS"]
    if (end - first).days > horizon + 1:
        raise ApiError(400, "window_too_long",
                       _("The window may span at most %(days)d days.", days=horizon + 1),
                       parameter="end")


@bp.get("/slots")
def slots():
    service, locations_found, language = _search_arguments()
    first = params.parse_date("start", default=local_today())
    end = params.parse_date("end", default=first + timedelta(days=DEFAULT_WINDOW_DAYS))
    _check_window(first, end)
    search = find_free_slots(service=service, locations=locations_found, language=language,
                             first_day=first, end_day=end, now=clock.now())
    tz = search.timezone
    people = {cid: (c.display_name, sorted(search.languages[cid]))
              for cid, c in search.counsellors.items()}
    return jsonify({
        "timezone": tz.key,
        "slots": [{
            "start": slot.start.astimezone(tz).isoformat(),
            "end": slot.end.astimezone(tz).isoformat(),
            "location": slot.location_id,
            "counsellor": slot.counsellor_id,
            "counsellor_name": people[slot.counsellor_id][0],
            "languages": people[slot.counsellor_id][1],
            "interpreter": slot.interpreter,
        } for slot in search.slots],
    })


@bp.get("/days")
def days():
    service, locations_found, language = _search_arguments()
    first = params.parse_month("month", default=local_today())
    end = (first + timedelta(days=32)).replace(day=1)
    search = find_free_slots(service=service, locations=locations_found, language=language,
                             first_day=first, end_day=end, now=clock.now())
    return jsonify({"timezone": search.timezone.key, "month": first.strftime("%Y-%m"),
                    "days": [{"date": d.day.isoformat(), "slots": d.count,
                              "interpreter_only": d.interpreter_only}
                             for d in days_with_slots(search.slots)]})
