"""Staff pages for mobile advice tours: the list, planning a tour (preview with itinerary and
map, save as draft, optionally as a recurring series), a tour's page with publish, cancel and
delete. Office staff and administrators plan; counsellors read their own tours. The travel
matrix page is in ``booking.tours.travel_views`` on the same blueprint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.availability.services import local_today
from booking.availability.views import wall_time_range
from booking.extensions import db
from booking.staff.access import (
    ADMIN,
    CASEWORK,
    COUNSELLOR,
    STAFF,
    counsellor_or_404,
    in_scope,
    is_admin,
    roles_required,
    visible_counsellors,
)
from booking.tours import planning
from booking.tours.checks import appointments_of, publication_problems
from booking.tours.forms import CancelForm
from booking.tours.itinerary import itinerary_of_tour, route_map
from booking.tours.messages import day_text, place_text, problem_message
from booking.tours.models import TOUR_STATUSES, Tour, TourSeries, TourStop
from booking.tours.services import (
    TourError,
    cancel_tour,
    delete_draft,
    publish_series,
    publish_tour,
    series_tours,
)

bp = Blueprint("tours", __name__, url_prefix="/staff/tours")
MANAGE = (STAFF, ADMIN)
READ = (STAFF, ADMIN, COUNSELLOR)
PAST_LIMIT = 100


# -- presentation helpers -------------------------------------------------------------------

def duration_text(minutes: int) -> str:
    if minutes < 60:
        return ngettext("%(num)d min", "%(num)d min", minutes)
    return _("%(hours)d h %(minutes)02d min", hours=minutes // 60, minutes=minutes % 60)


def status_labels() -> dict[str, str]:
    return {"draft": _("Draft"), "published": _("Published"), "cancelled": _("Cancelled")}


@bp.context_processor
def _helpers() -> dict:
    return {"duration_text": duration_text,
            "tour_place": place_text, "problem_message": problem_message, "day_text": day_text,
            "tour_status_labels": status_labels(), "can_manage": current_user.role in MANAGE,
            "time_range_of": lambda window: wall_time_range(*window)}


def tour_or_404(tour_id: int) -> Tour:
    """The tour if the user may see it: their organisation's (administrators: any), and for a
    counsellor only their own."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        abort(404)
    if current_user.role == COUNSELLOR and tour.counsellor_id != current_user.counsellor_id:
        abort(404)
    if not is_admin() and tour.organisation_id != current_user.organisation_id:
        abort(404)
    return tour


def _scoped_tours():
    statement = select(Tour).options(
        selectinload(Tour.stops).selectinload(TourStop.location), selectinload(Tour.counsellor))
    if current_user.role == COUNSELLOR:
        return statement.where(Tour.counsellor_id == current_user.counsellor_id)
    return in_scope(statement, Tour.organisation_id)


# -- the list -------------------------------------------------------------------------------

@bp.get("/")
@roles_required(*READ)
def index():
    past = request.args.get("past") == "1"
    status = request.args.get("status", "")
    status = status if status in TOUR_STATUSES else ""
    team = visible_counsellors(active_only=False) if current_user.role != COUNSELLOR else []
    counsellor = None
    if request.args.get("counsellor") and current_user.role != COUNSELLOR:
        counsellor = counsellor_or_404(request.args.get("counsellor"))
    statement = _scoped_tours()
    today = local_today()
    if past:
        statement = statement.where(Tour.day < today).order_by(Tour.day.desc(), Tour.id.desc())
        statement = statement.limit(PAST_LIMIT)
    else:
        statement = statement.where(Tour.day >= today).order_by(Tour.day, Tour.depart_at)
    if status:
        statement = statement.where(Tour.status == status)
    if counsellor is not None:
        statement = statement.where(Tour.counsellor_id == counsellor.id)
    tours = list(db.session.scalars(statement))
    return render_template("tours/index.html", tours=tours, past=past, status=status,
                           team=team, counsellor=counsellor, statuses=TOUR_STATUSES)


# -- planning -------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGE)
def new():
    return planning.planning_page()


# -- one tour -------------------------------------------------------------------------------

@bp.get("/<int:tour_id>")
@roles_required(*READ)
def show(tour_id: int):
    tour = tour_or_404(tour_id)
    itinerary = itinerary_of_tour(tour)
    bookings = appointments_of(tour, ("confirmed", "attended", "no_show"))
    problems = publication_problems(tour) \
        if tour.status == "draft" and current_user.role in MANAGE else []
    route = route_map(tour.day, itinerary.start_office, [s.location for s in itinerary.stops],
                      itinerary.end_office)
    return render_template("tours/show.html", tour=tour, itinerary=itinerary,
                           bookings=bookings, show_names=current_user.role in CASEWORK,
                           problems=problems,
                           siblings=series_tours(tour.series_id) if tour.series_id else [],
                           route_map=route, cancel_form=CancelForm(formdata=None))


def _back(tour_id: int):
    return redirect(url_for("tours.show", tour_id=tour_id), 303)


@bp.post("/<int:tour_id>/publish")
@roles_required(*MANAGE)
def publish(tour_id: int):
    tour = tour_or_404(tour_id)
    problems = publish_tour(tour, current_user)
    if problems:
        db.session.rollback()
        for problem in problems:
            flash(problem_message(problem), "error")
        return _back(tour_id)
    db.session.commit()
    flash(_("The tour is published: clients can book its counselling times now."), "success")
    if problems.invited:
        flash(ngettext("%(num)d person who registered interest was invited.",
                       "%(num)d people who registered interest were invited.",
                       problems.invited), "success")
    return _back(tour_id)


@bp.post("/<int:tour_id>/publish-series")
@roles_required(*MANAGE)
def publish_whole_series(tour_id: int):
    tour = tour_or_404(tour_id)
    series = db.session.get(TourSeries, tour.series_id) if tour.series_id else None
    if series is None:
        abort(404)
    outcome = publish_series(series, current_user)
    db.session.commit()
    for day, problems in outcome.items():
        flash(_series_day_message(day, problems), "error" if problems else "success")
    if not outcome:
        flash(_("The series has no drafts left to publish."), "warning")
    return _back(tour_id)


def _series_day_message(day: date, problems) -> str:
    if not problems:
        return _("%(day)s: published.", day=day_text(day))
    reasons = " ".join(problem_message(p) for p in problems)
    return _("%(day)s: not published. %(reasons)s", day=day_text(day), reasons=reasons)


@bp.post("/<int:tour_id>/cancel")
@roles_required(*MANAGE)
def cancel(tour_id: int):
    tour = tour_or_404(tour_id)
    form = CancelForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(str(messages[0]), "error")
        return _back(tour_id)
    try:
        cancelled = cancel_tour(tour, current_user, form.reason.data or "")
    except TourError as error:
        flash(problem_message(error.problem), "error")
        return _back(tour_id)
    db.session.commit()
    flash(_("The tour is cancelled."), "success")
    if cancelled:
        flash(ngettext("%(num)d appointment was cancelled; the client was told and offered "
                       "other times.",
                       "%(num)d appointments were cancelled; the clients were told and "
                       "offered other times.", cancelled), "success")
    return _back(tour_id)


@bp.post("/<int:tour_id>/delete")
@roles_required(*MANAGE)
def delete(tour_id: int):
    tour = tour_or_404(tour_id)
    try:
        delete_draft(tour, current_user)
    except TourError as error:
        flash(problem_message(error.problem), "error")
        return _back(tour_id)
    db.session.commit()
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("tours.index"), 303)


from booking.tours import travel_views as _travel_views  # noqa: E402,F401 - routes on bp
