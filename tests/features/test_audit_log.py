"""The audit log page: changes show up, filters, newest first in pages of 50, Berlin times, the
CSV export (itself audited), and never a client's personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.audit.services import record
from booking.auth.models import User
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.staff.access import audit
from tests.conftest import ADMIN, COUNSELLOR_VSP, STAFF_MIGRA, STAFF_VSP
from tests.factories import create_appointment

AUDIT = "/staff/admin/audit"


@pytest.fixture
def admin(sign_in):
    client = sign_in(ADMIN)
    client.set_cookie("lang", "en")
    return client


def page(response) -> str:
    return response.get_data(as_text=True)


def rows(body: str) -> int:
    """Entries shown: one table row per entry in the body of the audit table."""
    tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return tbody.count("<tr>") - ("No entries match" in tbody)


def entry(action: str, organisation_id: str | None, at: datetime, actor: str = STAFF_VSP,
          object_id: object = 1) -> AuditEntry:
    item = record(action, "appointment", object_id, actor=actor, organisation_id=organisation_id)
    item.occurred_at = at
    return item


def test_changes_are_audited_and_shown(admin, sign_in):
    staff = sign_in(STAFF_VSP)
    katrin = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))
    response = staff.post(f"/staff/admin/counsellors/{katrin.id}", data={
        "display_name": "Katrin Beispiel", "email": COUNSELLOR_VSP, "home_location": "schwerin",
        "languages": "de, en", "is_active": "y"})
    assert response.status_code == 303
    body = page(admin.get(AUDIT))
    assert "<code>update</code>" in body and "<code>counsellor</code>" in body
    assert f"<bdi>{katrin.id}</bdi>" in body and "fields: languages" in body
    assert f"<bdi>{STAFF_VSP}</bdi>" in body


def test_the_log_never_shows_client_data(admin, demo, sign_in):
    katrin = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))
    appointment = create_appointment(
        katrin, db.session.get(Location, "schwerin"), db.session.get(Service, "follow-up"),
        start_at=datetime(2027, 2, 3, 9, tzinfo=UTC), client_name="Zora Geheimname",
        client_email="zora.geheim@example.org", client_phone="+49 170 5550123")
    db.session.commit()
    staff = db.session.scalar(select(User).where(User.email == STAFF_VSP))
    # Office staff view the appointment: the audit service records it, by id.
    with demo.test_request_context():
        login_user(staff)
        audit("view", "appointment", appointment.reference, appointment=appointment.id)
    db.session.commit()

    body = page(admin.get(AUDIT))
    assert appointment.reference in body and "<code>view</code>" in body
    for secret in ("Zora", "Geheimname", "zora.geheim", "5550123"):
        assert secret not in body
    export = page(admin.get(f"{AUDIT}/export.csv"))
    assert appointment.reference in export and "Zora" not in export


def test_filters_by_organisation_action_user_and_period(admin, demo):
    monday = datetime(2027, 2, 1, 6, tzinfo=UTC)
    entry("view", "vsp", monday, object_id="VSP-VIEW")
    entry("export", "vsp", monday - timedelta(days=3), object_id="VSP-EXPORT")
    entry("view", "migra", monday - timedelta(days=1), actor=STAFF_MIGRA, object_id="MIGRA-VIEW")
    # 23:30 in Berlin on Sunday 31 January is 22:30 UTC: it belongs to the 31st.
    entry("cancel", "migra", datetime(2027, 1, 31, 22, 30, tzinfo=UTC), actor=STAFF_MIGRA,
          object_id="MIGRA-LATE")
    db.session.commit()

    def shown(query: str) -> set[str]:
        body = page(admin.get(f"{AUDIT}?{query}"))
        return {oid for oid in ("VSP-VIEW", "VSP-EXPORT", "MIGRA-VIEW", "MIGRA-LATE")
                if f"<bdi>{oid}</bdi>" in body}

    assert shown("") == {"VSP-VIEW", "VSP-EXPORT", "MIGRA-VIEW", "MIGRA-LATE"}
    assert shown("organisation=vsp") == {"VSP-VIEW", "VSP-EXPORT"}
    assert shown("action=view") == {"VSP-VIEW", "MIGRA-VIEW"}
    assert shown("organisation=migra&action=view") == {"MIGRA-VIEW"}
    assert shown("actor=BUERO@MIGRA") == {"MIGRA-VIEW", "MIGRA-LATE"}
    assert shown("start=2027-01-31&end=2027-01-31") == {"MIGRA-VIEW", "MIGRA-LATE"}
    assert shown("start=2027-02-01") == {"VSP-VIEW"}
    assert shown("end=2027-01-29") == {"VSP-EXPORT"}


def test_bad_filter_values_are_reported(admin, demo):
    response = admin.get(f"{AUDIT}?start=yesterday&action=launch")
    assert response.status_code == 422
    body = page(response)
    assert "Please enter a date like 2027-02-01." in body
    assert "Not a valid choice" in body
    assert admin.get(f"{AUDIT}?page=abc").status_code == 200
    assert admin.get(f"{AUDIT}/export.csv?start=nope").status_code == 400


def test_newest_first_in_pages_of_fifty_with_berlin_times(admin, demo):
    start = datetime(2027, 1, 1, 12, tzinfo=UTC)
    for n in range(120):
        entry("view", "vsp", start + timedelta(minutes=n), object_id=f"E{n:03d}")
    db.session.commit()

    first = page(admin.get(f"{AUDIT}?organisation=vsp"))
    assert rows(first) == 50
    assert first.index("<bdi>E119</bdi>") < first.index("<bdi>E118</bdi>")
    assert "<bdi>E070</bdi>" in first and "<bdi>E069</bdi>" not in first
    # 13:59 UTC is 14:59 in Berlin in winter.
    assert re.search(r"Jan 1, 2027</span> <span class=\"nowrap\">2:59:00\s*PM", first)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "organisation=vsp" in first.split('rel="next"')[0].rsplit("href=", 1)[1]

    last = page(admin.get(f"{AUDIT}?organisation=vsp&page=3"))
    assert rows(last) == 20 and "<bdi>E000</bdi>" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_csv_export_follows_the_filter_and_is_audited(admin, demo):
    monday = datetime(2027, 2, 1, 6, tzinfo=UTC)
    entry("view", "vsp", monday, object_id="VSP-VIEW")
    entry("view", "migra", monday, actor=STAFF_MIGRA, object_id="MIGRA-VIEW")
    entry("=HYPERLINK(1)", "vsp", monday - timedelta(hours=1), object_id="FORMULA")
    db.session.commit()

    response = admin.get(f"{AUDIT}/export.csv?organisation=vsp")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(page(response).lstrip("\ufeff"))))
    assert table[0][:5] == ["occurred_at", "actor", "user_id", "organisation", "action"]
    assert [row[6] for row in table[1:]] == ["VSP-VIEW", "FORMULA"]
    assert table[1][0] == "2027-02-01T07:00:00+01:00"
    assert table[2][4] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet

    db.session.expire_all()
    export = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert export.object_type == "audit_log" and export.actor == ADMIN
    assert export.details == {"rows": 2, "filter_organisation": "vsp"}
    assert "<code>export</code>" in page(admin.get(AUDIT))
