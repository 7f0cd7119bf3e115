"""Staff accounts (administrators): list, create, edit, disable, and reset passwords."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.admin import services as admin_services
from booking.admin.forms import ROLE_LABELS, PasswordResetForm, UserCreateForm, UserEditForm
from booking.admin.views import (
    all_organisations,
    bp,
    form_errors,
    organisation_choices,
    organisation_filter,
    render_form,
)
from booking.auth.models import User
from booking.extensions import db
from booking.staff.access import ADMIN, audit, roles_required


def _fill_choices(form) -> None:
    form.organisation.choices = organisation_choices(_("None (network administrator)"))
    form.counsellor.choices = [("", _("None"))] + [
        (str(c.id), f"{c.display_name} ({c.organisation_id})")
        for c in admin_services.counsellors_for_linking()]


def _account_values(form) -> dict:
    return {"display_name": form.display_name.data, "role": form.role.data,
            "organisation_id": form.organisation.data or None,
            "counsellor_id": int(form.counsellor.data) if form.counsellor.data else None}


@bp.get("/users")
@roles_required(ADMIN)
def users():
    organisation_id = organisation_filter(request.args.get("organisation"))
    role = request.args.get("role") if request.args.get("role") in ROLE_LABELS else None
    accounts = admin_services.users_list(organisation_id, role)
    return render_template("admin/users.html", users=accounts, organisations=all_organisations(),
                           organisation_id=organisation_id, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_user():
    form = UserCreateForm()
    _fill_choices(form)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            user = admin_services.create_staff_user(
                email=form.email.data, password=form.password.data, **_account_values(form))
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            audit("create", "user", user.id, organisation_id=user.organisation_id,
                  role=user.role, counsellor=user.counsellor_id)
            db.session.commit()
            flash(_("The account is created. Tell the person their initial password on a "
                    "separate channel."), "success")
            return redirect(url_for("admin.users"), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return render_form("admin/user_form.html", errors, form=form, record=None)


def _edit_form(record: User, **kwargs) -> UserEditForm:
    form = UserEditForm(data={
        "display_name": record.display_name, "role": record.role,
        "organisation": record.organisation_id or "",
        "counsellor": str(record.counsellor_id or ""), "is_enabled": record.is_enabled},
        **kwargs)
    _fill_choices(form)
    return form


def _edit_page(record: User, form: UserEditForm, errors: dict, password_form=None):
    """The account form and, below it, the password reset (their field names differ, so one
    error list serves both)."""
    return render_form("admin/user_form.html", errors, form=form, record=record,
                       password_form=password_form or PasswordResetForm(formdata=None))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def user(user_id):
    record = db.get_or_404(User, user_id)
    form = _edit_form(record)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            changed = admin_services.update_staff_user(
                record, current_user, is_enabled=form.is_enabled.data, **_account_values(form))
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            if changed:
                audit("update", "user", record.id, organisation_id=record.organisation_id,
                      fields=changed)
            db.session.commit()
            flash(_("The account is saved."), "success")
            return redirect(url_for("admin.users"), 303)
    elif request.method == "POST":
        errors = form_errors(form)
    return _edit_page(record, form, errors)


@bp.post("/users/<int:user_id>/password")
@roles_required(ADMIN)
def user_password(user_id):
    record = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            admin_services.reset_password(record, current_user, form.new.data)
        except admin_services.AdminError as error:
            errors = {error.field: error.message}
        else:
            # Never the password itself: only that it was reset, and by whom.
            audit("password_reset", "user", record.id, organisation_id=record.organisation_id)
            db.session.commit()
            flash(_("The password is changed; the person is signed out everywhere."),
                  "success")
            return redirect(url_for("admin.user", user_id=record.id), 303)
    else:
        errors = form_errors(form)
    return _edit_page(record, _edit_form(record, formdata=None), errors, form)
