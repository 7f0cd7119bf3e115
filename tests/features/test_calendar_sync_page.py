"""The staff "Calendar sync" page: who may manage whose calendars, form errors, passwords that
are never shown again, and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.calendarsync.models import CalDavTarget, ExternalCalendar
from booking.counsellors.models import Counsellor
from booking.extensions import db
from tests.conftest import (
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    STAFF_MIGRA,
    STAFF_VSP,
)

# Nothing listens on port 9 (discard): a connected source fails fast and stays connected.
UNREACHABLE = "http://127.0.0.1:9/calendar/busy.ics"


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def text(response) -> str:
    return response.get_data(as_text=True)


def sources() -> list[ExternalCalendar]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExternalCalendar).order_by(ExternalCalendar.id)))


def target_of(person: Counsellor) -> CalDavTarget | None:
    db.session.expire_all()
    return db.session.scalar(select(CalDavTarget).where(
        CalDavTarget.counsellor_id == person.id))


def audit_trail(object_type: str) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.action, e.organisation_id) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type).order_by(AuditEntry.id))]


def source_form(**fields) -> dict:
    return {"kind": "ics", "url": UNREACHABLE, "username": "", "password": "", **fields}


def target_form(**fields) -> dict:
    return {"target-url": "http://127.0.0.1:9/dav/calendars/katrin/appointments/",
            "target-username": "katrin", "target-password": "app-password-1",
            "target-is_active": "y", **fields}


# -- who sees what ------------------------------------------------------------------------------

def test_a_counsellor_connects_a_calendar_and_sees_its_status(sign_in):
    client = sign_in(COUNSELLOR_VSP)
    page = client.get("/staff/calendar-sync")
    assert page.status_code == 200
    assert "Busy times from your own calendars" in text(page)
    assert 'href="/staff/calendar-sync"' in text(page)  # in the navigation

    response = client.post("/staff/calendar-sync/sources", data=source_form(
        url="webcal://127.0.0.1:9/calendar/busy.ics"))
    assert response.status_code == 303
    [source] = sources()
    assert source.counsellor_id == counsellor(COUNSELLOR_VSP).id
    assert source.url == "https://127.0.0.1:9/calendar/busy.ics"  # webcal is HTTPS
    assert source.last_error == "connection" and source.succeeded_at is None
    page = text(client.get(response.headers["Location"]))
    assert "The calendar is connected." in page
    assert "The calendar server could not be reached." in page
    assert "127.0.0.1:9/…/busy.ics" in page
    assert audit_trail("external_calendar") == [("create", "vsp")]

    assert client.post(f"/staff/calendar-sync/sources/{source.id}/fetch").status_code == 303
    assert client.post(f"/staff/calendar-sync/sources/{source.id}/delete").status_code == 303
    assert sources() == []
    assert audit_trail("external_calendar")[-2:] == [("fetch", "vsp"), ("delete", "vsp")]


def test_office_staff_manage_a_counsellor_of_their_organisation(sign_in):
    person = counsellor(COUNSELLOR_VSP_OTHER)
    client = sign_in(STAFF_VSP)
    page = client.get(f"/staff/calendar-sync?counsellor={person.id}")
    assert page.status_code == 200 and person.display_name in text(page)
    response = client.post(f"/staff/calendar-sync/sources?counsellor={person.id}",
                           data=source_form())
    assert response.status_code == 303
    assert [s.counsellor_id for s in sources()] == [person.id]


@pytest.mark.parametrize(("account", "whose"), [
    (STAFF_VSP, COUNSELLOR_MIGRA), (COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER),
    (COUNSELLOR_VSP, COUNSELLOR_MIGRA), (STAFF_MIGRA, COUNSELLOR_VSP),
])
def test_another_organisations_or_a_colleagues_calendars_answer_404(sign_in, account, whose):
    other = counsellor(whose)
    foreign_source = ExternalCalendar(counsellor_id=other.id, kind="ics", url=UNREACHABLE)
    foreign_target = CalDavTarget(counsellor_id=other.id, url=UNREACHABLE, password="secret")
    db.session.add_all([foreign_source, foreign_target])
    db.session.commit()
    client = sign_in(account)
    query = f"?counsellor={other.id}"
    assert client.get("/staff/calendar-sync" + query).status_code == 404
    assert client.post("/staff/calendar-sync/sources" + query,
                       data=source_form()).status_code == 404
    assert client.post("/staff/calendar-sync/target" + query,
                       data=target_form()).status_code == 404
    for action in ("fetch", "delete"):
        assert client.post(f"/staff/calendar-sync/sources/{foreign_source.id}/{action}",
                           data={}).status_code == 404
    assert client.post(f"/staff/calendar-sync/targets/{foreign_target.id}/delete",
                       data={}).status_code == 404
    assert [s.id for s in sources()] == [foreign_source.id]
    assert target_of(other).url == UNREACHABLE
    assert audit_trail("external_calendar") == audit_trail("caldav_target") == []


def test_administrators_do_not_use_the_page(sign_in):
    assert sign_in("admin@iq-mv.example.org").get("/staff/calendar-sync").status_code == 403


# -- form errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "message"), [
    ({"url": ""}, "Please enter the address of the calendar."),
    ({"url": "ftp://example.org/busy.ics"}, "The address must begin with https:// or http://."),
    ({"url": "calendar.example.org/busy.ics"}, "The address must begin with https://"),
    ({"url": "https://katrin:geheim@calendar.example.org/busy.ics"},
     "Please do not put a user name or password into the address"),
    ({"url": "https://calendar.example.org/" + "a" * 2000},
     "The address may be at most 2000 characters long."),
    ({"url": "https://calendar.example.org:99999/busy.ics"},
     "Please enter a complete web address"),
    ({"kind": "google"}, "Please choose a kind of calendar from the list."),
    ({"kind": "caldav", "password": "x"}, "Please enter the user name for the CalDAV server."),
    ({"kind": "caldav", "username": "katrin"},
     "Please enter the password for the CalDAV server."),
    ({"password": "secret"}, "A password needs a user name as well."),
    ({"username": "u" * 201, "password": "p"}, "At most 200 characters, please."),
])
def test_bad_sources_are_refused_with_a_message(sign_in, fields, message):
    response = sign_in(COUNSELLOR_VSP).post("/staff/calendar-sync/sources",
                                            data=source_form(**fields))
    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert sources() == []


def test_private_hosts_are_refused_when_switched_off(app, sign_in):
    app.config["CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS"] = False
    client = sign_in(COUNSELLOR_VSP)
    for url in (UNREACHABLE, "http://localhost/busy.ics", "http://[::1]/busy.ics",
                "http://10.1.2.3/busy.ics", "http://169.254.169.254/latest/"):
        response = client.post("/staff/calendar-sync/sources", data=source_form(url=url))
        assert response.status_code == 422, url
        assert "private or local network" in text(response)
    response = client.post("/staff/calendar-sync/target", data=target_form())
    assert response.status_code == 422
    assert sources() == [] and target_of(counsellor(COUNSELLOR_VSP)) is None


def test_the_same_calendar_is_not_connected_twice(sign_in):
    client = sign_in(COUNSELLOR_VSP)
    assert client.post("/staff/calendar-sync/sources", data=source_form()).status_code == 303
    response = client.post("/staff/calendar-sync/sources", data=source_form())
    assert response.status_code == 422
    assert "This calendar is connected already." in text(response)
    assert len(sources()) == 1


# -- the CalDAV target: passwords are never shown again ----------------------------------------

def test_the_caldav_target_is_saved_kept_and_removed(sign_in):
    person = counsellor(COUNSELLOR_VSP)
    client = sign_in(COUNSELLOR_VSP)
    response = client.post("/staff/calendar-sync/target", data=target_form(
        **{"target-password": ""}))
    assert response.status_code == 422
    assert "Please enter the password for the CalDAV server." in text(response)
    assert target_of(person) is None

    assert client.post("/staff/calendar-sync/target", data=target_form()).status_code == 303
    target = target_of(person)
    assert (target.username, target.password, target.is_active) == (
        "katrin", "app-password-1", True)
    page = text(client.get("/staff/calendar-sync"))
    assert "app-password-1" not in page
    assert "Leave empty to keep the saved password." in page

    # Empty password: the saved one stays; the checkbox left out pauses writing.
    response = client.post("/staff/calendar-sync/target", data={
        "target-url": target.url, "target-username": "katrin", "target-password": ""})
    assert response.status_code == 303
    target = target_of(person)
    assert target.password == "app-password-1" and target.is_active is False
    assert "paused" in text(client.get("/staff/calendar-sync"))

    response = client.post(f"/staff/calendar-sync/targets/{target.id}/delete")
    assert response.status_code == 303
    assert target_of(person) is None
    assert audit_trail("caldav_target") == [("create", "vsp"), ("update", "vsp"),
                                            ("delete", "vsp")]


def test_the_page_reads_in_german(sign_in):
    page = sign_in(COUNSELLOR_VSP, language=None).get("/staff/calendar-sync")
    assert page.status_code == 200
    assert '<html lang="de"' in text(page)


def test_a_failing_target_shows_the_error_written_by_caldav_out(sign_in):
    person = counsellor(COUNSELLOR_VSP)
    db.session.add(CalDavTarget(counsellor_id=person.id, url=UNREACHABLE, username="k",
                                password="pw-4711-x", last_error="ConnectionError: refused"))
    db.session.commit()
    page = text(sign_in(COUNSELLOR_VSP).get("/staff/calendar-sync"))
    assert "The calendar server reported a problem." in page
    assert "ConnectionError: refused" in page
    assert "pw-4711-x" not in page
