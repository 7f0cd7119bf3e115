"""Staff pages for a counsellor's weekly working hours and absences.

Counsellors manage their own; office staff pick a counsellor of their organisation. A change is
saved at once (the public slots read the same tables); appointments it strands are listed with
links, never cancelled here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from babel.dates import format_interval, format_skeleton
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from booking import clock
from booking.availability import hours as use_cases
from booking.availability.forms import AbsenceForm, HoursForm, reason_labels, weekday_names
from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import booking_timezone, local_today
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.i18n import appointment_time_text, time_range
from booking.network.models import Location
from booking.staff.access import (
    COUNSELLOR,
    STAFF,
    calendar_record_or_404,
    counsellor_from_query,
    roles_required,
)
from booking.staff.forms import first_errors

bp = Blueprint("hours", __name__, url_prefix="/staff")


# -- presentation helpers -------------------------------------------------------------------

def wall_time_range(start, end) -> str:
    """'09:00–16:00 Uhr' for local wall-clock times, in the locale's own interval format."""
    tz = booking_timezone()
    day = date(2027, 1, 4)  # any day without a clock change; the times are wall-clock times
    return time_range(datetime.combine(day, start, tzinfo=tz),
                      datetime.combine(day, end, tzinfo=tz))


def absence_label(absence: Absence) -> str:
    """'Mo., 1. – Mi., 3. März 2027' for whole days; with the times when it starts or ends
    within a day."""
    tz = booking_timezone()
    start, end = absence.start_at.astimezone(tz), absence.end_at.astimezone(tz)
    if start.time() == end.time() == time(0):
        return format_interval(start.date(), end.date() - timedelta(days=1), "yMMMEd",
                               locale=get_locale())
    if start.date() == end.date():
        return appointment_time_text(start, end)
    return f"{_moment(start)} – {_moment(end)}"


def _moment(instant: datetime) -> str:
    """'Di., 9. Feb. 2027, 09:00': date and time joined by the locale's own pattern."""
    locale = get_locale()
    hours = "Hm" if "H" in locale.time_formats["short"].pattern else "hm"
    pattern = str(locale.datetime_formats["medium"]).replace("'", "")
    return pattern.replace("{1}", format_skeleton("yMMMEd", instant, locale=locale)).replace(
        "{0}", format_skeleton(hours, instant, locale=locale))


@bp.context_processor
def _helpers() -> dict:
    return {"wall_time_range": wall_time_range, "absence_label": absence_label,
            "weekday_names": weekday_names(),
            "reason_labels": reason_labels()}


def _location_choices(form: HoursForm, counsellor: Counsellor, keep: str | None = None):
    offices, mobile = [], []
    for location in use_cases.bookable_locations(counsellor, keep):
        (offices if location.kind == "office" else mobile).append(
            (location.id, place_name(location)))
    form.location.choices = {_("Offices"): offices, _("Mobile advice days"): mobile}


def _hours_values(form: HoursForm) -> use_cases.HoursValues:
    return use_cases.HoursValues(
        location_id=form.location.data, weekday=form.weekday.data,
        start_time=form.start_time.data, end_time=form.end_time.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        every_n_weeks=form.every_n_weeks.data)


def place_name(location: Location) -> str:
    """A place as plain text (select options, messages)."""
    if location.kind == "office":
        return location.name
    return _("Mobile advice day in %(town)s", town=location.town)


def describe_rule(rule: WeeklyHours) -> str:
    """'Saturday 10:00–13:00 at IQ Servicestelle Schwerin': how a clash names the other rule."""
    return _("%(weekday)s %(time)s at %(place)s", weekday=weekday_names()[rule.weekday],
             time=wall_time_range(rule.start_time, rule.end_time),
             place=place_name(db.session.get_one(Location, rule.location_id)))


def _clash_message(clash: use_cases.RuleClash) -> str:
    return _("These hours overlap the working hours on %(rule)s, first on %(day)s. Change or "
             "delete those hours first, or choose another time or period.",
             rule=describe_rule(clash.other), day=format_date(clash.day, "full"))


def _after_hours_change(counsellor: Counsellor) -> None:
    stranded = use_cases.appointments_outside_hours(counsellor, clock.now())
    if stranded:
        flash(ngettext("%(num)d confirmed appointment lies outside the working hours now. "
                       "Nothing has been cancelled: it is listed below.",
                       "%(num)d confirmed appointments lie outside the working hours now. "
                       "Nothing has been cancelled: they are listed below.", len(stranded)),
              "warning")


def _hours_url(counsellor: Counsellor) -> str:
    return url_for("hours.hours", counsellor=counsellor.id)


def _hours_page(counsellor: Counsellor | None, team: list[Counsellor],
                form: HoursForm | None = None, errors: dict | None = None, status: int = 200):
    if counsellor is not None and form is None:
        form = HoursForm(formdata=None, starts_on=local_today())
        _location_choices(form, counsellor)
    rules = use_cases.weekly_hours_of(counsellor) if counsellor else []
    stranded = use_cases.appointments_outside_hours(counsellor, clock.now(), rules) \
        if counsellor else []
    places = {location.id: location for location in db.session.scalars(
        select(Location).where(Location.id.in_({r.location_id for r in rules})))}
    return render_template("hours/hours.html", counsellor=counsellor, team=team, form=form,
                           rules=rules, places=places, stranded=stranded,
                           errors=errors or {}, today=local_today()), status


# -- weekly hours ---------------------------------------------------------------------------

@bp.get("/hours")
@roles_required(STAFF, COUNSELLOR)
def hours():
    counsellor, team = counsellor_from_query()
    return _hours_page(counsellor, team)


@bp.post("/hours")
@roles_required(STAFF, COUNSELLOR)
def add_hours():
    counsellor, team = counsellor_from_query(required=True)
    form = HoursForm()
    _location_choices(form, counsellor)
    if form.validate_on_submit():
        try:
            use_cases.add_weekly_hours(counsellor, _hours_values(form))
        except use_cases.RuleClash as clash:  # refused before anything was written
            return _hours_page(counsellor, team, form, {"form": _clash_message(clash)}, 422)
        db.session.commit()
        flash(_("The working hours are saved."), "success")
        _after_hours_change(counsellor)
        return redirect(_hours_url(counsellor), 303)
    return _hours_page(counsellor, team, form, first_errors(form), 422)


@bp.route("/hours/<int:hours_id>", methods=["GET", "POST"])
@roles_required(STAFF, COUNSELLOR)
def edit_hours(hours_id: int):
    rule, counsellor = calendar_record_or_404(WeeklyHours, hours_id)
    form = HoursForm(obj=rule, location=rule.location_id)
    _location_choices(form, counsellor, keep=rule.location_id)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            use_cases.update_weekly_hours(rule, counsellor, _hours_values(form))
        except use_cases.RuleClash as clash:
            errors = {"form": _clash_message(clash)}
        else:
            db.session.commit()
            flash(_("The working hours are saved."), "success")
            _after_hours_change(counsellor)
            return redirect(_hours_url(counsellor), 303)
    elif request.method == "POST":
        errors = first_errors(form)
    return render_template("hours/edit.html", counsellor=counsellor, rule=rule, form=form,
                           errors=errors), 422 if errors else 200


@bp.post("/hours/<int:hours_id>/delete")
@roles_required(STAFF, COUNSELLOR)
def delete_hours(hours_id: int):
    rule, counsellor = calendar_record_or_404(WeeklyHours, hours_id)
    use_cases.delete_weekly_hours(rule, counsellor)
    db.session.commit()
    flash(_("The working hours are deleted."), "success")
    _after_hours_change(counsellor)
    return redirect(_hours_url(counsellor), 303)


# -- absences -------------------------------------------------------------------------------

def _absences_page(counsellor: Counsellor | None, team: list[Counsellor],
                   form: AbsenceForm | None = None, errors: dict | None = None,
                   status: int = 200):
    now = clock.now()
    if form is None:
        today = local_today()
        form = AbsenceForm(formdata=None, starts_on=today, ends_on=today, reason="vacation")
    absences = use_cases.upcoming_absences(counsellor, now) if counsellor else []
    affected = use_cases.appointments_in_absences(counsellor, absences, now) if counsellor \
        else {}
    return render_template("hours/absences.html", counsellor=counsellor, team=team, form=form,
                           absences=absences, affected=affected, errors=errors or {}), status


@bp.get("/absences")
@roles_required(STAFF, COUNSELLOR)
def absences():
    counsellor, team = counsellor_from_query()
    return _absences_page(counsellor, team)


@bp.post("/absences")
@roles_required(STAFF, COUNSELLOR)
def add_absence():
    counsellor, team = counsellor_from_query(required=True)
    form = AbsenceForm()
    if not form.validate_on_submit():
        return _absences_page(counsellor, team, form, first_errors(form), 422)
    start_at, end_at = use_cases.absence_period(form.starts_on.data, form.ends_on.data,
                                                form.start_time.data, form.end_time.data)
    if end_at <= clock.now():
        return _absences_page(counsellor, team, form, {
            "ends_on": _("The absence is over already. Please enter a time from today on.")},
            422)
    if end_at <= start_at:
        return _absences_page(counsellor, team, form, {
            "end_time": _("The end must be after the beginning.")}, 422)
    try:
        absence = use_cases.add_absence(counsellor, start_at, end_at, form.reason.data)
    except use_cases.AbsenceClash as clash:
        return _absences_page(counsellor, team, form, {"form": _(
            "An absence is recorded for this time already: %(period)s. Delete it first if "
            "it is wrong.", period=absence_label(clash.other))}, 422)
    affected = use_cases.appointments_in_absences(counsellor, [absence], clock.now())[absence.id]
    db.session.commit()
    flash(_("The absence is saved."), "success")
    if affected:
        flash(ngettext("%(num)d confirmed appointment falls within this absence. Nothing has "
                       "been cancelled: it is listed below.",
                       "%(num)d confirmed appointments fall within this absence. Nothing has "
                       "been cancelled: they are listed below.", len(affected)), "warning")
    return redirect(url_for("hours.absences", counsellor=counsellor.id), 303)


@bp.post("/absences/<int:absence_id>/delete")
@roles_required(STAFF, COUNSELLOR)
def delete_absence(absence_id: int):
    absence, counsellor = calendar_record_or_404(Absence, absence_id)
    use_cases.delete_absence(absence, counsellor)
    db.session.commit()
    flash(_("The absence is deleted."), "success")
    return redirect(url_for("hours.absences", counsellor=counsellor.id), 303)
