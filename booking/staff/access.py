"""Access rules of the staff area: a role decorator and look-ups scoped to the signed-in user.

Each provider organisation is its own data controller. Office staff see their organisation's
records, counsellors their own calendar, network administrators the network's settings and
figures but no client's personal data. A record outside the user's reach answers 404 (as if it
did not exist); a page the role may not use answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user, login_fresh, logout_user
from sqlalchemy import Select, select

from booking.appointments.models import Appointment
from booking.audit.services import record
from booking.counsellors.models import Counsellor
from booking.database import MAX_ID
from booking.extensions import db
from booking.network.models import Location, Organisation

ADMIN, STAFF, COUNSELLOR = "admin", "staff", "counsellor"
ALL_ROLES = (ADMIN, STAFF, COUNSELLOR)
CASEWORK = (STAFF, COUNSELLOR)  # the roles that may see clients' personal data
Record = TypeVar("Record")


def roles_required(*roles: str) -> Callable:
    """Signed in with one of ``roles``, else the sign-in page (anonymous) or 403. The roles are
    kept on the view (``staff_roles``) so a test can check every staff route's boundary."""
    unknown = set(roles) - set(ALL_ROLES)
    if not roles or unknown:
        raise ValueError(f"roles_required needs roles from {ALL_ROLES}, got {roles}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not login_fresh():
                # Not fresh: the session cookie turned up from another browser or network
                # (Flask-Login's session protection); sign in again.
                logout_user()
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.staff_roles = frozenset(roles)
        return wrapped

    return decorator


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.role == ADMIN


def own_organisation_id() -> str | None:
    """The organisation the user works for; None for network administrators."""
    return None if is_admin() else current_user.organisation_id


def in_scope(statement: Select, organisation_column) -> Select:
    """Restrict a query to the user's organisation (administrators: the whole network)."""
    organisation_id = own_organisation_id()
    return statement if organisation_id is None else statement.where(
        organisation_column == organisation_id)


def can_see_appointment(appointment: Appointment) -> bool:
    if current_user.role == STAFF:
        return appointment.organisation_id == current_user.organisation_id
    if current_user.role == COUNSELLOR:
        return (current_user.counsellor_id is not None
                and appointment.counsellor_id == current_user.counsellor_id)
    return False  # administrators never see client data


def appointment_or_404(reference: str) -> Appointment:
    appointment = db.session.scalar(
        select(Appointment).where(Appointment.reference == reference.strip().upper()))
    if appointment is None or not can_see_appointment(appointment):
        abort(404)
    return appointment


def visible_counsellors(*, active_only: bool = True) -> list[Counsellor]:
    """Counsellors whose calendar the user may open: own organisation, or only oneself."""
    statement = select(Counsellor).order_by(Counsellor.display_name)
    if active_only:
        statement = statement.where(Counsellor.is_active)
    if current_user.role == COUNSELLOR:
        statement = statement.where(Counsellor.id == current_user.counsellor_id)
    else:
        statement = in_scope(statement, Counsellor.organisation_id)
    return list(db.session.scalars(statement))


def counsellor_or_404(counsellor_id: int | str | None) -> Counsellor:
    """The counsellor if the user may manage their calendar; a counsellor may only pass their
    own id (or nothing)."""
    if current_user.role == COUNSELLOR and counsellor_id in (None, ""):
        counsellor_id = current_user.counsellor_id
    try:
        number = int(counsellor_id)
    except (TypeError, ValueError):
        abort(404)
    counsellor = db.session.get(Counsellor, number) if 0 < number <= MAX_ID else None
    if counsellor is None:
        abort(404)
    if current_user.role == COUNSELLOR and counsellor.id != current_user.counsellor_id:
        abort(404)
    if own_organisation_id() not in (None, counsellor.organisation_id):
        abort(404)
    return counsellor


def calendar_record_or_404(model: type[Record], record_id: int) -> tuple[Record, Counsellor]:
    """A record of one counsellor's calendar (weekly hours, an absence, a connected calendar
    …) and that counsellor, if the user may manage their calendar; else 404."""
    record = db.get_or_404(model, record_id)
    return record, counsellor_or_404(record.counsellor_id)


def counsellor_from_query(*, required: bool = False
                          ) -> tuple[Counsellor | None, list[Counsellor]]:
    """The counsellor named by ``?counsellor=`` (404 out of reach) and the team to choose from.
    Counsellors get themselves; staff without a choice get their organisation's first (None for
    a team without counsellors, or 404 when the action needs one: ``required``)."""
    choice = request.args.get("counsellor")
    if current_user.role == COUNSELLOR:
        return counsellor_or_404(choice), []
    team = visible_counsellors()
    if choice:
        return counsellor_or_404(choice), team
    if required and not team:
        abort(404)
    return (team[0] if team else None), team


def organisation_or_404(organisation_id: str | None) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id or "")
    if organisation is None or own_organisation_id() not in (None, organisation.id):
        abort(404)
    return organisation


def visible_locations(*, active_only: bool = True) -> list[Location]:
    statement = select(Location).order_by(Location.kind.desc(), Location.town, Location.name)
    if active_only:
        statement = statement.where(Location.is_active)
    return list(db.session.scalars(in_scope(statement, Location.organisation_id)))


def location_or_404(location_id: str | None) -> Location:
    location = db.session.get(Location, location_id or "")
    if location is None or own_organisation_id() not in (None, location.organisation_id):
        abort(404)
    return location


def audit(action: str, object_type: str, object_id: object, *,
          organisation_id: str | None = None, **details) -> None:
    """Audit what the signed-in user did with client data (ids only, never the data)."""
    record(action, object_type, object_id, actor=current_user.email, user_id=current_user.id,
           organisation_id=organisation_id or current_user.organisation_id, details=details)
