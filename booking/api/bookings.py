"""JSON API v1 for bookings: create, read, cancel and move, on the same use cases as the pages."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from booking import clock
from booking.api.errors import ApiError
from booking.api.views import bp
from booking.appointments import services, tokens
from booking.appointments.forms import BookingApiForm
from booking.appointments.limits import booking_limits, manage_limits
from booking.appointments.messages import error_message
from booking.appointments.models import Appointment
from booking.availability.services import booking_timezone
from booking.catalogue.languages import is_known_language
from booking.domain.slots import Slot
from booking.extensions import db


def slot_json(slot: Slot) -> dict:
    tz = booking_timezone()
    return {"start": slot.start.astimezone(tz).isoformat(),
            "end": slot.end.astimezone(tz).isoformat(),
            "location": slot.location_id, "counsellor": slot.counsellor_id,
            "interpreter": slot.interpreter}


def booking_json(appointment: Appointment, token: str) -> dict:
    tz = booking_timezone()
    return {
        "reference": appointment.reference, "manage_url": tokens.manage_url(token),
        "status": appointment.status, "start": appointment.start_at.astimezone(tz).isoformat(),
        "end": appointment.end_at.astimezone(tz).isoformat(),
        "location": appointment.location_id, "service": appointment.service_id,
        "language": appointment.language_code, "channel": appointment.channel,
        "interpreter": appointment.is_interpreter_needed,
    }


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", _("The request body must be a JSON object."))
    return body


def _validation_error(fields: dict[str, str]) -> ApiError:
    return ApiError(422, "validation", _("Some fields are missing or invalid."), fields=fields)


def _parse_start(raw: object) -> datetime:
    try:
        start = datetime.fromisoformat(str(raw))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise _validation_error({"start": _("Give the start as an ISO 8601 time with offset, "
                                            "for example 2027-02-02T09:00:00+01:00.")})
    return start


def _as_form_value(value: object) -> str:
    if isinstance(value, bool):
        return "y" if value else ""
    return "" if value is None else str(value)


def _slot_taken(error: services.SlotTaken) -> ApiError:
    return ApiError(409, "slot_taken", error_message("slot_taken"),
                    alternatives=[slot_json(s) for s in error.alternatives])


@bp.post("/bookings")
@booking_limits
def create_booking():
    body = _json_body()
    form = BookingApiForm(formdata=MultiDict({k: _as_form_value(v) for k, v in body.items()}))
    form.validate()
    fields = {name: str(field.errors[0]) for name, field in form._fields.items() if field.errors}
    if body.get("consent") is not True:
        fields["consent"] = error_message("consent_required")
    language = str(body.get("language", "")).lower()
    if language and not is_known_language(language):
        fields["language"] = error_message("unknown_language")
    counsellor = body.get("counsellor")
    if counsellor is not None and (not isinstance(counsellor, int) or isinstance(counsellor, bool)):
        fields["counsellor"] = _("The counsellor is given by the number from the slot list.")
    if fields:
        raise _validation_error(fields)
    if form.is_probably_a_bot():
        raise _validation_error({"website": error_message("not_a_person")})
    locale = str(body.get("locale") or get_locale())
    if locale not in current_app.config["UI_LANGUAGES"]:
        locale = str(get_locale())
    try:
        booked = services.book_appointment(services.BookingRequest(
            service_id=form.service.data, location_id=form.location.data,
            start_at=_parse_start(form.start.data), language=language,
            name=form.name.data, email=form.email.data, phone=form.phone.data or None,
            wants_interpreter=form.interpreter.data, consent=True, counsellor_id=counsellor,
            channel=form.channel.data or "in_person", locale=locale, source="api"),
            now=clock.now())
    except services.SlotTaken as taken:
        db.session.rollback()
        raise _slot_taken(taken) from None
    except services.BookingError as error:
        db.session.rollback()
        raise _validation_error({error.field or "start": error_message(error.code)}) from None
    db.session.commit()
    return jsonify({**booking_json(booked.appointment, booked.token), "token": booked.token}), 201


def _find(token: str) -> Appointment:
    appointment = services.find_by_token(token)
    if appointment is None:
        raise ApiError(404, "not_found", _("There is no booking for this link."))
    return appointment


@bp.get("/bookings/<token>")
@manage_limits
def get_booking(token: str):
    return jsonify(booking_json(_find(token), token))


@bp.delete("/bookings/<token>")
@manage_limits
def cancel_booking(token: str):
    appointment = _find(token)
    try:
        services.cancel_appointment(appointment, now=clock.now(), actor="client")
    except services.BookingError as error:
        db.session.rollback()
        raise ApiError(409, error.code, error_message(error.code)) from None
    db.session.commit()
    return jsonify(booking_json(appointment, token))


@bp.post("/bookings/<token>/reschedule")
@manage_limits
def reschedule_booking(token: str):
    appointment = _find(token)
    start = _parse_start(_json_body().get("start"))
    try:
        appointment = services.reschedule_appointment(appointment, start, now=clock.now())
    except services.SlotTaken as taken:
        db.session.rollback()
        raise _slot_taken(taken) from None
    except services.BookingError as error:
        db.session.rollback()
        raise ApiError(409, error.code, error_message(error.code)) from None
    db.session.commit()
    return jsonify(booking_json(appointment, token))
