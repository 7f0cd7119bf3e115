"""The agenda pages: a counsellor's day and week, one appointment's details with its outcome,
cancellation and history, and booking a follow-up (one appointment or a series)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_interval
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from booking import clock
from booking.agenda import services
from booking.agenda.forms import FollowUpForm
from booking.agenda.services import AgendaError, FollowUp, SeriesInterrupted
from booking.appointments.messages import error_message
from booking.appointments.models import Appointment
from booking.appointments.services import BookingError, SlotTaken, cancel_appointment
from booking.auth.models import User
from booking.availability.services import bookable_range, booking_timezone, local_date, local_today
from booking.catalogue.languages import describe_language
from booking.catalogue.services import active_services
from booking.domain.series import SeriesError, SeriesPlan, default_first_day
from booking.extensions import db
from booking.staff.access import (
    COUNSELLOR,
    STAFF,
    appointment_or_404,
    audit,
    counsellor_or_404,
    roles_required,
    visible_counsellors,
)

bp = Blueprint("agenda", __name__, url_prefix="/staff")

VIEWS = ("day", "week")
ALL = "all"
# Dates outside these are typing mistakes; they would also overflow the week arithmetic.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)
DEFAULT_SERVICE = "follow-up"


# -- agenda -------------------------------------------------------------------------------


def _requested_day() -> date:
    raw = request.args.get("day", "").strip()
    if not raw:
        return local_today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        flash(_("The date could not be read, so today is shown."), "warning")
        return local_today()
    return day


@bp.get("/agenda")
@roles_required(STAFF, COUNSELLOR)
def agenda():
    view = request.args.get("view", "day")
    view = view if view in VIEWS else "day"
    day = _requested_day()
    chosen = request.args.get("counsellor", "").strip()
    # Office staff choose from their team (loaded first, so the chosen one needs no query).
    team = visible_counsellors() if current_user.role == STAFF else []
    if current_user.role == COUNSELLOR:
        if chosen == ALL:
            abort(404)  # a counsellor opens their own calendar only
        counsellor = counsellor_or_404(chosen or None)
    else:
        counsellor = None if chosen in ("", ALL) else counsellor_or_404(chosen)
    if counsellor is None and view == "week":
        if chosen or request.args.get("view"):
            flash(_("The week view shows one counsellor at a time. Choose a counsellor."),
                  "warning")
        view = "day"

    days = services.week_of(day) if view == "week" else [day]
    counsellors = [counsellor] if counsellor else team
    per_counsellor = services.load_agenda([c.id for c in counsellors], days)
    if counsellor:
        sections = [{"title": format_date(d.day, "full"), "day": d, "counsellor": counsellor}
                    for d in per_counsellor[counsellor.id]]
    else:
        sections = [{"title": c.display_name, "day": per_counsellor[c.id][0], "counsellor": c}
                    for c in counsellors]

    selected = str(counsellor.id) if counsellor else ALL
    if current_user.role == COUNSELLOR:
        selected = None  # own calendar: no parameter in the links

    def link(**changes) -> str:
        values = {"view": view, "day": day.isoformat(), "counsellor": selected, **changes}
        return url_for("agenda.agenda", **values)

    step = timedelta(days=7 if view == "week" else 1)
    period = (format_date(day, "full") if view == "day" else
              format_interval(days[0], days[-1], "yMMMd", locale=get_locale()))
    audit("view", "agenda", counsellor.id if counsellor else ALL,
          organisation_id=counsellor.organisation_id if counsellor else None,
          first_on=days[0].isoformat(), days=len(days))
    page = render_template(
        "agenda/agenda.html", view=view, day=day, days=days, counsellor=counsellor,
        sections=sections, period=period, selected=selected, today=local_today(),
        choices=team,
        previous_url=link(day=(day - step).isoformat()),
        next_url=link(day=(day + step).isoformat()),
        today_url=link(day=local_today().isoformat()), link=link)
    db.session.commit()
    return page


# -- one appointment ----------------------------------------------------------------------

OUTCOME_MESSAGES = {
    "not_started": lambda: _("The outcome can be recorded once the appointment has started."),
    "cancelled": lambda: _("A cancelled appointment has no outcome."),
    "unknown_outcome": lambda: _("Please choose whether the client came."),
}
CANCEL_MESSAGES = {
    "already_cancelled": lambda: _("This appointment has already been cancelled."),
    "too_late": lambda: _("Only booked appointments that are still ahead can be cancelled."),
}


def _actions(appointment: Appointment) -> dict:
    now = clock.now()
    is_ahead = appointment.status == "confirmed" and appointment.start_at > now
    return {
        "outcome": appointment.status != "cancelled" and appointment.start_at <= now,
        "outcome_later": appointment.status != "cancelled" and appointment.start_at > now,
        "cancel": is_ahead,
        "move_url": url_for("desk.move", reference=appointment.reference) if is_ahead else None,
        "print_url": url_for("desk.print_confirmation", reference=appointment.reference),
        "follow_up": appointment.anonymised_at is None and bool(appointment.client_name),
    }


def _details_page(appointment: Appointment, error: str | None = None, status: int = 200):
    history = services.appointment_history(appointment)
    booked_by = (db.session.get(User, appointment.booked_by_user_id)
                 if appointment.booked_by_user_id else None)
    audit("view", "appointment", appointment.id, organisation_id=appointment.organisation_id)
    page = render_template(
        "agenda/appointment.html", appointment=appointment, history=history,
        booked_by=booked_by, actions=_actions(appointment), error=error,
        local_day=local_date(appointment.start_at).isoformat(),
        language=describe_language(appointment.language_code))
    db.session.commit()
    return page, status


@bp.get("/appointments/<reference>")
@roles_required(STAFF, COUNSELLOR)
def appointment(reference: str):
    return _details_page(appointment_or_404(reference))


@bp.post("/appointments/<reference>/outcome")
@roles_required(STAFF, COUNSELLOR)
def set_outcome(reference: str):
    appointment = appointment_or_404(reference)
    outcome = request.form.get("outcome", "")
    try:
        previous = services.set_outcome(appointment, outcome, now=clock.now())
    except AgendaError as error:
        db.session.rollback()
        status = 400 if error.code == "unknown_outcome" else 409
        return _details_page(appointment, OUTCOME_MESSAGES[error.code](), status)
    audit("update", "appointment", appointment.id, organisation_id=appointment.organisation_id,
          status=outcome, previous_status=previous)
    db.session.commit()
    flash(_("Recorded: the client came.") if outcome == "attended"
          else _("Recorded: the client did not come."), "success")
    return redirect(url_for("agenda.appointment", reference=appointment.reference), 303)


@bp.route("/appointments/<reference>/cancel", methods=["GET", "POST"])
@roles_required(STAFF, COUNSELLOR)
def cancel(reference: str):
    appointment = appointment_or_404(reference)
    error, status = None, 200
    if request.method == "POST":
        try:
            changed = cancel_appointment(appointment, now=clock.now(), actor=current_user.email,
                                         user_id=current_user.id)
        except BookingError as refused:
            db.session.rollback()
            error, status = CANCEL_MESSAGES.get(refused.code, CANCEL_MESSAGES["too_late"])(), 409
        else:
            db.session.commit()
            if not changed:
                flash(CANCEL_MESSAGES["already_cancelled"](), "warning")
            elif appointment.client_email:
                flash(_("The appointment is cancelled. The client gets an e-mail about it."),
                      "success")
            else:
                flash(_("The appointment is cancelled. The client has no e-mail address: "
                        "please tell them by phone."), "success")
            return redirect(url_for("agenda.appointment", reference=appointment.reference), 303)
    audit("view", "appointment", appointment.id, organisation_id=appointment.organisation_id)
    page = render_template("agenda/cancel.html", appointment=appointment, error=error,
                           actions=_actions(appointment),
                           language=describe_language(appointment.language_code))
    db.session.commit()
    return page, status


# -- follow-up ----------------------------------------------------------------------------


def _follow_up_form(original: Appointment) -> FollowUpForm:
    now = clock.now()
    today = local_today()
    last_day = local_date(bookable_range(now, services.NO_NOTICE)[1] - timedelta(seconds=1))
    locale = str(get_locale())
    form = FollowUpForm()
    form.setup(active_services(), services.follow_up_locations(original), locale, today,
               last_day)
    if request.method == "GET":
        local_start = original.start_at.astimezone(booking_timezone())
        form.first_on.data = default_first_day(local_start.date(), today,
                                               form.every_n_weeks.default)
        form.start_time.data = local_start.time().replace(tzinfo=None)
        ids = [value for value, _label in form.service.choices]
        form.service.data = DEFAULT_SERVICE if DEFAULT_SERVICE in ids else original.service_id
        form.location.data = original.location_id
        form.channel.data = original.channel
    return form


def _follow_up(original: Appointment, form: FollowUpForm) -> FollowUp:
    return FollowUp(original, form.chosen_service(), form.chosen_location(), form.channel.data,
                    SeriesPlan(form.first_on.data, form.start_time.data,
                               form.every_n_weeks.data, form.count.data))


def _read_choices(count: int) -> tuple[dict[int, str], list[datetime], str | None]:
    """The chosen time (ISO 8601) or "skip" per occurrence, the times to book, and an error."""
    chosen = {n: request.form.get(f"occurrence-{n}", "") for n in range(1, count + 1)}
    starts = []
    for value in chosen.values():
        if value == "skip":
            continue
        try:
            start = datetime.fromisoformat(value)
        except ValueError:
            return chosen, [], _("Please choose a time or “skip” for every appointment.")
        if start.tzinfo is None:
            return chosen, [], _("Please choose a time or “skip” for every appointment.")
        starts.append(start)
    if not starts:
        return chosen, [], _("Every appointment is skipped: there is nothing to book.")
    if len(set(starts)) < len(starts):
        return chosen, [], _("Two appointments are at the same time. Please choose another "
                             "time for one of them.")
    return chosen, sorted(starts), None


def _preview(original, form, follow_up, chosen=None, error=None, status=200):
    occurrences = services.plan_follow_up(follow_up, now=clock.now())
    audit("view", "appointment", original.id, organisation_id=original.organisation_id)
    page = render_template(
        "agenda/follow_up_preview.html", original=original, form=form, follow_up=follow_up,
        occurrences=occurrences, chosen=chosen or {}, error=error, values=form.raw_values(),
        language=describe_language(original.language_code))
    db.session.commit()
    return page, status


def _form_page(original, form, errors=None, status=200):
    audit("view", "appointment", original.id, organisation_id=original.organisation_id)
    page = render_template("agenda/follow_up.html", original=original, form=form,
                           errors=errors or {},
                           language=describe_language(original.language_code))
    db.session.commit()
    return page, status


@bp.route("/appointments/<reference>/follow-up", methods=["GET", "POST"])
@roles_required(STAFF, COUNSELLOR)
def follow_up(reference: str):
    original = appointment_or_404(reference)
    if not _actions(original)["follow_up"]:
        flash(_("The client's details have been deleted, so no follow-up can be booked."),
              "warning")
        return redirect(url_for("agenda.appointment", reference=original.reference), 303)
    form = _follow_up_form(original)
    if request.method == "GET":
        return _form_page(original, form)
    if not form.validate_on_submit():
        return _form_page(original, form, form.error_messages(), 422)
    try:
        plan = _follow_up(original, form)
    except SeriesError:
        abort(400)  # only a tampered form gets here: the choices allow nothing else
    action = request.form.get("action", "preview")
    if action == "edit":
        return _form_page(original, form)
    if action != "book":
        return _preview(original, form, plan)

    chosen, starts, error = _read_choices(plan.series.count)
    if error:
        return _preview(original, form, plan, chosen, error, 422)
    try:
        booked = services.book_follow_up(plan, starts, user_id=current_user.id, now=clock.now())
    except (SlotTaken, SeriesInterrupted):
        db.session.rollback()
        return _preview(original, form, plan, chosen,
                        _("Meanwhile one of the times was booked by someone else. Nothing has "
                          "been booked: please check the plan again."), 409)
    except BookingError as refused:
        db.session.rollback()
        return _form_page(original, form, {refused.field or "form": error_message(refused.code)},
                          422)
    db.session.commit()
    references = ", ".join(b.appointment.reference for b in booked)
    flash(ngettext("%(num)d follow-up booked: %(references)s.", "%(num)d follow-ups booked: "
                   "%(references)s.", len(booked), references=references), "success")
    return redirect(url_for("agenda.appointment", reference=booked[0].appointment.reference),
                    303)
