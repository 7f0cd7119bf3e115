"""Administration pages: overview, organisations, locations and services (administrators).

Users, the team, the audit log and the failed-messages view register their routes on the same
blueprint from their own modules (imported at the end of this one).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from booking.admin import services as admin_services
from booking.admin.forms import KIND_LABELS, LocationForm, OrganisationForm, ServiceForm
from booking.admin.logs import count_needing_attention
from booking.auth.models import User
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location, Organisation
from booking.staff.access import ADMIN, audit, location_or_404, organisation_or_404, roles_required
from booking.staff.forms import first_errors as form_errors

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")

EDITABLE_LOCALES = ("de", "en")  # the other languages' texts are shown, edited in the content


def render_form(template: str, errors: dict, **context):
    """A form page: 200, or 422 when the submitted form had errors."""
    return render_template(template, errors=errors, **context), 422 if errors else 200


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(org.id, org.name) for org in all_organisations()]
    return ([("", blank)] if blank is not None else []) + choices


def organisation_filter(value: str | None) -> str | None:
    """``?organisation=`` on list pages: an organisation the user may see, else 404."""
    return organisation_or_404(value).id if value else None


def _count(statement) -> int:
    return db.session.scalar(statement) or 0


@bp.get("")
@roles_required(ADMIN)
def index():
    counts = {
        "organisations": _count(select(func.count(Organisation.id))),
        "locations": _count(select(func.count(Location.id)).where(Location.is_active)),
        "services": _count(select(func.count(Service.id)).where(Service.is_active)),
        "users": _count(select(func.count(User.id)).where(User.is_enabled)),
        "counsellors": _count(select(func.count(Counsellor.id)).where(Counsellor.is_active)),
        "messages": count_needing_attention(),
    }
    return render_template("admin/index.html", counts=counts)


# -- organisations ------------------------------------------------------------------------

@bp.get("/organisations")
@roles_required(ADMIN)
def organisations():
    return render_template("admin/organisations.html", organisations=all_organisations())


@bp.route("/organisations/<organisation_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def organisation(organisation_id):
    record = organisation_or_404(organisation_id)
    form = OrganisationForm(obj=record)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "name", "short_name", "region", "email", "phone", "website", "retention_days")}
        values.update({name: values[name] or None for name in ("email", "phone", "website")})
        changed = admin_services.apply_changes(record, values)
        if changed:
            audit("update", "organisation", record.id, organisation_id=record.id, fields=changed)
        db.session.commit()
        flash(_("The organisation is saved."), "success")
        return redirect(url_for("admin.organisations"), 303)
    if request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/organisation_form.html", errors, form=form, record=record)


# -- locations ----------------------------------------------------------------------------

@bp.get("/locations")
@roles_required(ADMIN)
def locations():
    organisation_id = organisation_filter(request.args.get("organisation"))
    statement = select(Location).order_by(Location.organisation_id, Location.kind.desc(),
                                          Location.town, Location.name)
    if organisation_id:
        statement = statement.where(Location.organisation_id == organisation_id)
    return render_template("admin/locations.html", locations=list(db.session.scalars(statement)),
                           organisation_id=organisation_id, organisations=all_organisations(),
                           kind_labels=KIND_LABELS)


def _location_values(form: LocationForm) -> dict:
    return {"organisation_id": form.organisation.data, "kind": form.kind.data,
            "name": form.name.data, "town": form.town.data, "address": form.address.data or None,
            "postcode": form.postcode.data or None, "phone": form.phone.data or None,
            "lat": form.lat.data, "lon": form.lon.data, "is_active": form.is_active.data}


@bp.route("/locations/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_location():
    form = LocationForm(organisation=request.args.get("organisation"))
    form.organisation.choices = organisation_choices()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            record = admin_services.create_location(_location_values(form), form.id.data or None)
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            audit("create", "location", record.id, organisation_id=record.organisation_id)
            db.session.commit()
            flash(_("The location is added."), "success")
            return redirect(url_for("admin.locations"), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/location_form.html", errors, form=form, record=None)


@bp.route("/locations/<location_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def location(location_id):
    record = location_or_404(location_id)
    form = LocationForm(data={"organisation": record.organisation_id, **{
        name: getattr(record, name) for name in ("kind", "name", "town", "address", "postcode",
                                                 "phone", "lat", "lon", "is_active")}})
    form.organisation.choices = organisation_choices()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            changed = admin_services.update_location(record, _location_values(form))
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            if changed:
                audit("update", "location", record.id, organisation_id=record.organisation_id,
                      fields=changed)
            db.session.commit()
            flash(_("The location is saved."), "success")
            return redirect(url_for("admin.locations"), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/location_form.html", errors, form=form, record=record,
                       has_appointments=admin_services.location_has_appointments(record))


@bp.post("/locations/<location_id>/remove")
@roles_required(ADMIN)
def remove_location(location_id):
    record = location_or_404(location_id)
    organisation_id, name = record.organisation_id, record.name
    outcome = admin_services.remove_location(record)
    audit("delete" if outcome == "deleted" else "deactivate", "location", location_id,
          organisation_id=organisation_id)
    db.session.commit()
    if outcome == "deleted":
        flash(_("The location %(name)s is deleted.", name=name), "success")
    else:
        flash(_("The location %(name)s has appointments or working hours, so it is kept for "
                "the records and only deactivated: nobody can book it any more.", name=name),
              "warning")
    return redirect(url_for("admin.locations"), 303)


# -- services -----------------------------------------------------------------------------

@bp.get("/services")
@roles_required(ADMIN)
def services():
    records = db.session.scalars(select(Service).options(selectinload(Service.translations))
                                 .order_by(Service.sort_order, Service.id))
    return render_template("admin/services.html", services=list(records))


@bp.route("/services/<service_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def service(service_id):
    record = db.get_or_404(Service, service_id)
    texts = {t.locale: t for t in record.translations}
    initial = {f"{field}_{locale}": getattr(texts[locale], field)
               for locale in EDITABLE_LOCALES if locale in texts
               for field in ("name", "description")}
    form = ServiceForm(obj=record, data=initial)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        changed = admin_services.update_service(record, {
            name: getattr(form, name).data for name in (
                "duration_minutes", "buffer_minutes", "interpreter_extra_minutes",
                "offers_in_person", "offers_phone", "offers_video", "sort_order", "is_active")},
            {locale: {"name": getattr(form, f"name_{locale}").data,
                      "description": getattr(form, f"description_{locale}").data or ""}
             for locale in EDITABLE_LOCALES})
        if changed:
            audit("update", "service", record.id, fields=changed)
        db.session.commit()
        flash(_("The service is saved."), "success")
        return redirect(url_for("admin.services"), 303)
    if request.method == "POST":
        errors = form_errors(form)
        if "offers_in_person" in errors:  # the message is about the three channels together
            errors["channels"] = errors.pop("offers_in_person")
    other_texts = sorted((t for t in record.translations if t.locale not in EDITABLE_LOCALES),
                         key=lambda t: t.locale)
    return render_form("admin/service_form.html", errors, form=form, record=record,
                       other_texts=other_texts)


# Routes of the other administration pages, on this blueprint.
from booking.admin import monitoring, team, users  # noqa: E402, F401
