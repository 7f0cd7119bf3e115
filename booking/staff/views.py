"""The staff home: each role lands on the page it uses most; the navigation follows the role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from booking.staff.access import ADMIN, ALL_ROLES, CASEWORK, COUNSELLOR, STAFF, roles_required
from booking.staff.labels import labels

bp = Blueprint("staff", __name__, url_prefix="/staff")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...]


NAVIGATION = (
    NavItem("agenda.agenda", _l("Agenda"), CASEWORK),
    NavItem("hours.hours", _l("Working hours"), CASEWORK),
    NavItem("hours.absences", _l("Absences"), CASEWORK),
    NavItem("feeds.settings", _l("Calendar feeds"), (STAFF, COUNSELLOR)),
    NavItem("calsync.settings", _l("Calendar sync"), CASEWORK),
    NavItem("desk.index", _l("Office desk"), (STAFF,)),
    NavItem("reports.statistics", _l("Statistics"), (STAFF, ADMIN)),
    NavItem("tours.index", _l("Tours"), (STAFF, ADMIN, COUNSELLOR)),
    NavItem("demand_staff.overview", _l("Demand"), (STAFF, ADMIN)),
    NavItem("waitlist_staff.index", _l("Waiting list"), (STAFF, ADMIN)),
    NavItem("admin.counsellors", _l("Team"), (STAFF, ADMIN)),
    NavItem("admin.messages", _l("Messages"), (STAFF, ADMIN)),
    NavItem("admin.index", _l("Administration"), (ADMIN,)),
    NavItem("admin.audit", _l("Audit log"), (ADMIN,)),
)
LANDING = {COUNSELLOR: "agenda.agenda", STAFF: "desk.index", ADMIN: "reports.statistics"}


@bp.get("/")
@roles_required(*ALL_ROLES)
def home():
    return redirect(url_for(LANDING[current_user.role]))


def navigation() -> list[dict]:
    """The links the signed-in user may follow, the current section marked."""
    if not current_user.is_authenticated:
        return []
    blueprint = request.blueprint
    items = []
    for item in NAVIGATION:
        if current_user.role not in item.roles or item.endpoint not in current_app.view_functions:
            continue
        section = item.endpoint.split(".")[0]
        items.append({"url": url_for(item.endpoint), "label": item.label,
                      "current": request.endpoint == item.endpoint
                      or (section == blueprint and section not in ("hours", "admin"))})
    return items


def init_app(app: Flask) -> None:
    app.add_template_global(navigation, "staff_navigation")
    app.context_processor(labels)

    @app.after_request
    def private_pages(response):
        # Staff pages carry personal data: never stored by browsers or proxies, never indexed.
        if request.path.startswith("/staff"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
