"""The office desk: find appointments and book for callers and walk-ins (the same steps as the
public flow, for the own organisation's places, down to later today). Moving and printing an
appointment are in ``booking.desk.appointment_views``, on the same blueprint."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from booking import clock
from booking.appointments import services
from booking.appointments.choices import day_choices, month_choices, places
from booking.appointments.flow import FlowState, read_state
from booking.appointments.messages import error_message
from booking.availability.services import local_date, local_today
from booking.catalogue.languages import describe_language
from booking.catalogue.services import active_services, languages_on_offer
from booking.desk.forms import DeskClientForm, SearchForm
from booking.desk.services import languages_spoken_at, search_appointments, todays_appointments
from booking.extensions import db
from booking.staff.access import STAFF, appointment_or_404, audit, roles_required
from booking.staff.forms import first_errors

bp = Blueprint("desk", __name__, url_prefix="/staff/desk")

# A walk-in can be booked for any free time from now on.
WALK_IN_NOTICE = timedelta(0)
STEPS = ("service", "place", "language", "day", "time", "details")
MISSING_ERRORS = {"service": "unknown_service", "place": "unknown_location",
                  "language": "unknown_language"}


class DeskState(FlowState):
    """The public flow's state with the desk's order (the place before the language, so the
    language list can say who speaks what there) and the desk's URLs."""

    def url(self, step: str, **changes) -> str:
        return url_for("desk.book", step=step, **self.params(**changes))

    @property
    def missing_step(self) -> str | None:
        if not self.service:
            return "service"
        if not self.location or not self.channel:
            return "place"
        if not self.language:
            return "language"
        return None


def _desk_state() -> DeskState:
    state = read_state(DeskState)
    if state.location is not None and state.location.organisation_id != \
            current_user.organisation_id:
        abort(404)  # another organisation's place, as if it did not exist
    return state


# -- finding appointments ---------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@roles_required(STAFF)
def index():
    # The search is posted: names and e-mail addresses stay out of URLs, browser histories
    # and access logs.
    form = SearchForm()
    results, errors = None, {}
    if request.method == "POST":
        if form.validate_on_submit():
            results = search_appointments(form.q.data)
            # What was searched for stays out of the log: it is personal data itself.
            audit("search", "appointment", "-", results=len(results))
        else:
            errors = first_errors(form)
    today = todays_appointments()
    if today:
        audit("view", "appointment", "-", list="today", results=len(today))
    db.session.commit()
    return render_template("desk/index.html", form=form, results=results, errors=errors,
                           today=today, today_on=local_today()), 422 if errors else 200


# -- booking for a client -------------------------------------------------------------------

@bp.route("/book", methods=["GET", "POST"])
@roles_required(STAFF)
def book():
    state = _desk_state()
    step = request.args.get("step", "service")
    step = step if step in STEPS else "service"
    missing = state.missing_step
    if missing and STEPS.index(step) > STEPS.index(missing):
        return _step_page(missing, state, {_field(missing): error_message(
            MISSING_ERRORS[missing])}, 422)
    if step == "details":
        return _details(state)
    if step == "time" and (state.day is None or state.day < local_today()):
        step = "day"
    return _step_page(step, state)


def _field(step: str) -> str:
    return {"place": "location"}.get(step, step)


def _step_page(step: str, state: DeskState, errors: dict | None = None, status: int = 200,
               **extra):
    errors = errors or {}
    context = {"state": state, "errors": errors, "step_number": STEPS.index(step) + 1,
               "total_steps": len(STEPS), **extra}
    if step == "service":
        context.update(services=active_services(), locale=str(get_locale()))
    elif step == "place":
        context["offices"], context["mobile"] = places(current_user.organisation_id)
    elif step == "language":
        context.update(languages=_languages(state), chosen=state.language or "de")
    elif step == "day":
        context.update(choices=month_choices(state.service, state.location, state.language,
                                             state.month, min_notice=WALK_IN_NOTICE),
                       day_url=lambda d: state.url("time", day=d, start=None),
                       month_url=lambda m: state.url("day", month=m, day=None, start=None))
    elif step == "time":
        context["slots"] = day_choices(state.service, state.location, state.language,
                                       state.day, min_notice=WALK_IN_NOTICE)
    return render_template(f"desk/book_{step}.html", **context), status


def _languages(state: DeskState) -> list[dict]:
    """Consultation languages on offer; ``spoken`` when someone at the place speaks it."""
    spoken = languages_spoken_at(state.location.id)
    described = [describe_language(code) | {"spoken": code in spoken}
                 for code in languages_on_offer()]
    return sorted(described, key=lambda d: (not d["spoken"], d["name"].casefold()))


def _chosen_slot(state: DeskState):
    if state.start is None:
        return None
    return next((s for s in day_choices(state.service, state.location, state.language,
                                        local_date(state.start), min_notice=WALK_IN_NOTICE)
                 if s.start == state.start), None)


def _details(state: DeskState):
    if state.start is None:
        return _step_page("day", state)
    slot = _chosen_slot(state)
    form = DeskClientForm()
    if request.method == "GET":
        form.client_locale.data = form.client_locale.data or _default_locale(state.language)
        form.interpreter.data = bool(slot and slot.interpreter)
        if slot is None:
            return _step_page("time", replace(state, day=local_date(state.start)),
                              {"start": error_message("slot_taken")}, 409)
        return _details_page(state, slot, form)
    if not form.validate_on_submit():
        errors = first_errors(form)
        return _details_page(state, slot, form, errors, 422)
    if slot is None:
        return _taken_page(state, _alternatives(state))
    try:
        booked = services.book_appointment(services.BookingRequest(
            service_id=state.service.id, location_id=state.location.id, start_at=state.start,
            language=state.language, name=form.name.data, email=form.email_or_none,
            phone=form.phone.data or None, wants_interpreter=form.interpreter.data,
            consent=form.consent.data, channel=state.channel, locale=form.client_locale.data,
            source="desk", booked_by_user_id=current_user.id, min_notice=WALK_IN_NOTICE),
            now=clock.now())
    except services.SlotTaken as taken:
        db.session.rollback()
        return _taken_page(state, taken.alternatives)
    except services.BookingError as error:
        db.session.rollback()
        return _details_page(state, slot, form, {error.field or "form": error_message(
            error.code)}, 422)
    reference = booked.appointment.reference
    db.session.commit()
    return redirect(url_for("desk.booked", reference=reference), code=303)


def _default_locale(language: str | None) -> str:
    """The consultation language is usually the one the client reads best."""
    languages = current_app.config["UI_LANGUAGES"]
    return language if language in languages else languages[0]


def _details_page(state, slot, form, errors=None, status=200):
    return render_template("desk/book_details.html", state=state, slot=slot, form=form,
                           errors=errors or {}, step_number=len(STEPS), total_steps=len(STEPS),
                           language=describe_language(state.language),
                           other_times_url=state.url("time", day=local_date(state.start),
                                                     start=None)), status


def _alternatives(state: DeskState):
    return services.nearest_alternatives(state.service, state.location, state.language,
                                         state.start, clock.now(), min_notice=WALK_IN_NOTICE)


def _taken_page(state: DeskState, alternatives):
    return render_template("desk/book_taken.html", state=state,
                           alternatives=alternatives), 409


@bp.get("/appointments/<reference>/booked")
@roles_required(STAFF)
def booked(reference: str):
    appointment = appointment_or_404(reference)
    audit("view", "appointment", appointment.id)
    db.session.commit()
    return render_template("desk/booked.html", appointment=appointment,
                           language=describe_language(appointment.language_code))


from booking.desk import appointment_views as _appointment_views  # noqa: E402,F401 - routes on bp
