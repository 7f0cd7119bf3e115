"""Every staff route: sign-in required, role boundaries, and tenant isolation (another
organisation's records, and for counsellors another counsellor's, answer 404).

The routes are read from the URL map, so a new staff page is covered without editing this file;
a route parameter this file does not know fails the test until it is added to ``foreign``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from booking.auth.models import User
from booking.availability.models import Absence, WeeklyHours
from booking.calendarsync.models import CalDavTarget, ExternalCalendar
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.feeds.models import CalendarFeed
from booking.network.models import Location, Town
from booking.outbox.services import enqueue
from booking.staff.access import ALL_ROLES
from tests.conftest import (
    ADMIN,
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    STAFF_MIGRA,
    STAFF_VSP,
)
from tests.factories import create_appointment, create_tour

PUBLIC_STAFF_ENDPOINTS = {"auth.login", "auth.logout"}
ROLE_ACCOUNTS = {"admin": ADMIN, "staff": STAFF_VSP, "counsellor": COUNSELLOR_VSP}
# Parameters that name no organisation's record (a chart's name, an export format …).
# Services are network-wide settings (administrators only).
NEUTRAL_VALUES = {"chart": "by_month", "fmt": "csv", "service_id": "follow-up"}


def staff_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/staff") and rule.endpoint not in
                   PUBLIC_STAFF_ENDPOINTS), key=lambda r: r.rule)


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


def _counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def _records_of(counsellor: Counsellor, location_id: str, service_id: str, hour: int) -> dict:
    """One record of every kind that belongs to ``counsellor`` (and their organisation)."""
    appointment = create_appointment(
        counsellor, db.session.get_one(Location, location_id),
        db.session.get_one(Service, service_id), start_at=datetime(2027, 2, 3, hour, tzinfo=UTC),
        client_name="Test Client", client_email="client@example.org")
    absence = Absence(counsellor_id=counsellor.id, start_at=datetime(2027, 3, 1, tzinfo=UTC),
                      end_at=datetime(2027, 3, 2, tzinfo=UTC))
    db.session.add(absence)
    message = enqueue("appointment.booked", payload={"recipient": "client"},
                      organisation_id=counsellor.organisation_id, appointment_id=appointment.id)
    db.session.flush()
    hours = db.session.scalar(select(WeeklyHours).where(
        WeeklyHours.counsellor_id == counsellor.id))
    user = db.session.scalar(select(User).where(User.counsellor_id == counsellor.id))
    return {"reference": appointment.reference, "counsellor_id": counsellor.id,
            "hours_id": hours.id, "absence_id": absence.id,
            "organisation_id": counsellor.organisation_id, "location_id": location_id,
            "user_id": user.id, "message_id": message.id, **_sync_records(counsellor),
            "town_id": _town_of(counsellor.organisation_id), "tour_id": _tour_of(counsellor)}


def _tour_of(counsellor: Counsellor) -> int:
    """A draft tour of the counsellor to a venue of their organisation (``tour_id``)."""
    venue = db.session.scalar(select(Location.id).where(
        Location.organisation_id == counsellor.organisation_id, Location.kind == "mobile")
        .order_by(Location.id).limit(1))
    return create_tour(counsellor, date(2027, 3, 2), [(venue, time(10), time(12))],
                       status="draft", start_office=counsellor.home_location_id).id


def _town_of(organisation_id: str) -> str:
    """A town the organisation serves (the demand pages' ``town_id``)."""
    return db.session.scalar(select(Town.id).where(Town.organisation_id == organisation_id)
                             .order_by(Town.id).limit(1))


def _sync_records(counsellor: Counsellor) -> dict:
    """A subscription feed, a busy-time source and a CalDAV target of the counsellor."""
    feed = CalendarFeed(kind="counsellor", organisation_id=counsellor.organisation_id,
                        counsellor_id=counsellor.id, nonce=f"n{counsellor.id}",
                        token_hash=f"h{counsellor.id}")
    source = ExternalCalendar(counsellor_id=counsellor.id, kind="ics",
                              url="http://127.0.0.1:9/busy.ics")
    target = CalDavTarget(counsellor_id=counsellor.id, url="http://127.0.0.1:9/cal/")
    db.session.add_all([feed, source, target])
    db.session.flush()
    return {"feed_id": feed.id, "calendar_id": source.id, "target_id": target.id}


@pytest.fixture
def foreign(demo):
    """Records of migra (another organisation) and of another vsp counsellor."""
    other_org = _records_of(_counsellor(COUNSELLOR_MIGRA), "rostock", "first-consultation", 9)
    colleague = _records_of(_counsellor(COUNSELLOR_VSP_OTHER), "schwerin", "follow-up", 10)
    db.session.commit()
    return {"other_org": other_org, "colleague": colleague}


def _url(app, rule, values: dict) -> str:
    missing = [arg for arg in rule.arguments if arg not in values and arg not in NEUTRAL_VALUES]
    assert not missing, (f"{rule.rule}: unknown parameter(s) {missing}; name the record kind "
                         "in tests/features/test_staff_access.py")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values.get(arg, NEUTRAL_VALUES.get(arg))
                                         for arg in rule.arguments})


def test_every_staff_route_declares_its_roles(app):
    rules = staff_rules(app)
    assert len(rules) > 1
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "staff_roles", None), f"{rule.rule} has no roles_required"


def test_anonymous_users_are_sent_to_sign_in(app, client, foreign):
    for rule in staff_rules(app):
        url = _url(app, rule, foreign["other_org"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/staff/login?next="), url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_roles_outside_a_route_get_403(app, sign_in, foreign, role):
    client = sign_in(ROLE_ACCOUNTS[role])
    checked = 0
    for rule in staff_rules(app):
        if role in app.view_functions[rule.endpoint].staff_roles:
            continue
        url = _url(app, rule, foreign["colleague"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 403, (role, method, url, response.status_code)
            checked += 1
    assert checked or role == "staff"


@pytest.mark.parametrize(("account", "whose"), [
    (STAFF_VSP, "other_org"), (COUNSELLOR_VSP, "other_org"), (COUNSELLOR_VSP, "colleague"),
])
def test_records_of_others_answer_404(app, sign_in, foreign, account, whose):
    """Office staff cannot reach another organisation's records; a counsellor reaches only
    their own calendar. Checked for GET and POST on every route with a record in its path."""
    client = sign_in(account)
    role = "staff" if account == STAFF_VSP else "counsellor"
    checked = 0
    for rule in staff_rules(app):
        if not rule.arguments or role not in app.view_functions[rule.endpoint].staff_roles:
            continue
        if set(rule.arguments) <= set(NEUTRAL_VALUES):
            continue
        if whose == "colleague" and set(rule.arguments) <= {"organisation_id", "location_id"}:
            continue  # the counsellor's own organisation and offices are not someone else's
        url = _url(app, rule, foreign[whose])
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (account, method, url, response.status_code)
            checked += 1
    assert checked or not any(r.arguments for r in staff_rules(app))


def test_staff_of_one_organisation_see_their_own_records(app, sign_in, foreign):
    """The 404s above are about ownership: migra's staff open the same detail pages."""
    client = sign_in(STAFF_MIGRA)
    for rule in staff_rules(app):
        if rule.endpoint.endswith(("_ics", "_csv")) or "GET" not in rule.methods:
            continue
        if "staff" not in app.view_functions[rule.endpoint].staff_roles or not rule.arguments:
            continue
        url = _url(app, rule, foreign["other_org"])
        response = client.get(url)
        assert response.status_code in (200, 302, 303), (url, response.status_code)


def test_staff_pages_are_not_cached(sign_in):
    response = sign_in(STAFF_VSP).get("/staff/", follow_redirects=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]



@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_staff_form_refuses_a_post_without_csrf_token(app, sign_in, foreign, role):
    """CSRF on every form: a POST from a foreign page (no token) changes nothing, on every
    route the role may use."""
    client = sign_in(ROLE_ACCOUNTS[role])
    app.config["WTF_CSRF_ENABLED"] = True
    own = _records_of_signed_in(role)
    for rule in staff_rules(app):
        if "POST" not in rule.methods or role not in app.view_functions[rule.endpoint].staff_roles:
            continue
        url = _url(app, rule, own)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, (role, url, response.status_code)


def _records_of_signed_in(role: str) -> dict:
    """Values for the route parameters that belong to the signed-in account's side (Katrin
    Beispiel and her organisation vsp)."""
    counsellor = _counsellor(COUNSELLOR_VSP)
    appointment = create_appointment(counsellor, db.session.get_one(Location, "schwerin"),
                                     db.session.get_one(Service, "first-consultation"),
                                     start_at=datetime(2027, 2, 4, 9, tzinfo=UTC))
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == ROLE_ACCOUNTS[role]))
    hours = db.session.scalar(select(WeeklyHours).where(
        WeeklyHours.counsellor_id == counsellor.id))
    sync = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.counsellor_id == counsellor.id))
    records = {"feed_id": sync.id} if sync else _sync_records(counsellor)
    if sync:
        records["calendar_id"] = db.session.scalar(select(ExternalCalendar.id).where(
            ExternalCalendar.counsellor_id == counsellor.id))
        records["target_id"] = db.session.scalar(select(CalDavTarget.id).where(
            CalDavTarget.counsellor_id == counsellor.id))
    records["tour_id"] = _tour_of(counsellor)
    db.session.commit()
    return {"reference": appointment.reference, "counsellor_id": counsellor.id,
            "hours_id": hours.id, "absence_id": 1, "organisation_id": "vsp",
            "location_id": "schwerin", "user_id": user.id, "message_id": 1, **records,
            "town_id": _town_of("vsp")}


JUNK = {"day": "2027-02-31", "counsellor": "abc", "organisation": "../etc", "view": "year",
        "from": "2027-13", "to": "x", "month": "02-2027", "start": "yesterday", "step": "9",
        "service": "nope", "location": "nowhere", "language": "xx-evil", "channel": "fax",
        "q": "%_'\"<script>", "page": "-1", "action": "drop", "status": "lost", "count": "999",
        "every": "0", "time": "25:61", "first_day": "never", "reason": "x" * 500}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_staff_route_fails_on_junk_input(app, sign_in, role):
    """Every staff page the role may use answers junk query strings and forms with a page or
    a 4xx, never a server error."""
    client = sign_in(ROLE_ACCOUNTS[role])
    own = _records_of_signed_in(role)
    for rule in staff_rules(app):
        if role not in app.view_functions[rule.endpoint].staff_roles:
            continue
        url = _url(app, rule, own)
        for method in _methods(rule):
            if rule.endpoint in ("auth.password",) and method == "POST":
                continue  # a junk form is just a wrong current password (tested elsewhere)
            response = client.open(url, method=method, query_string=JUNK, data=JUNK)
            assert response.status_code < 500, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", ["staff", "counsellor"])
def test_ids_beyond_any_record_answer_404(app, sign_in, foreign, role):
    """A number too large for an INTEGER column is not found, on every route with a record id
    in its path (PostgreSQL would refuse the query itself)."""
    client = sign_in(ROLE_ACCOUNTS[role])
    checked = 0
    for rule in staff_rules(app):
        numeric = [arg for arg in rule.arguments if arg.endswith("_id")
                   and isinstance(rule._converters[arg], IntegerConverter)]
        if not numeric or role not in app.view_functions[rule.endpoint].staff_roles:
            continue
        url = _url(app, rule, {**foreign["other_org"], **dict.fromkeys(numeric, 99999999999)})
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (role, method, url, response.status_code)
            checked += 1
    assert checked
