"""Administration: organisations, locations, services, users, the team and failed messages;
role boundaries, tenant scoping, validation (422 with messages) and audit entries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.auth.models import User
from booking.auth.services import verify_password
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor
from booking.demo.accounts import DEMO_PASSWORD
from booking.extensions import db
from booking.network.models import Location, Organisation
from booking.outbox.models import OutboxMessage
from booking.outbox.services import enqueue
from tests.conftest import (
    ADMIN,
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    NOW,
    STAFF_MIGRA,
    STAFF_VSP,
)
from tests.factories import create_appointment, create_counsellor

NEW_PASSWORD = "a-brand-new-secret"  # noqa: S105


@pytest.fixture
def sign_in(sign_in):
    """Signed-in clients that read the pages in English (the messages checked below)."""
    def _sign_in(*args, **kwargs):
        client = sign_in(*args, **kwargs)
        client.set_cookie("lang", "en")
        return client
    return _sign_in


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def user_by_email(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def counsellor_by_email(email: str) -> Counsellor:
    db.session.expire_all()
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def audit_entries(action: str, object_type: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == object_type)))


def page(response) -> str:
    return response.get_data(as_text=True)


def signed_in(client) -> bool:
    response = client.get("/staff/admin/counsellors")
    return response.status_code in (200, 403)


# -- role boundaries ----------------------------------------------------------------------

ADMIN_ONLY = ["/staff/admin", "/staff/admin/organisations", "/staff/admin/organisations/vsp",
              "/staff/admin/locations", "/staff/admin/locations/new",
              "/staff/admin/locations/schwerin", "/staff/admin/services",
              "/staff/admin/services/follow-up", "/staff/admin/users", "/staff/admin/users/new",
              "/staff/admin/audit", "/staff/admin/audit/export.csv"]


def test_office_staff_use_team_and_messages_but_not_network_settings(sign_in):
    staff = sign_in(STAFF_VSP)
    for url in ADMIN_ONLY:
        assert staff.get(url).status_code == 403, url
    assert staff.post("/staff/admin/organisations/vsp", data={"name": "x"}).status_code == 403
    assert staff.get("/staff/admin/counsellors").status_code == 200
    assert staff.get("/staff/admin/messages").status_code == 200


def test_counsellors_use_none_of_the_administration(sign_in):
    counsellor = sign_in(COUNSELLOR_VSP)
    for url in [*ADMIN_ONLY, "/staff/admin/counsellors", "/staff/admin/messages"]:
        assert counsellor.get(url).status_code == 403, url


def test_overview_counts_and_links(sign_in):
    body = page(sign_in(ADMIN).get("/staff/admin"))
    for link in ("/staff/admin/organisations", "/staff/admin/locations", "/staff/admin/services",
                 "/staff/admin/users", "/staff/admin/counsellors", "/staff/admin/audit"):
        assert f'href="{link}"' in body
    assert "3 provider organisations" in body


# -- organisations ------------------------------------------------------------------------

ORGANISATION = {"name": "VSP – Verbund für Soziale Projekte gGmbH", "short_name": "VSP",
                "region": "Westmecklenburg", "email": "info@vsp.example.org",
                "phone": "+49 385 555 0100", "website": "https://www.vsp.example.org",
                "retention_days": "365"}


def test_admin_edits_an_organisation(sign_in):
    admin = sign_in(ADMIN)
    assert "Westmecklenburg" in page(admin.get("/staff/admin/organisations/vsp"))
    response = admin.post("/staff/admin/organisations/vsp", data=ORGANISATION)
    assert response.status_code == 303
    org = fresh(Organisation, "vsp")
    assert (org.retention_days, org.phone, org.website) == (
        365, "+49 385 555 0100", "https://www.vsp.example.org")
    [entry] = audit_entries("update", "organisation")
    assert entry.object_id == "vsp" and entry.organisation_id == "vsp"
    assert {"retention_days", "phone", "website"} <= set(entry.details["fields"])
    assert "+49" not in str(entry.details)  # names of fields, not their values


@pytest.mark.parametrize(("field", "value", "message"), [
    ("retention_days", "10", "from 30 to 3650"),
    ("retention_days", "3651", "from 30 to 3650"),
    ("retention_days", "many", "whole number"),
    ("email", "not-an-address", "e-mail address like"),
    ("website", "vsp", "address like https://"),
    ("name", "", "Please enter the name."),
])
def test_organisation_form_refuses_bad_values(sign_in, field, value, message):
    response = sign_in(ADMIN).post("/staff/admin/organisations/vsp",
                                   data={**ORGANISATION, field: value})
    assert response.status_code == 422
    assert message in page(response)
    assert fresh(Organisation, "vsp").retention_days == 180


def test_unknown_organisation_is_404(sign_in):
    assert sign_in(ADMIN).get("/staff/admin/organisations/nope").status_code == 404


# -- locations ----------------------------------------------------------------------------

VENUE = {"organisation": "vsp", "kind": "mobile", "name": "Jobcenter Teststadt",
         "town": "Teststadt Süd", "address": "Am Markt 1", "postcode": "19999",
         "phone": "", "lat": "53,7", "lon": "11.5", "is_active": "y"}


def test_admin_adds_and_edits_a_location(sign_in):
    admin = sign_in(ADMIN)
    assert admin.get("/staff/admin/locations/new").status_code == 200
    response = admin.post("/staff/admin/locations/new", data=VENUE)
    assert response.status_code == 303, page(response)
    venue = fresh(Location, "teststadt-sued")  # the id comes from the town
    assert (venue.kind, venue.lat, venue.lon, venue.organisation_id) == ("mobile", 53.7, 11.5,
                                                                         "vsp")
    assert "Jobcenter Teststadt" in page(admin.get("/staff/admin/locations?organisation=vsp"))
    assert "Jobcenter Teststadt" not in page(admin.get("/staff/admin/locations?organisation="
                                                       "migra"))

    response = admin.post("/staff/admin/locations/teststadt-sued",
                          data={**VENUE, "name": "Agentur für Arbeit Teststadt", "is_active": ""})
    assert response.status_code == 303
    venue = fresh(Location, "teststadt-sued")
    assert venue.name == "Agentur für Arbeit Teststadt" and not venue.is_active
    assert [e.object_id for e in audit_entries("create", "location")] == ["teststadt-sued"]
    [update] = audit_entries("update", "location")
    assert set(update.details["fields"]) == {"name", "is_active"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Please enter the name."),
    ({"town": ""}, "Please enter the town."),
    ({"postcode": "1234"}, "five-digit postcode"),
    ({"lon": ""}, "both latitude and longitude"),
    ({"lat": "95"}, "from -90 to 90"),
    ({"kind": "castle"}, "Not a valid choice"),
    ({"id": "schwerin"}, "exists already"),
    ({"id": "Bad Id!"}, "lower-case letters"),
])
def test_location_form_refuses_bad_values(sign_in, changes, message):
    response = sign_in(ADMIN).post("/staff/admin/locations/new", data={**VENUE, **changes})
    assert response.status_code == 422
    assert message in page(response)
    assert fresh(Location, "teststadt-sued") is None


def test_a_location_in_use_keeps_its_organisation(sign_in):
    response = sign_in(ADMIN).post("/staff/admin/locations/schwerin", data={
        **VENUE, "kind": "office", "name": "IQ Servicestelle Schwerin", "town": "Schwerin",
        "organisation": "migra"})
    assert response.status_code == 422
    assert "cannot move to another organisation" in page(response)
    assert fresh(Location, "schwerin").organisation_id == "vsp"


def test_removing_a_location_deletes_it_or_deactivates_it_when_it_has_appointments(sign_in):
    counsellor = counsellor_by_email(COUNSELLOR_VSP)
    schwerin = db.session.get(Location, "schwerin")
    create_appointment(counsellor, schwerin, db.session.get(Service, "follow-up"),
                       start_at=datetime(2027, 2, 3, 9, tzinfo=UTC))
    db.session.commit()
    admin = sign_in(ADMIN)
    assert admin.post("/staff/admin/locations/new", data=VENUE).status_code == 303

    response = admin.post("/staff/admin/locations/teststadt-sued/remove", follow_redirects=True)
    assert response.status_code == 200 and "is deleted" in page(response)
    assert fresh(Location, "teststadt-sued") is None

    response = admin.post("/staff/admin/locations/schwerin/remove", follow_redirects=True)
    assert "only deactivated" in page(response)
    schwerin = fresh(Location, "schwerin")
    assert schwerin is not None and not schwerin.is_active
    assert [e.object_id for e in audit_entries("delete", "location")] == ["teststadt-sued"]
    assert [e.object_id for e in audit_entries("deactivate", "location")] == ["schwerin"]


# -- services -----------------------------------------------------------------------------

SERVICE = {"duration_minutes": "45", "buffer_minutes": "5", "interpreter_extra_minutes": "20",
           "offers_in_person": "y", "offers_phone": "y", "offers_video": "", "sort_order": "4",
           "is_active": "y", "name_de": "Folgeberatung (kurz)", "description_de": "Kurz.",
           "name_en": "Follow-up (short)", "description_en": "Short."}


def test_admin_edits_a_service_and_its_texts(sign_in):
    admin = sign_in(ADMIN)
    body = page(admin.get("/staff/admin/services/follow-up"))
    assert 'lang="uk"' in body  # the other languages' texts, read-only
    response = admin.post("/staff/admin/services/follow-up", data=SERVICE)
    assert response.status_code == 303, page(response)
    service = fresh(Service, "follow-up")
    assert (service.duration_minutes, service.buffer_minutes,
            service.interpreter_extra_minutes, service.channels, service.sort_order) == (
        45, 5, 20, ("in_person", "phone"), 4)
    assert service.text("de").name == "Folgeberatung (kurz)"
    assert service.text("en").description == "Short."
    [entry] = audit_entries("update", "service")
    assert {"duration_minutes", "offers_video", "text_de", "text_en"} <= set(
        entry.details["fields"])


@pytest.mark.parametrize(("changes", "message"), [
    ({"duration_minutes": "0"}, "from 5 to 480"),
    ({"duration_minutes": ""}, "Please enter the duration."),
    ({"buffer_minutes": "-5"}, "from 0 to 240"),
    ({"offers_in_person": "", "offers_phone": ""}, "at least one way to take part"),
    ({"name_de": ""}, "Please enter the German name."),
])
def test_service_form_refuses_bad_values(sign_in, changes, message):
    response = sign_in(ADMIN).post("/staff/admin/services/follow-up",
                                   data={**SERVICE, **changes})
    assert response.status_code == 422
    assert message in page(response)
    assert fresh(Service, "follow-up").duration_minutes == 30


def test_unknown_service_is_404(sign_in):
    assert sign_in(ADMIN).get("/staff/admin/services/nope").status_code == 404


# -- users --------------------------------------------------------------------------------

def new_user(**changes) -> dict:
    return {"email": "neu@vsp.example.org", "display_name": "Neue Kollegin", "role": "staff",
            "organisation": "vsp", "counsellor": "", "password": NEW_PASSWORD, **changes}


def test_users_list_filters_by_organisation_and_role(sign_in):
    admin = sign_in(ADMIN)
    body = page(admin.get("/staff/admin/users?organisation=migra&role=staff"))
    assert STAFF_MIGRA in body and STAFF_VSP not in body and COUNSELLOR_MIGRA not in body
    body = page(admin.get("/staff/admin/users?role=counsellor"))
    assert COUNSELLOR_MIGRA in body and COUNSELLOR_VSP in body and STAFF_VSP not in body
    assert admin.get("/staff/admin/users?organisation=nope").status_code == 404


def test_admin_creates_an_account_that_can_sign_in(sign_in, demo):
    response = sign_in(ADMIN).post("/staff/admin/users/new", data=new_user())
    assert response.status_code == 303, page(response)
    user = user_by_email("neu@vsp.example.org")
    assert (user.role, user.organisation_id, user.counsellor_id) == ("staff", "vsp", None)
    assert sign_in("neu@vsp.example.org", NEW_PASSWORD).get(
        "/staff/admin/counsellors").status_code == 200
    [entry] = audit_entries("create", "user")
    assert entry.object_id == str(user.id) and NEW_PASSWORD not in str(entry.details)


def test_a_counsellor_account_links_a_counsellor_of_its_organisation(sign_in):
    vsp = db.session.get(Organisation, "vsp")
    unlinked = create_counsellor(vsp, display_name="Ohne Konto", email="ohne@vsp.example.org")
    db.session.commit()
    admin = sign_in(ADMIN)
    migra_counsellor = counsellor_by_email(COUNSELLOR_MIGRA)
    for counsellor, message in [("", "Please choose the counsellor"),
                                (str(migra_counsellor.id), "same organisation"),
                                (str(counsellor_by_email(COUNSELLOR_VSP).id), "already has an "
                                                                              "account")]:
        response = admin.post("/staff/admin/users/new", data=new_user(
            role="counsellor", counsellor=counsellor))
        assert response.status_code == 422 and message in page(response), message
    response = admin.post("/staff/admin/users/new", data=new_user(
        role="counsellor", counsellor=str(unlinked.id)))
    assert response.status_code == 303
    assert user_by_email("neu@vsp.example.org").counsellor_id == unlinked.id


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": STAFF_VSP}, "exists already"),
    ({"email": "nope"}, "e-mail address like"),
    ({"password": "short"}, "at least 10 characters"),
    ({"organisation": ""}, "need an organisation"),
    ({"role": "superuser"}, "Not a valid choice"),
])
def test_user_form_refuses_bad_values(sign_in, changes, message):
    response = sign_in(ADMIN).post("/staff/admin/users/new", data=new_user(**changes))
    assert response.status_code == 422
    assert message in page(response)
    assert user_by_email("neu@vsp.example.org") is None


def _edit(user: User, **changes) -> dict:
    return {"display_name": user.display_name, "role": user.role,
            "organisation": user.organisation_id or "",
            "counsellor": str(user.counsellor_id or ""),
            "is_enabled": "y" if user.is_enabled else "", **changes}


def test_admin_edits_an_account(sign_in):
    staff = user_by_email(STAFF_VSP)
    response = sign_in(ADMIN).post(f"/staff/admin/users/{staff.id}", data=_edit(
        staff, display_name="Büro Schwerin", organisation="migra"))
    assert response.status_code == 303
    staff = user_by_email(STAFF_VSP)
    assert (staff.display_name, staff.organisation_id) == ("Büro Schwerin", "migra")
    [entry] = audit_entries("update", "user")
    assert set(entry.details["fields"]) == {"display_name", "organisation_id"}


def test_disabling_an_account_ends_its_access(sign_in):
    staff_client = sign_in(STAFF_VSP)
    assert signed_in(staff_client)
    staff = user_by_email(STAFF_VSP)
    response = sign_in(ADMIN).post(f"/staff/admin/users/{staff.id}",
                                   data=_edit(staff, is_enabled=""))
    assert response.status_code == 303
    assert not user_by_email(STAFF_VSP).is_enabled
    response = staff_client.get("/staff/admin/counsellors")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    again = staff_client.post("/staff/login", data={"email": STAFF_VSP,
                                                    "password": DEMO_PASSWORD})
    assert again.status_code == 422


def test_admin_cannot_lock_themself_out(sign_in):
    admin_client = sign_in(ADMIN)
    admin = user_by_email(ADMIN)
    response = admin_client.post(f"/staff/admin/users/{admin.id}", data=_edit(admin,
                                                                              is_enabled=""))
    assert response.status_code == 422
    assert "cannot disable your own account" in page(response)
    response = admin_client.post(f"/staff/admin/users/{admin.id}", data=_edit(
        admin, role="staff", organisation="vsp"))
    assert response.status_code == 422
    assert "cannot take the administrator role from yourself" in page(response)
    response = admin_client.post(f"/staff/admin/users/{admin.id}/password",
                                 data={"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 422 and "password page" in page(response)
    admin = user_by_email(ADMIN)
    assert admin.is_enabled and admin.role == "admin"
    assert verify_password(admin, DEMO_PASSWORD)
    assert admin_client.get("/staff/admin").status_code == 200


def test_password_reset_signs_the_user_out_everywhere(sign_in):
    staff_client = sign_in(STAFF_VSP)
    assert signed_in(staff_client)
    staff = user_by_email(STAFF_VSP)
    admin = sign_in(ADMIN)
    response = admin.post(f"/staff/admin/users/{staff.id}/password",
                          data={"new": NEW_PASSWORD, "repeat": "something-else"})
    assert response.status_code == 422 and "not the same" in page(response)
    response = admin.post(f"/staff/admin/users/{staff.id}/password",
                          data={"new": "short", "repeat": "short"})
    assert response.status_code == 422 and "at least 10 characters" in page(response)
    assert signed_in(staff_client)

    response = admin.post(f"/staff/admin/users/{staff.id}/password",
                          data={"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303
    response = staff_client.get("/staff/admin/counsellors")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert verify_password(user_by_email(STAFF_VSP), NEW_PASSWORD)
    assert signed_in(sign_in(STAFF_VSP, NEW_PASSWORD))
    [entry] = audit_entries("password_reset", "user")
    assert entry.object_id == str(staff.id) and NEW_PASSWORD not in str(entry.details)


def test_unknown_user_is_404(sign_in):
    admin = sign_in(ADMIN)
    assert admin.get("/staff/admin/users/99999").status_code == 404
    assert admin.post("/staff/admin/users/99999/password", data={}).status_code == 404


# -- team ---------------------------------------------------------------------------------

def test_staff_see_and_manage_only_their_own_team(sign_in):
    staff = sign_in(STAFF_VSP)
    body = page(staff.get("/staff/admin/counsellors"))
    assert "Katrin Beispiel" in body and "Jonas Exempel" not in body
    assert staff.get("/staff/admin/counsellors?organisation=migra").status_code == 404
    assert staff.get("/staff/admin/counsellors/new?organisation=migra").status_code == 404
    assert staff.get("/staff/admin/counsellors?organisation=vsp").status_code == 200
    migra = counsellor_by_email(COUNSELLOR_MIGRA)
    assert staff.get(f"/staff/admin/counsellors/{migra.id}").status_code == 404
    response = staff.post(f"/staff/admin/counsellors/{migra.id}", data={
        "display_name": "X", "email": COUNSELLOR_MIGRA, "languages": "de"})
    assert response.status_code == 404
    assert counsellor_by_email(COUNSELLOR_MIGRA).display_name == "Jonas Exempel"


def test_admin_sees_every_team_and_filters_by_organisation(sign_in):
    admin = sign_in(ADMIN)
    body = page(admin.get("/staff/admin/counsellors"))
    assert "Katrin Beispiel" in body and "Jonas Exempel" in body
    body = page(admin.get("/staff/admin/counsellors?organisation=migra"))
    assert "Katrin Beispiel" not in body and "Jonas Exempel" in body
    assert admin.get("/staff/admin/counsellors?organisation=nope").status_code == 404


def counsellor_form(**changes) -> dict:
    return {"display_name": "Mira Beispielfrau", "email": "m.beispielfrau@vsp.example.org",
            "home_location": "schwerin", "languages": "de, EN uk", "is_active": "y", **changes}


def test_staff_add_a_counsellor_to_their_organisation(sign_in):
    staff = sign_in(STAFF_VSP)
    response = staff.post("/staff/admin/counsellors/new", data=counsellor_form())
    assert response.status_code == 303, page(response)
    added = counsellor_by_email("m.beispielfrau@vsp.example.org")
    assert (added.organisation_id, added.home_location_id, added.language_codes) == (
        "vsp", "schwerin", ["de", "en", "uk"])
    [entry] = audit_entries("create", "counsellor")
    assert entry.object_id == str(added.id) and entry.organisation_id == "vsp"
    # Another organisation cannot be chosen, nor its office.
    response = staff.post("/staff/admin/counsellors/new", data=counsellor_form(
        email="x@vsp.example.org", organisation="migra"))
    assert response.status_code == 422
    response = staff.post("/staff/admin/counsellors/new", data=counsellor_form(
        email="x@vsp.example.org", home_location="rostock"))
    assert response.status_code == 422
    assert counsellor_by_email("x@vsp.example.org") is None


def test_admin_adds_a_counsellor_to_a_chosen_organisation(sign_in):
    admin = sign_in(ADMIN)
    response = admin.post("/staff/admin/counsellors/new", data=counsellor_form(
        organisation="migra", home_location="schwerin"))
    assert response.status_code == 422
    assert "an office of the counsellor&#39;s organisation" in page(response)
    response = admin.post("/staff/admin/counsellors/new", data=counsellor_form(
        organisation="migra", home_location="rostock"))
    assert response.status_code == 303
    assert counsellor_by_email("m.beispielfrau@vsp.example.org").organisation_id == "migra"


def test_staff_edit_a_counsellor(sign_in):
    katrin = counsellor_by_email(COUNSELLOR_VSP)
    staff = sign_in(STAFF_VSP)
    body = page(staff.get(f"/staff/admin/counsellors/{katrin.id}"))
    assert 'value="de, en, ru"' in body
    response = staff.post(f"/staff/admin/counsellors/{katrin.id}", data=counsellor_form(
        display_name="Katrin Beispiel", email=COUNSELLOR_VSP, languages="ru, de, ar",
        is_active=""))
    assert response.status_code == 303
    katrin = counsellor_by_email(COUNSELLOR_VSP)
    assert katrin.language_codes == ["ar", "de", "ru"] and not katrin.is_active
    [entry] = audit_entries("update", "counsellor")
    assert set(entry.details["fields"]) == {"languages", "is_active"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"languages": "de, xx, klingon"}, "Unknown language code(s): xx, klingon"),
    ({"languages": ""}, "at least one language code"),
    ({"email": COUNSELLOR_MIGRA}, "A counsellor with this e-mail address exists already"),
    ({"email": "nope"}, "e-mail address like"),
    ({"display_name": ""}, "Please enter the name."),
])
def test_counsellor_form_refuses_bad_values(sign_in, changes, message):
    katrin = counsellor_by_email(COUNSELLOR_VSP)
    response = sign_in(STAFF_VSP).post(f"/staff/admin/counsellors/{katrin.id}",
                                       data=counsellor_form(**changes))
    assert response.status_code == 422
    assert message in page(response)
    assert counsellor_by_email(COUNSELLOR_VSP).language_codes == ["de", "en", "ru"]


# -- messages -----------------------------------------------------------------------------

@pytest.fixture
def problems(demo):
    """A failed and an overdue message of vsp, a failed one of migra, and ones that are fine."""
    follow_up = db.session.get(Service, "follow-up")
    katrin, jonas = counsellor_by_email(COUNSELLOR_VSP), counsellor_by_email(COUNSELLOR_MIGRA)
    vsp_appointment = create_appointment(
        katrin, db.session.get(Location, "schwerin"), follow_up, reference="VSPA-0001",
        start_at=datetime(2027, 2, 3, 9, tzinfo=UTC), client_name="Clara Klientin",
        client_email="clara@example.org")
    migra_appointment = create_appointment(
        jonas, db.session.get(Location, "rostock"), follow_up, reference="MIGR-0001",
        start_at=datetime(2027, 2, 3, 9, tzinfo=UTC))

    def message(appointment, status, attempts, error=None):
        m = enqueue("appointment.booked", payload={"recipient": "client"},
                    organisation_id=appointment.organisation_id, appointment_id=appointment.id)
        m.status, m.attempts, m.last_error = status, attempts, error
        return m

    refused = "SMTPRecipientsRefused: {'clara@example.org': (550, b'mailbox unavailable')}"
    result = {
        "vsp_failed": message(vsp_appointment, "failed", 8, refused),
        "vsp_overdue": message(vsp_appointment, "pending", 2, "TimeoutError: timed out"),
        "migra_failed": message(migra_appointment, "failed", 8, "SMTPDataError: 554 " + "x" * 400),
        "vsp_waiting": message(vsp_appointment, "pending", 0),
        "vsp_sent": message(vsp_appointment, "sent", 1),
    }
    db.session.commit()
    return {name: m.id for name, m in result.items()}


def retry_button(message_id: int) -> str:
    return f'action="/staff/admin/messages/{message_id}/retry"'


def test_staff_see_their_organisations_undelivered_messages(sign_in, problems):
    body = page(sign_in(STAFF_VSP).get("/staff/admin/messages"))
    assert retry_button(problems["vsp_failed"]) in body
    assert retry_button(problems["vsp_overdue"]) in body
    assert retry_button(problems["migra_failed"]) not in body
    assert retry_button(problems["vsp_waiting"]) not in body
    assert retry_button(problems["vsp_sent"]) not in body
    assert 'href="/staff/appointments/VSPA-0001"' in body
    assert "mailbox unavailable" in body and "clara@example.org" not in body


def test_administrators_see_every_message_without_client_data(sign_in, problems):
    body = page(sign_in(ADMIN).get("/staff/admin/messages"))
    for name in ("vsp_failed", "vsp_overdue", "migra_failed"):
        assert retry_button(problems[name]) in body
    assert "/staff/appointments/" not in body and "VSPA-0001" not in body
    assert "clara@example.org" not in body and "Clara Klientin" not in body
    assert "x" * 300 not in body  # long errors are shortened
    body = page(sign_in(ADMIN).get("/staff/admin/messages?organisation=migra"))
    assert retry_button(problems["migra_failed"]) in body
    assert retry_button(problems["vsp_failed"]) not in body


def test_messages_of_another_organisation_are_out_of_reach(sign_in, problems):
    staff = sign_in(STAFF_VSP)
    assert staff.get("/staff/admin/messages?organisation=migra").status_code == 404
    assert staff.post(f"/staff/admin/messages/{problems['migra_failed']}/retry").status_code \
        == 404
    assert fresh(OutboxMessage, problems["migra_failed"]).status == "failed"
    assert staff.post("/staff/admin/messages/99999/retry").status_code == 404


def test_retry_queues_a_message_again(sign_in, problems):
    staff = sign_in(STAFF_VSP)
    response = staff.post(f"/staff/admin/messages/{problems['vsp_failed']}/retry")
    assert response.status_code == 303
    message = fresh(OutboxMessage, problems["vsp_failed"])
    assert (message.status, message.attempts, message.available_at) == ("pending", 0, NOW)
    [entry] = audit_entries("retry", "outbox_message")
    assert entry.object_id == str(message.id) and entry.organisation_id == "vsp"
    assert retry_button(message.id) not in page(staff.get("/staff/admin/messages"))

    response = staff.post(f"/staff/admin/messages/{problems['vsp_sent']}/retry",
                          follow_redirects=True)
    assert "needs no retry" in page(response)
    assert fresh(OutboxMessage, problems["vsp_sent"]).status == "sent"

    assert sign_in(ADMIN).post(
        f"/staff/admin/messages/{problems['migra_failed']}/retry").status_code == 303
    assert fresh(OutboxMessage, problems["migra_failed"]).status == "pending"


def test_retry_leaves_a_message_that_is_being_sent_alone(sign_in, problems):
    message = db.session.get(OutboxMessage, problems["vsp_overdue"])
    message.claimed_at, message.claimed_by = NOW, "worker-1"
    db.session.commit()
    response = sign_in(STAFF_VSP).post(f"/staff/admin/messages/{message.id}/retry",
                                       follow_redirects=True)
    assert "needs no retry" in page(response)
    message = fresh(OutboxMessage, problems["vsp_overdue"])
    assert (message.attempts, message.claimed_by) == (2, "worker-1")


def test_outbox_retry_command_shares_the_requeue(runner, problems):
    result = runner.invoke(args=["outbox", "retry"])
    assert result.exit_code == 0 and result.output.startswith("2 message(s)")
    assert fresh(OutboxMessage, problems["migra_failed"]).status == "pending"
    assert fresh(OutboxMessage, problems["vsp_overdue"]).attempts == 2  # only failed ones


def test_reset_password_command_is_set_password(runner, sign_in):
    staff_client = sign_in(STAFF_VSP)
    result = runner.invoke(args=["users", "reset-password", "--email", STAFF_VSP],
                           env={"BOOKING_NEW_PASSWORD": NEW_PASSWORD})
    assert result.exit_code == 0, result.output
    assert verify_password(user_by_email(STAFF_VSP), NEW_PASSWORD)
    assert staff_client.get("/staff/admin/counsellors").status_code == 302


@pytest.mark.parametrize("path", ["/staff/admin/counsellors", "/staff/admin/services"])
def test_lists_take_as_many_queries_for_more_rows(sign_in, count_queries, path):
    """Languages and texts are loaded with the list, not once per row."""
    admin = sign_in(ADMIN)
    queries = []
    for _round in range(2):
        count_queries.clear()
        assert admin.get(path).status_code == 200
        queries.append(len(count_queries))
        vsp = db.session.get_one(Organisation, "vsp")
        create_counsellor(vsp, languages=("de", "uk"))
        service = Service(id=f"extra-{_round}", duration_minutes=30)
        service.translations = [ServiceTranslation(locale="de", name="Extra")]
        db.session.add(service)
        db.session.commit()
    assert queries[0] == queries[1]
