"""The client's manage pages, reached only through the secret link: see, move, cancel."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from booking import clock
from booking.appointments import services, tokens
from booking.appointments.calendar import appointment_event
from booking.appointments.choices import day_choices, month_choices
from booking.appointments.flow import parse_day, parse_month
from booking.appointments.forms import ConfirmForm
from booking.appointments.limits import manage_limits
from booking.appointments.messages import error_message
from booking.appointments.models import Appointment
from booking.availability.services import local_date
from booking.catalogue.languages import describe_language
from booking.domain.ical import build_calendar
from booking.extensions import db

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _appointment(token: str) -> Appointment:
    appointment = services.find_by_token(token)
    if appointment is None:
        abort(404)
    g.booking_locale = appointment.locale  # the manage pages speak the booking's language
    return appointment


def _render(template: str, appointment: Appointment, token: str, status: int = 200, **extra):
    return render_template(
        template, appointment=appointment, token=token,
        language=describe_language(appointment.language_code),
        manage_url=tokens.manage_url(token), can_change=_can_change(appointment), **extra,
    ), status


def _can_change(appointment: Appointment) -> bool:
    return appointment.status == "confirmed" and appointment.start_at > clock.now()


@bp.get("/<token>")
@manage_limits
def show(token: str):
    appointment = _appointment(token)
    return _render("manage/show.html", appointment, token,
                   just_booked=request.args.get("booked") == "1",
                   notice=request.args.get("done"))


@bp.get("/<token>/appointment.ics")
@manage_limits
def ics(token: str):
    appointment = _appointment(token)
    body = build_calendar([appointment_event(appointment, manage_url=tokens.manage_url(token))])
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition":
                             f'attachment; filename="termin-{appointment.reference}.ics"'})


@bp.route("/<token>/cancel", methods=["GET", "POST"])
@manage_limits
def cancel(token: str):
    appointment = _appointment(token)
    if request.method == "GET":
        return _render("manage/cancel.html", appointment, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_appointment(appointment, now=clock.now())
    except services.BookingError as error:
        db.session.rollback()
        return _render("manage/show.html", appointment, token, 409,
                       error=error_message(error.code))
    db.session.commit()
    return redirect(url_for("manage.show", token=token, done="cancelled"), code=303)


@bp.get("/<token>/move")
@manage_limits
def move(token: str):
    appointment = _appointment(token)
    if not _can_change(appointment):
        return _render("manage/show.html", appointment, token, 409,
                       error=error_message("too_late" if appointment.status != "cancelled"
                                           else "already_cancelled"))
    day = parse_day(request.args.get("day"))
    if day is None:
        month = parse_month(request.args.get("month"))
        choices = month_choices(appointment.service, appointment.location,
                                appointment.language_code, month,
                                ignore_appointment_id=appointment.id)
        return _render("manage/move_day.html", appointment, token, choices=choices,
                       day_url=lambda d: url_for("manage.move", token=token, day=d.isoformat()),
                       month_url=lambda m: url_for("manage.move", token=token,
                                                   month=m.strftime("%Y-%m")))
    slots = day_choices(appointment.service, appointment.location, appointment.language_code,
                        day, ignore_appointment_id=appointment.id)
    return _render("manage/move_time.html", appointment, token, slots=slots, day=day)


@bp.post("/<token>/move")
@manage_limits
def move_to(token: str):
    appointment = _appointment(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        new_start = datetime.fromisoformat(request.form.get("start", ""))
        if new_start.tzinfo is None:
            raise ValueError("naive")
    except ValueError:
        return redirect(url_for("manage.move", token=token), code=303)
    try:
        services.reschedule_appointment(appointment, new_start, now=clock.now())
    except services.SlotTaken as taken:
        db.session.rollback()
        appointment = _appointment(token)
        return _render("manage/move_time.html", appointment, token, 409,
                       slots=taken.alternatives, error=error_message("slot_taken"),
                       day=local_date(new_start))
    except services.BookingError as error:
        db.session.rollback()
        appointment = _appointment(token)
        return _render("manage/show.html", appointment, token, 409,
                       error=error_message(error.code))
    db.session.commit()
    return redirect(url_for("manage.show", token=token, done="moved"), code=303)
