"""The client's booking flow: what → where → when (day, time) → who → confirmation."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from booking import clock
from booking.appointments import services
from booking.appointments.choices import day_choices, month_choices, places
from booking.appointments.flow import FlowState, read_state
from booking.appointments.forms import ContactForm
from booking.appointments.limits import booking_limits
from booking.appointments.messages import error_message
from booking.availability.services import local_date, local_today
from booking.catalogue.languages import describe_language
from booking.catalogue.services import active_services, languages_on_offer
from booking.demand.views import interest_offer, interest_url
from booking.extensions import db

bp = Blueprint("booking", __name__)


def _languages() -> list[dict]:
    reader = get_locale()
    described = [describe_language(code, reader) for code in languages_on_offer()]
    return sorted(described, key=lambda d: d["name"].casefold())


def _service_page(state: FlowState, errors: dict | None = None, status: int = 200):
    ui = str(get_locale())
    offered = languages_on_offer()
    chosen = state.language or (ui if ui in offered else "de")
    return render_template("booking/service.html", state=state, services=active_services(),
                           languages=_languages(), chosen_language=chosen, locale=ui,
                           errors=errors or {}), status


def _place_page(state: FlowState, errors: dict | None = None, status: int = 200):
    offices, mobile = places()
    return render_template("booking/place.html", state=state, offices=offices, mobile=mobile,
                           errors=errors or {}, interest_url=interest_url(state)), status


def _day_page(state: FlowState):
    choices = month_choices(state.service, state.location, state.language, state.month)
    return render_template("booking/day.html", state=state, choices=choices,
                           day_url=lambda d: state.url("time", day=d),
                           month_url=lambda m: state.url("day", month=m, day=None),
                           interest_url=interest_offer(state, choices))


def _time_page(state: FlowState, errors: dict | None = None, status: int = 200):
    slots = day_choices(state.service, state.location, state.language, state.day)
    return render_template("booking/time.html", state=state, slots=slots,
                           action=url_for("booking.details"), errors=errors or {},
                           back_url=state.url("day", day=None, month=state.day.replace(day=1))
                           ), status


def _back_to_missing(state: FlowState):
    if state.missing_step == "service":
        return _service_page(state, {"service": error_message("unknown_service")}
                             if not state.service else
                             {"language": error_message("unknown_language")}, 400)
    return _place_page(state, {"location": error_message("unknown_location")}, 400)


@bp.get("/book")
def start():
    return render_template("booking/language.html", next_url=url_for("booking.service"))


@bp.get("/book/service")
def service():
    return _service_page(read_state())


@bp.get("/book/place")
def place():
    state = read_state()
    if state.missing_step == "service":
        return _back_to_missing(state)
    return _place_page(state)


@bp.get("/book/day")
def day():
    state = read_state()
    if state.missing_step:
        return _back_to_missing(state)
    return _day_page(state)


@bp.get("/book/time")
def time():
    state = read_state()
    if state.missing_step:
        return _back_to_missing(state)
    if state.day is None or state.day < local_today():
        return _day_page(state)
    return _time_page(state)


def _chosen_slot(state: FlowState):
    if state.start is None:
        return None
    day = local_date(state.start)
    return next((s for s in day_choices(state.service, state.location, state.language, day)
                 if s.start == state.start), None)


@bp.route("/book/details", methods=["GET", "POST"])
@booking_limits
def details():
    state = read_state()
    if state.missing_step:
        return _back_to_missing(state)
    form = ContactForm()
    slot = _chosen_slot(state)
    if slot is None and request.method == "GET":
        if state.start is None:
            return _day_page(state)
        state = replace(state, day=local_date(state.start))
        return _time_page(state, {"start": error_message("slot_taken")}, 409)
    if request.method == "POST" and form.validate_on_submit():
        if form.is_probably_a_bot():
            return _details_page(state, slot, form, {"form": error_message("not_a_person")},
                                 400)
        try:
            booked = services.book_appointment(services.BookingRequest(
                service_id=state.service.id, location_id=state.location.id,
                start_at=state.start, language=state.language, name=form.name.data,
                email=form.email.data, phone=form.phone.data,
                wants_interpreter=form.interpreter.data, consent=form.consent.data,
                channel=state.channel, locale=str(get_locale())), now=clock.now())
        except services.SlotTaken as taken:
            db.session.rollback()
            return render_template("booking/taken.html", state=state,
                                   alternatives=taken.alternatives), 409
        except services.BookingError as error:
            db.session.rollback()
            return _details_page(state, slot, form,
                                 {error.field or "form": error_message(error.code)}, 400)
        db.session.commit()
        return redirect(url_for("manage.show", token=booked.token, booked=1), code=303)
    if slot is None:  # POST for a time that is gone in the meantime
        return render_template("booking/taken.html", state=state,
                               alternatives=_alternatives(state)), 409
    errors = {name: field.errors[0] for name, field in form._fields.items() if field.errors}
    return _details_page(state, slot, form, errors, 400 if errors else 200)


def _alternatives(state: FlowState):
    return services.nearest_alternatives(state.service, state.location, state.language,
                                         state.start, clock.now())


def _details_page(state, slot, form, errors, status=200):
    if request.method == "GET" and slot is not None and slot.interpreter:
        form.interpreter.data = True
    other_times_url = state.url("time", day=local_date(state.start), start=None)
    return render_template("booking/details.html", state=state, slot=slot, form=form,
                           errors=errors, language=describe_language(state.language),
                           other_times_url=other_times_url), status


@bp.app_context_processor
def booking_labels() -> dict:
    """Labels the booking and manage templates share, translated at render time."""
    from flask_babel import gettext as _

    def channel_label(channel: str) -> str:
        return {"in_person": _("In person"), "phone": _("By phone"),
                "video": _("Video call")}.get(channel, channel)

    def place_label(location, channel: str | None = None) -> Markup:
        """German place names isolated (<bdi>), so right-to-left pages keep them intact."""
        if location.kind == "office":
            name = Markup("<bdi>%s</bdi>") % location.name
        else:
            name = escape(_("Mobile advice day in %(town)s", town="{town}")).replace(
                "{town}", Markup("<bdi>%s</bdi>") % location.town)
        return Markup("%s · %s") % (name, channel_label(channel)) if channel else name

    def status_label(status: str) -> str:
        return {"confirmed": _("Booked"), "cancelled": _("Cancelled"),
                "attended": _("Took place"), "no_show": _("Missed")}.get(status, status)

    def language_label(code: str) -> str:
        return describe_language(code)["name"]

    return {"channel_label": channel_label, "place_label": place_label,
            "status_label": status_label, "language_label": language_label}
