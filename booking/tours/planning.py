"""The planning page (``/staff/tours/new``): one form, three buttons. "Preview" plans the day
(or every day of a series) and shows the itinerary and the route map, or why it cannot be
planned; "Save as draft" stores it; "More stops" adds stop rows (no JavaScript needed).
A GET may prefill the form (``counsellor``, ``day``, ``start``, ``end`` and ``venues``, comma
separated): the demand page links its suggested tours here."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from booking.appointments.flow import parse_day
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.staff.access import (
    counsellor_or_404,
    is_admin,
    visible_counsellors,
    visible_locations,
)
from booking.tours.forms import DEFAULT_MINUTES, TourForm
from booking.tours.itinerary import itinerary_of_plan, route_map
from booking.tours.messages import day_text, place_text, problem_message, problem_text
from booking.tours.services import (
    MAX_STOPS,
    Recurrence,
    StopWish,
    TourPlan,
    TourTemplate,
    create_series,
    plan_series,
    plan_tour_for,
    save_draft,
)


def counsellor_label(counsellor: Counsellor) -> str:
    """Administrators plan for every organisation: the name says which."""
    if is_admin():
        return f"{counsellor.display_name} ({counsellor.organisation_id})"
    return counsellor.display_name


def location_choices(locations: list[Location], kind: str) -> list[tuple[str, str]]:
    """The offices or mobile venues among ``locations``, as select choices."""
    choices = []
    for location in locations:
        if location.kind == kind:
            label = place_text(location)
            choices.append((location.id, f"{label} ({location.organisation_id})"
                            if is_admin() else label))
    return sorted(choices, key=lambda c: c[1].casefold())


def _prefill() -> dict:
    """Form values from the query string; anything unknown is left out, never an error."""
    args, data = request.args, {}
    if args.get("counsellor", "").isdigit():
        data["counsellor"] = int(args["counsellor"])
    if parse_day(args.get("day")):
        data["day"] = parse_day(args.get("day"))
    for name, field in (("start", "start_office"), ("end", "end_office")):
        if args.get(name):
            data[field] = args[name]
    venues = [v.strip() for v in args.get("venues", "").split(",") if v.strip()]
    if venues:
        data["stops"] = [{"venue": v, "minutes": DEFAULT_MINUTES} for v in venues[:MAX_STOPS]]
    return data


def _errors(form: TourForm) -> dict[str, str]:
    """The first message of each field, the stop rows' fields by their own names."""
    errors = {}
    for name, field in form._fields.items():
        if name == "stops":
            for row in field:
                errors.update({sub.name: str(sub.errors[0]) for sub in row.form if sub.errors})
        elif field.errors:
            errors[name] = str(field.errors[0])
    return errors


def _wishes(form: TourForm) -> list[StopWish]:
    return [StopWish(row.venue.data, row.minutes.data, row.earliest_start.data,
                     row.latest_end.data) for row in form.chosen_rows()]


def _recurrence(form: TourForm) -> Recurrence | None:
    if form.repeat.data == "monthly":
        return Recurrence("monthly", nth=form.nth.data)
    if form.repeat.data == "weekly":
        return Recurrence("weekly", interval=form.every_n_weeks.data)
    return None


def _map_of(plan: TourPlan | None):
    if plan is None or plan.result is None or not plan.result.order:
        return None
    return route_map(plan.day, plan.start_office, [plan.venues[p] for p in plan.result.order],
                     plan.end_office)


def _page(form: TourForm, errors: dict | None = None, status: int = 200, *,
          plan: TourPlan | None = None, occurrences=None, refusal: str | None = None):
    return render_template(
        "tours/new.html", form=form, errors=errors or {}, plan=plan,
        itinerary=itinerary_of_plan(plan) if plan else None, route_map=_map_of(plan),
        occurrences=occurrences, refusal=refusal, max_stops=MAX_STOPS), status


def planning_page():
    posted = request.method == "POST"
    form = TourForm() if posted else TourForm(**_prefill())
    # Kept for the whole request: the planner's look-ups by id then come from the session's
    # identity map instead of one query per place.
    counsellors, locations = visible_counsellors(), visible_locations()
    form.counsellor.choices = [(c.id, counsellor_label(c)) for c in counsellors]
    offices, venues = location_choices(locations, "office"), location_choices(locations, "mobile")
    form.set_place_choices(offices, venues)
    if not posted:
        return _page(form)
    action = request.form.get("action", "preview")
    if action == "more":
        form.add_rows()
        form.set_place_choices(offices, venues)
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, _errors(form), 422)
    wishes = _wishes(form)
    if not wishes:
        return _page(form, {"stops-0-venue": problem_text("no_stops")}, 422)
    template = TourTemplate(counsellor_or_404(form.counsellor.data), form.start_office.data,
                            form.end_office.data, tuple(wishes), form.setup_minutes.data,
                            form.public_note.data or "")
    recurrence = _recurrence(form)
    if recurrence is None:
        return _single_day(form, template, action == "save")
    return _series(form, template, recurrence, action == "save")


def _single_day(form: TourForm, template: TourTemplate, save: bool):
    plan = plan_tour_for(template.counsellor, form.day.data, template.start_office,
                         template.end_office, list(template.stops), template.setup_minutes)
    refusal = None if plan.is_feasible else problem_message(plan.refusal)
    if not save or refusal:
        return _page(form, {"form": refusal} if save and refusal else None,
                     422 if save and refusal else 200, plan=plan, refusal=refusal)
    tour = save_draft(plan, user=current_user, public_note=template.public_note)
    db.session.commit()
    flash(_("The tour is saved as a draft. Clients cannot book it until it is published."),
          "success")
    return redirect(url_for("tours.show", tour_id=tour.id), 303)


def _series(form: TourForm, template: TourTemplate, recurrence: Recurrence, save: bool):
    if not save:
        _rule, occurrences = plan_series(template, form.day.data, recurrence, form.count.data)
        first = next((o.plan for o in occurrences if o.problem is None), None)
        return _page(form, plan=first, occurrences=occurrences)
    outcome = create_series(template, form.day.data, recurrence, form.count.data,
                            user=current_user)
    if outcome.series is None:
        db.session.rollback()
        return _page(form, {"form": _("None of the days can be planned.")}, 422,
                     occurrences=outcome.skipped)
    db.session.commit()
    flash(ngettext("%(num)d tour of the series is saved as a draft.",
                   "%(num)d tours of the series are saved as drafts.", len(outcome.tours)),
          "success")
    for skipped in outcome.skipped:
        flash(_("%(day)s skipped: %(reason)s", day=day_text(skipped.day),
                reason=problem_message(skipped.problem)), "warning")
    return redirect(url_for("tours.show", tour_id=outcome.tours[0].id), 303)
