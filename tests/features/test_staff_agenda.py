"""The agenda (day and week views, scope of counsellors) and the appointment details page:
client data and its view audit, outcomes, cancellation with the client's message, history."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.appointments.services import CONSENT_VERSION, BookingRequest, book_appointment
from booking.audit.models import AuditEntry
from booking.auth.models import User
from booking.availability.models import Absence
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.outbox.models import OutboxMessage
from tests.conftest import (
    ADMIN,
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    NOW,
    STAFF_MIGRA,
    STAFF_VSP,
)
from tests.factories import create_appointment

EN = {"Accept-Language": "en"}
# Katrin Beispiel (Schwerin) works Mon, Tue, Thu 09:00–16:00 and Wed 12:00–18:00.
MONDAY = "2027-02-01"


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def appointment_for(email: str, start_at: datetime, reference: str, **fields) -> Appointment:
    owner = counsellor(email)
    appointment = create_appointment(
        owner, db.session.get_one(Location, owner.home_location_id),
        db.session.get_one(Service, fields.pop("service_id", "first-consultation")),
        start_at=start_at, reference=reference,
        client_name=fields.pop("client_name", "Mira Testfrau"),
        client_email=fields.pop("client_email", "mira@example.org"), **fields)
    db.session.commit()
    return appointment


def fetch(reference: str) -> Appointment:
    db.session.expire_all()
    return db.session.scalar(select(Appointment).where(Appointment.reference == reference))


def page(client, url: str) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def agenda_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="agenda-nav.*?</nav>', html, re.S).group(0)
    return {label: href.replace("&amp;", "&") for href, label in
            re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


# -- agenda -------------------------------------------------------------------------------


def test_day_view_shows_hours_absence_holiday_and_appointments(sign_in):
    appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 1, 9, tzinfo=UTC), "AGND-0001",
                    is_interpreter_needed=True, language_code="ru")
    appointment_for(COUNSELLOR_VSP_OTHER, datetime(2027, 2, 1, 9, tzinfo=UTC), "AGND-0002",
                    client_name="Someone Else")
    db.session.add(Absence(counsellor_id=counsellor(COUNSELLOR_VSP).id,
                           start_at=datetime(2027, 2, 1, 13, tzinfo=UTC),
                           end_at=datetime(2027, 2, 1, 15, tzinfo=UTC)))
    db.session.commit()

    html = page(sign_in(COUNSELLOR_VSP), f"/staff/agenda?view=day&day={MONDAY}")
    assert "Katrin Beispiel" in html
    assert re.search(r"Working hours: <span class=\"nowrap\">9:00\sAM\s–\s4:00\sPM", html)
    assert re.search(r"Absent: <span class=\"nowrap\">2:00\s–\s4:00\sPM", html)  # Berlin time
    assert "AGND-0001" in html and "Mira Testfrau" in html
    assert "with interpreter" in html and "Russian" in html and "Booked" in html
    assert re.search(r"10:00\s–\s11:00\sAM", html)  # 09:00 UTC is 10:00 in Berlin
    assert "AGND-0002" not in html and "Someone Else" not in html  # a colleague's


def test_public_holiday_has_no_working_hours(sign_in):
    html = page(sign_in(COUNSELLOR_VSP), "/staff/agenda?view=day&day=2027-03-08")  # Frauentag
    assert "Public holiday" in html
    assert "Working hours:" not in html


def test_week_view_runs_monday_to_sunday_and_navigates(sign_in):
    appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 3, 12, tzinfo=UTC), "AGND-0003")  # Wed
    appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 8, 9, tzinfo=UTC), "AGND-0004")  # next Mon
    client = sign_in(COUNSELLOR_VSP)
    html = page(client, "/staff/agenda?view=week&day=2027-02-03")
    headings = re.findall(r'<h2 id="agenda-section-\d+">.*?</h2>', html, re.S)
    assert len(headings) == 7
    assert "Monday, February 1, 2027" in headings[0]
    assert "Sunday, February 7, 2027" in headings[6]
    assert "AGND-0003" in html and "AGND-0004" not in html
    assert re.search(r"Working hours: <span class=\"nowrap\">12:00\s–\s6:00\sPM", html)  # Wed

    links = agenda_links(html)
    assert "day=2027-01-27" in links["Previous week"]
    assert "day=2027-02-10" in links["Next week"]
    assert "day=2027-02-01" in links["Today"]
    assert "view=day" in links["Day view"]
    assert "AGND-0004" in page(client, links["Next week"])


def test_day_view_navigation(sign_in):
    links = agenda_links(page(sign_in(COUNSELLOR_VSP), "/staff/agenda?view=day&day=2027-02-03"))
    assert "day=2027-02-02" in links["Previous day"] and "view=day" in links["Previous day"]
    assert "day=2027-02-04" in links["Next day"]
    assert "day=2027-02-01" in links["Today"]
    assert "view=week" in links["Week view"]


@pytest.mark.parametrize("query", [
    "day=2027-13-45", "day=abc", "day=0001-01-01", "day=9999-12-31", "view=month",
    "view=week&day=", "day=%00", "view=week&day=2027-02-31",
])
def test_bad_dates_show_today(sign_in, query):
    html = page(sign_in(COUNSELLOR_VSP), f"/staff/agenda?{query}")
    assert "Monday, February 1, 2027" in html


def test_counsellor_sees_only_their_own_agenda(sign_in):
    client = sign_in(COUNSELLOR_VSP)
    own = counsellor(COUNSELLOR_VSP).id
    assert client.get(f"/staff/agenda?counsellor={own}").status_code == 200
    for other in (counsellor(COUNSELLOR_VSP_OTHER).id, counsellor(COUNSELLOR_MIGRA).id,
                  "all", "abc", "99999", "-1", "99999999999999999999"):
        assert client.get(f"/staff/agenda?counsellor={other}").status_code == 404, other


def test_staff_choose_counsellors_of_their_organisation_only(sign_in):
    katrin = counsellor(COUNSELLOR_VSP).id
    appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 1, 9, tzinfo=UTC), "AGND-0005")
    appointment_for(COUNSELLOR_VSP_OTHER, datetime(2027, 2, 1, 10, tzinfo=UTC), "AGND-0006",
                    client_name="Omar Beispiel")
    migra = sign_in(STAFF_MIGRA)
    assert migra.get(f"/staff/agenda?counsellor={katrin}").status_code == 404
    assert migra.get(f"/staff/agenda?view=week&counsellor={katrin}").status_code == 404
    assert "AGND-0005" not in page(migra, "/staff/agenda?day=2027-02-01&counsellor=all")

    vsp = sign_in(STAFF_VSP)
    everyone = page(vsp, f"/staff/agenda?day={MONDAY}")  # all counsellors by default
    assert "AGND-0005" in everyone and "AGND-0006" in everyone and "Omar Beispiel" in everyone
    assert "Olha Prykladna" in everyone and "Jonas Exempel" not in everyone
    one = page(vsp, f"/staff/agenda?day={MONDAY}&counsellor={katrin}&view=week")
    assert "AGND-0005" in one and "AGND-0006" not in one
    for bad in ("abc", "-1", "1.5", "99999999999999999999"):
        assert vsp.get(f"/staff/agenda?counsellor={bad}").status_code == 404, bad
    # The week view needs one counsellor: "all" falls back to the day view.
    assert "one counsellor at a time" in page(vsp, "/staff/agenda?view=week&counsellor=all")


def test_administrators_do_not_open_agendas(sign_in):
    assert sign_in(ADMIN).get("/staff/agenda").status_code == 403


def test_viewing_the_agenda_is_audited(sign_in):
    page(sign_in(COUNSELLOR_VSP), f"/staff/agenda?view=week&day={MONDAY}")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "agenda"))
    assert entry.action == "view" and entry.actor == COUNSELLOR_VSP
    assert entry.object_id == str(counsellor(COUNSELLOR_VSP).id)
    assert entry.organisation_id == "vsp" and entry.details["days"] == 7


# -- details ------------------------------------------------------------------------------


def desk_booking(start_at: datetime) -> Appointment:
    """A booking made at the office desk, through the real use case."""
    booked = book_appointment(BookingRequest(
        service_id="first-consultation", location_id="schwerin", start_at=start_at,
        language="ru", name="Mira Testfrau", email="mira@example.org", phone="+49 385 555 0101",
        consent=True, counsellor_id=counsellor(COUNSELLOR_VSP).id, source="desk",
        booked_by_user_id=user(STAFF_VSP).id, min_notice=timedelta(0)), now=NOW)
    db.session.commit()
    return booked.appointment


def test_details_show_client_data_and_write_a_view_audit(sign_in):
    appointment = desk_booking(datetime(2027, 2, 2, 9, tzinfo=UTC))
    html = page(sign_in(COUNSELLOR_VSP), f"/staff/appointments/{appointment.reference.lower()}")
    for text in ("Mira Testfrau", "mira@example.org", "+49 385 555 0101", CONSENT_VERSION,
                 "Office desk", "Büro VSP", STAFF_VSP, "Katrin Beispiel", "Russian"):
        assert text in html, text
    assert "Booked" in html  # the history: the desk's booking
    assert f'href="/staff/appointments/{appointment.reference}/follow-up"' in html
    assert f'href="/staff/appointments/{appointment.reference}/cancel"' in html

    views = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "view", AuditEntry.object_type == "appointment",
        AuditEntry.object_id == str(appointment.id))).all()
    assert len(views) == 1
    assert views[0].actor == COUNSELLOR_VSP and views[0].organisation_id == "vsp"
    assert views[0].user_id == user(COUNSELLOR_VSP).id

    again = page(sign_in(STAFF_VSP), f"/staff/appointments/{appointment.reference}")
    assert "k.beispiel@vsp.example.org" in again  # the counsellor's view, in the history


def test_details_of_others_answer_404(sign_in):
    appointment = desk_booking(datetime(2027, 2, 2, 9, tzinfo=UTC))
    for account in (COUNSELLOR_VSP_OTHER, STAFF_MIGRA, COUNSELLOR_MIGRA):
        assert sign_in(account).get(
            f"/staff/appointments/{appointment.reference}").status_code == 404


def test_move_and_print_links_follow_the_desk_pages(app, sign_in):
    for endpoint, path in (("desk.move", "/staff/test-move/<reference>"),
                           ("desk.print_confirmation", "/staff/test-print/<reference>")):
        if endpoint not in app.view_functions:
            app.add_url_rule(path, endpoint, lambda reference: reference)
    appointment = appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 2, 9, tzinfo=UTC), "AGND-0007")
    html = page(sign_in(STAFF_VSP), f"/staff/appointments/{appointment.reference}")
    with app.test_request_context():
        from flask import url_for

        assert f'href="{url_for("desk.move", reference="AGND-0007")}"' in html
        assert f'href="{url_for("desk.print_confirmation", reference="AGND-0007")}"' in html


# -- outcome ------------------------------------------------------------------------------


def test_outcome_is_refused_before_the_start_and_recorded_after(app, sign_in):
    appointment = appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 1, 9, tzinfo=UTC), "AGND-0010")
    client = sign_in(COUNSELLOR_VSP)
    url = "/staff/appointments/AGND-0010/outcome"

    early = client.post(url, data={"outcome": "attended"}, headers=EN)
    assert early.status_code == 409
    assert "once the appointment has started" in early.get_data(as_text=True)
    assert fetch("AGND-0010").status == "confirmed"
    assert "Mark as attended" not in page(client, "/staff/appointments/AGND-0010")

    app.config["CLOCK"] = lambda: appointment.start_at + timedelta(minutes=5)
    assert "Mark as attended" in page(client, "/staff/appointments/AGND-0010")
    response = client.post(url, data={"outcome": "attended"}, headers=EN)
    assert response.status_code == 303
    assert fetch("AGND-0010").status == "attended"
    assert "the client came" in page(client, response.headers["Location"])

    assert client.post(url, data={"outcome": "no_show"}).status_code == 303
    assert fetch("AGND-0010").status == "no_show"
    updates = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "update", AuditEntry.object_id == str(appointment.id))
        .order_by(AuditEntry.id)).all()
    assert [(u.details["status"], u.details["previous_status"]) for u in updates] == [
        ("attended", "confirmed"), ("no_show", "attended")]
    assert all(u.actor == COUNSELLOR_VSP for u in updates)

    assert client.post(url, data={"outcome": "maybe"}).status_code == 400
    assert client.post(url, data={}).status_code == 400
    assert fetch("AGND-0010").status == "no_show"


def test_cancelled_appointments_get_no_outcome(app, sign_in):
    appointment_for(COUNSELLOR_VSP, datetime(2027, 2, 1, 9, tzinfo=UTC), "AGND-0011",
                    status="cancelled", cancelled_at=NOW)
    app.config["CLOCK"] = lambda: NOW + timedelta(days=1)
    response = sign_in(STAFF_VSP).post("/staff/appointments/AGND-0011/outcome",
                                       data={"outcome": "attended"})
    assert response.status_code == 409
    assert fetch("AGND-0011").status == "cancelled"


# -- cancel -------------------------------------------------------------------------------


def test_cancel_informs_the_client_through_the_outbox(sign_in):
    appointment = desk_booking(datetime(2027, 2, 2, 9, tzinfo=UTC))
    client = sign_in(STAFF_VSP)
    url = f"/staff/appointments/{appointment.reference}/cancel"
    confirm = page(client, url)
    assert "Yes, cancel the appointment" in confirm and "Mira Testfrau" in confirm

    response = client.post(url, headers=EN)
    assert response.status_code == 303
    assert fetch(appointment.reference).status == "cancelled"
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment.id,
        OutboxMessage.topic == "appointment.cancelled")).all()
    assert sorted(m.payload["recipient"] for m in messages) == ["client", "counsellor"]
    assert all(m.payload["method"] == "CANCEL" for m in messages)
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "cancel", AuditEntry.object_id == str(appointment.id)))
    assert entry.actor == STAFF_VSP and entry.user_id == user(STAFF_VSP).id

    again = client.post(url, headers=EN)  # harmless the second time
    assert again.status_code == 303
    assert "already been cancelled" in page(client, again.headers["Location"])
    assert len(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "appointment.cancelled")).all()) == 2


def test_past_appointments_cannot_be_cancelled(app, sign_in):
    appointment = desk_booking(datetime(2027, 2, 2, 9, tzinfo=UTC))
    app.config["CLOCK"] = lambda: appointment.end_at + timedelta(hours=1)
    client = sign_in(COUNSELLOR_VSP)
    url = f"/staff/appointments/{appointment.reference}/cancel"
    assert "Yes, cancel the appointment" not in page(client, url)
    response = client.post(url, headers=EN)
    assert response.status_code == 409
    assert "still ahead can be cancelled" in response.get_data(as_text=True)
    assert fetch(appointment.reference).status == "confirmed"
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.topic == "appointment.cancelled")) is None
