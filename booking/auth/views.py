"""Staff sign-in, sign-out and password change (which signs the user out everywhere else)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from booking.appointments.limits import login_limits
from booking.audit.services import record
from booking.auth import services
from booking.auth.forms import LoginForm, PasswordForm
from booking.core.views import safe_next
from booking.extensions import db
from booking.staff.access import ALL_ROLES, audit, roles_required
from booking.staff.forms import first_errors

bp = Blueprint("auth", __name__, url_prefix="/staff")


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("staff.home"))
    form = LoginForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session for the new user (no state carried over)
            login_user(user)
            session.permanent = True
            record("login", "user", user.id, actor=user.email, user_id=user.id,
                   organisation_id=user.organisation_id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("staff.home")), 303)
        # One message for an unknown e-mail and a wrong password: no account enumeration.
        errors["form"] = _("The e-mail address or the password is not right.")
    elif request.method == "POST":
        errors = first_errors(form)
    status = 200 if not errors else 422
    return render_template("auth/login.html", form=form, errors=errors), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def password():
    form = PasswordForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if not services.verify_password(current_user, form.current.data):
            errors["current"] = _("The current password is not right.")
        else:
            services.set_password(current_user, form.new.data)
            audit("password_change", "user", current_user.id)
            db.session.commit()
            # Every other session carries the old version and ends; this one continues.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("staff.home"), 303)
    elif request.method == "POST":
        errors = first_errors(form)
    status = 200 if not errors else 422
    return render_template("auth/password.html", form=form, errors=errors), status
