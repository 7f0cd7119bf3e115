"""Interest in a mobile advice day: the client's form, confirmation and withdrawal (``bp``),
the links into it from the booking flow, and the staff's demand page (``staff_bp``)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from booking import clock
from booking.appointments.choices import MonthChoices
from booking.appointments.flow import FlowState
from booking.appointments.forms import ConfirmForm
from booking.appointments.limits import booking_limits, manage_limits
from booking.appointments.messages import error_message
from booking.catalogue.languages import describe_language, is_known_language
from booking.catalogue.models import Service
from booking.catalogue.services import active_services, languages_on_offer, service_names
from booking.demand import services
from booking.demand.figures import WEIGHT_DAYS, town_demand
from booking.demand.forms import ERROR_MESSAGES, InterestForm
from booking.demand.models import InterestRegistration
from booking.demand.suggestions import COUNSELLING_MINUTES, suggest_tours
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
from booking.tours.mapsvg import MapPoint, mv_map

bp = Blueprint("demand", __name__)
staff_bp = Blueprint("demand_staff", __name__, url_prefix="/staff/demand")


# -- links from the booking flow -----------------------------------------------------------

def interest_url(state: FlowState) -> str:
    """The interest form, carrying what the client already chose in the flow."""
    params = {"service": state.service.id if state.service else None,
              "language": state.language,
              "location": state.location.id if state.location else None}
    return url_for("demand.register", **{k: v for k, v in params.items() if v})


def interest_offer(state: FlowState, choices: MonthChoices) -> str | None:
    """The interest link when the chosen place has no free day in the shown month nor in any
    later month of the booking horizon."""
    if choices.days or choices.next_free_day:
        return None
    return interest_url(state)


# -- the client's pages --------------------------------------------------------------------

def _fill_choices(form: InterestForm) -> list[tuple[str, list[Town]]]:
    """Set the form's choices; returns the towns grouped by district for the page."""
    towns = services.towns_with_venues()
    form.town.choices = [(t.id, t.name) for t in towns]
    locale = str(get_locale())
    form.service.choices = [(s.id, s.name_in(locale))
                            for s in active_services()]
    reader = get_locale()
    described = sorted((describe_language(code, reader) for code in languages_on_offer()),
                       key=lambda d: d["name"].casefold())
    form.language.choices = [
        (d["code"], d["name"] if d["native_name"] == d["name"]
         else f"{d['name']} – {d['native_name']}") for d in described]
    return [(district, list(group)) for district, group in groupby(towns, lambda t: t.district)]


def _prefill(form: InterestForm) -> None:
    """From the booking flow's state (service, language, location) or a ``town``."""
    args = request.args
    offered = {value for value, _label in form.service.choices}
    if args.get("service") in offered:
        form.service.data = args["service"]
    languages = {value for value, _label in form.language.choices}
    language = args.get("language", "").lower()
    ui = str(get_locale())
    form.language.data = language if language in languages and is_known_language(language) \
        else (ui if ui in languages else "de")
    town_id = args.get("town")
    if not town_id and args.get("location"):
        location = db.session.get(Location, args["location"])
        town_id = location.town_id if location is not None and location.kind == "mobile" \
            else None
    if town_id in {value for value, _label in form.town.choices}:
        form.town.data = town_id


@bp.route("/book/interest", methods=["GET", "POST"])
@booking_limits
def register():
    form = InterestForm()
    districts = _fill_choices(form)
    errors: dict[str, str] = {}
    if request.method == "GET":
        _prefill(form)
    elif form.validate_on_submit():
        if form.is_probably_a_bot():
            errors = {"form": error_message("not_a_person")}
        else:
            try:
                registration = services.register_interest(services.InterestRequest(
                    town_id=form.town.data, service_id=form.service.data,
                    language=form.language.data, name=form.name.data, email=form.email.data,
                    phone=form.phone.data, consent=form.consent.data,
                    locale=str(get_locale())), now=clock.now())
            except services.InterestError as error:
                db.session.rollback()
                errors = {error.field or "form": str(ERROR_MESSAGES[error.code])}
            else:
                db.session.commit()
                return redirect(url_for("demand.show", token=services.interest_token(
                    registration), registered=1), code=303)
    else:
        errors = {name: field.errors[0] for name, field in form._fields.items() if field.errors}
    return render_template("demand/register.html", form=form, districts=districts,
                           errors=errors), 400 if errors else 200


def _registration(token: str) -> InterestRegistration:
    registration = services.find_by_token(token)
    if registration is None:
        abort(404)
    g.booking_locale = registration.locale  # these pages speak the client's language
    return registration


def _render(template: str, registration: InterestRegistration, token: str, **extra):
    return render_template(
        template, registration=registration, token=token,
        town=db.session.get(Town, registration.town_id),
        service=db.session.get(Service, registration.service_id),
        language=describe_language(registration.language_code), **extra)


@bp.get("/interest/<token>")
@manage_limits
def show(token: str):
    registration = _registration(token)
    return _render("demand/show.html", registration, token,
                   just_registered=request.args.get("registered") == "1")


@bp.route("/interest/<token>/withdraw", methods=["GET", "POST"])
@manage_limits
def withdraw(token: str):
    registration = _registration(token)
    if request.method == "GET":
        return _render("demand/withdraw.html", registration, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.withdraw_interest(registration, now=clock.now())
    db.session.commit()
    return redirect(url_for("demand.show", token=token), code=303)


# -- the staff's demand page ---------------------------------------------------------------

def _scope() -> str | None:
    """The organisation shown: office staff their own (naming another: 404), administrators
    the network or the one chosen with ``?organisation=``."""
    chosen = request.args.get("organisation", "").strip()
    if chosen:
        organisation_or_404(chosen)
    return (chosen or None) if is_admin() else own_organisation_id()


def _tour_link(suggestion) -> str | None:
    view = current_app.view_functions.get("tours.new")
    if view is None or suggestion.day is None \
            or current_user.role not in getattr(view, "staff_roles", ()):
        return None
    return url_for("tours.new", counsellor=suggestion.counsellor.id,
                   day=suggestion.day.isoformat(), start=suggestion.base_office_id,
                   end=suggestion.base_office_id,
                   venues=",".join(v.id for v in suggestion.venues))


def _demand_map(demand, offices):
    points = [MapPoint(o.id, o.town, o.lat, o.lon, "office", 0) for o in offices
              if o.lat is not None and o.lon is not None]
    points += [MapPoint(d.town.id, d.town.name, d.town.lat, d.town.lon, "town", d.weight)
               for d in demand]
    return mv_map(points, title=_("Waiting demand per town"))


@staff_bp.get("")
@roles_required(STAFF, ADMIN)
def overview():
    organisation_id = _scope()
    now = clock.now()
    demand = town_demand(organisation_id, now)
    organisation_ids = [organisation_id] if organisation_id else sorted(
        {d.town.organisation_id for d in demand})
    suggestions = sorted((s for org in organisation_ids for s in suggest_tours(
        org, now, demand=demand if org == organisation_id else None)), key=lambda s: -s.weight)
    offices = db.session.scalars(select(Location).where(
        Location.kind == "office", Location.is_active,
        *([Location.organisation_id == organisation_id] if organisation_id else []))
        .order_by(Location.town)).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all() \
        if is_admin() else []
    return render_template(
        "demand/staff.html", demand=demand, suggestions=suggestions,
        demand_map=_demand_map(demand, offices), organisations=organisations,
        organisation_id=organisation_id, weight_days=WEIGHT_DAYS,
        counselling_minutes=COUNSELLING_MINUTES, tour_link=_tour_link,
        offices={o.id: o for o in offices}, can_list=not is_admin(),
        service_name=_service_names(), weight_text=lambda value: format_decimal(value, "0.0"))


def _service_names() -> Callable[[str], str]:
    """``service_name(id)`` for the templates, from one query."""
    names = service_names(str(get_locale()))
    return lambda service_id: names.get(service_id, service_id)


@staff_bp.get("/towns/<town_id>")
@roles_required(STAFF)
def town(town_id: str):
    """The people waiting for one town: personal data, so office staff of the town's
    organisation only (administrators see the counts on the overview)."""
    found = db.session.get(Town, town_id)
    if found is None or found.organisation_id != own_organisation_id():
        abort(404)
    waiting = db.session.scalars(select(InterestRegistration).where(
        InterestRegistration.organisation_id == own_organisation_id(),
        InterestRegistration.town_id == found.id, InterestRegistration.status == "waiting")
        .order_by(InterestRegistration.created_at)).all()
    audit("view", "interest_registrations", found.id, count=len(waiting))
    db.session.commit()
    return render_template("demand/town.html", town=found, waiting=waiting,
                           service_name=_service_names(), now=clock.now())
