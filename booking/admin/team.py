"""The team (office staff and administrators): counsellors, their home office and languages.
Office staff manage their own organisation's counsellors; administrators every organisation's."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from booking.admin import services as admin_services
from booking.admin.forms import CounsellorForm
from booking.admin.views import (
    all_organisations,
    bp,
    form_errors,
    organisation_filter,
    render_form,
)
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.staff.access import (
    ADMIN,
    STAFF,
    audit,
    counsellor_or_404,
    is_admin,
    own_organisation_id,
    roles_required,
)


def _organisations_in_reach():
    own = own_organisation_id()
    return [org for org in all_organisations() if own is None or org.id == own]


def _fill_choices(form: CounsellorForm) -> None:
    """Organisations and offices the user may assign; the service checks that the office
    belongs to the chosen organisation."""
    organisations = _organisations_in_reach()
    form.organisation.choices = [(org.id, org.name) for org in organisations]
    names = {org.id: org.short_name for org in organisations}
    offices = admin_services.office_choices(own_organisation_id())
    form.home_location.choices = [("", _("None"))] + [
        (office.id, office.name if not is_admin()
         else f"{office.name} ({names.get(office.organisation_id, office.organisation_id)})")
        for office in offices]


def _save(counsellor: Counsellor | None, form: CounsellorForm, organisation_id: str):
    return admin_services.save_counsellor(
        counsellor, organisation_id=organisation_id, display_name=form.display_name.data,
        email=form.email.data, home_location_id=form.home_location.data or None,
        languages=form.languages.data, is_active=form.is_active.data)


@bp.get("/counsellors")
@roles_required(STAFF, ADMIN)
def counsellors():
    # Office staff: only their organisation; asking for another one answers 404.
    organisation_id = organisation_filter(request.args.get("organisation")) \
        or own_organisation_id()
    team = admin_services.counsellors_list(organisation_id)
    return render_template(
        "admin/counsellors.html", counsellors=team, organisation_id=organisation_id,
        organisations=all_organisations() if is_admin() else [],
        accounts=admin_services.linked_accounts([c.id for c in team]),
        office_names={office.id: office.name for office in admin_services.office_choices()})


@bp.route("/counsellors/new", methods=["GET", "POST"])
@roles_required(STAFF, ADMIN)
def new_counsellor():
    form = CounsellorForm(organisation=organisation_filter(request.args.get("organisation"))
                          or own_organisation_id())
    _fill_choices(form)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        organisation_id = own_organisation_id() or form.organisation.data
        try:
            record, _changed = _save(None, form, organisation_id)
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            audit("create", "counsellor", record.id, organisation_id=organisation_id)
            db.session.commit()
            flash(_("%(name)s is added to the team. Add their working hours next.",
                    name=record.display_name), "success")
            return redirect(url_for("admin.counsellor", counsellor_id=record.id), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/counsellor_form.html", errors, form=form, record=None)


@bp.route("/counsellors/<int:counsellor_id>", methods=["GET", "POST"])
@roles_required(STAFF, ADMIN)
def counsellor(counsellor_id):
    record = counsellor_or_404(counsellor_id)
    form = CounsellorForm(data={
        "display_name": record.display_name, "email": record.email,
        "organisation": record.organisation_id, "home_location": record.home_location_id or "",
        "languages": ", ".join(record.language_codes), "is_active": record.is_active})
    _fill_choices(form)
    # A counsellor stays with their organisation (their appointments and hours are its records).
    form.organisation.choices = [(record.organisation_id, record.organisation_id)]
    form.organisation.data = record.organisation_id
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            _record, changed = _save(record, form, record.organisation_id)
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            if changed:
                audit("update", "counsellor", record.id, organisation_id=record.organisation_id,
                      fields=changed)
            db.session.commit()
            flash(_("The counsellor is saved."), "success")
            return redirect(url_for("admin.counsellors"), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/counsellor_form.html", errors, form=form, record=record)
