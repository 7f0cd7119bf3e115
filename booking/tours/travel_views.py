"""The travel matrix page (``/staff/tours/travel``): drive times between the organisation's
offices and towns as the planner uses them, the measured ones next to their estimates, and a
form to record a measured time (both ways by default). Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from booking.extensions import db
from booking.network.models import Location, Organisation, Town
from booking.staff.access import (
    ADMIN,
    STAFF,
    audit,
    is_admin,
    organisation_or_404,
    own_organisation_id,
    roles_required,
)
from booking.staff.forms import first_errors
from booking.tours import travel as matrix
from booking.tours.forms import TravelTimeForm
from booking.tours.models import TravelTime
from booking.tours.views import bp


@dataclass(frozen=True)
class Place:
    id: str
    label: str
    lat: float | None
    lon: float | None


def places_of(organisation_id: str) -> list[Place]:
    """The organisation's active offices, then the towns it serves, by name."""
    offices = db.session.scalars(select(Location).where(
        Location.organisation_id == organisation_id, Location.kind == "office",
        Location.is_active).order_by(Location.town))
    towns = db.session.scalars(select(Town).where(Town.organisation_id == organisation_id)
                               .order_by(Town.name))
    return [*(Place(o.id, o.town, o.lat, o.lon) for o in offices),
            *(Place(t.id, t.name, t.lat, t.lon) for t in towns)]


def _organisation(organisations: list[Organisation]) -> Organisation:
    """The organisation whose matrix is shown: an administrator's choice (``organisations``:
    all of them, by name), else the user's own."""
    if is_admin():
        chosen = request.values.get("organisation")
        if chosen:
            return organisation_or_404(chosen)
        return organisations[0] if organisations else organisation_or_404(None)
    return organisation_or_404(own_organisation_id())


@bp.route("/travel", methods=["GET", "POST"])
@roles_required(STAFF, ADMIN)
def travel():
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name))) \
        if is_admin() else []
    organisation = _organisation(organisations)
    places = places_of(organisation.id)
    posted = request.method == "POST"
    form = TravelTimeForm() if posted else TravelTimeForm(
        formdata=None, to_place=places[1].id if len(places) > 1 else None)
    form.set_choices([(p.id, p.label) for p in places])
    errors: dict[str, str] = {}
    if posted:
        if form.validate_on_submit():
            a, b = form.from_place.data, form.to_place.data
            matrix.set_travel_time(a, b, form.minutes.data, road_km=form.road_km.data,
                                   user_id=current_user.id, both_ways=form.both_ways.data)
            audit("update", "travel_time", f"{a}>{b}", organisation_id=organisation.id,
                  minutes=form.minutes.data, both_ways=form.both_ways.data)
            db.session.commit()
            flash(_("The drive time is saved. New plans use it; saved tours keep their "
                    "timetable."), "success")
            return redirect(url_for("tours.travel", organisation=organisation.id
                                    if is_admin() else None), 303)
        errors = first_errors(form)
    ids = [p.id for p in places]
    rows = {(r.from_place_id, r.to_place_id): r for r in db.session.scalars(
        select(TravelTime).where(TravelTime.from_place_id.in_(ids),
                                 TravelTime.to_place_id.in_(ids)))}
    by_id = {p.id: p for p in places}
    coordinates = {p.id: (p.lat, p.lon) for p in places if p.lat is not None and p.lon is not None}
    # Each measured time next to the estimate it replaced (the row keeps only the measurement).
    measured = [(r, matrix.seeded_estimate(r.from_place_id, r.to_place_id, coordinates))
                for r in sorted((r for r in rows.values() if r.source == "measured"),
                                key=lambda r: (by_id[r.from_place_id].label,
                                               by_id[r.to_place_id].label))]
    return render_template(
        "tours/travel.html", organisation=organisation, organisations=organisations,
        places=places, rows=rows, measured=measured, by_id=by_id, form=form,
        errors=errors), 422 if errors else 200
