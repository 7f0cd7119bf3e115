"""Working hours and absences in the staff area: changes by counsellors and office staff show in
the public slots at once, bad input gets a message (422), other people's calendars answer 404,
every change is audited, and appointments a change strands are listed, never cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.availability.models import Absence, WeeklyHours
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from tests.conftest import (
    ADMIN,
    COUNSELLOR_MIGRA,
    COUNSELLOR_VSP,
    COUNSELLOR_VSP_OTHER,
    STAFF_MIGRA,
    STAFF_VSP,
)
from tests.factories import create_appointment

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY = "2027-02-06"
ENGLISH = {"Accept-Language": "en"}


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


def working_alone(email: str) -> Counsellor:
    """The public slots offer one counsellor per time and place; with the colleagues away, every
    slot at the office is this counsellor's."""
    person = counsellor(email)
    for other in db.session.scalars(select(Counsellor).where(
            Counsellor.organisation_id == person.organisation_id, Counsellor.id != person.id)):
        other.is_active = False
    db.session.commit()
    return person


def hours_form(**fields) -> dict:
    """Saturday 10:00–13:00 in Schwerin, every week from today, unless told otherwise."""
    return {"location": "schwerin", "weekday": "5", "start_time": "10:00", "end_time": "13:00",
            "starts_on": "2027-02-01", "ends_on": "", "every_n_weeks": "1", **fields}


def absence_form(**fields) -> dict:
    return {"starts_on": "2027-02-03", "ends_on": "2027-02-03", "start_time": "",
            "end_time": "", "reason": "vacation", **fields}


def slot_times(client, day: str, counsellor_id: int, location: str = "schwerin") -> list[str]:
    """Local start times of the counsellor's free first consultations on ``day``."""
    response = client.get(f"/api/v1/slots?service=first-consultation&location={location}"
                          f"&start={day}&end={day_after(day)}")
    assert response.status_code == 200, response.get_json()
    return [datetime.fromisoformat(s["start"]).astimezone(BERLIN).strftime("%H:%M")
            for s in response.get_json()["slots"] if s["counsellor"] == counsellor_id]


def day_after(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() + 1).isoformat()


def rules_of(person: Counsellor) -> list[WeeklyHours]:
    db.session.expire_all()
    return list(db.session.scalars(select(WeeklyHours).where(
        WeeklyHours.counsellor_id == person.id).order_by(WeeklyHours.id)))


def audit_entries(object_type: str) -> list[tuple]:
    db.session.expire_all()
    return [(e.action, e.object_id, e.organisation_id, e.actor) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type)
        .order_by(AuditEntry.id))]


def fresh(model, record_id):
    """The record as the server committed it (the test's session may hold an older copy)."""
    db.session.expire_all()
    return db.session.get(model, record_id)


def page_text(response) -> str:
    return response.get_data(as_text=True)


# -- weekly hours ---------------------------------------------------------------------------

def test_counsellor_adds_saturday_hours_and_clients_can_book_them(client, sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    assert slot_times(client, SATURDAY, katrin.id) == []
    browser = sign_in(COUNSELLOR_VSP)

    page = browser.get("/staff/hours", headers=ENGLISH)
    assert page.status_code == 200
    assert "Katrin Beispiel" in page_text(page) and 'name="counsellor"' not in page_text(page)
    response = browser.post("/staff/hours", data=hours_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/hours?counsellor={katrin.id}"

    assert slot_times(client, SATURDAY, katrin.id) == ["10:00", "10:30", "11:00", "11:30",
                                                       "12:00"]
    added = rules_of(katrin)[-1]
    assert (added.weekday, added.start_time, added.end_time, added.organisation_id) == \
        (5, time(10), time(13), "vsp")
    assert audit_entries("weekly_hours") == [
        ("create", str(added.id), "vsp", COUNSELLOR_VSP)]
    listed = page_text(browser.get("/staff/hours", headers=ENGLISH))
    assert "Saturday" in listed and f"/staff/hours/{added.id}" in listed


def test_office_staff_add_edit_and_delete_a_counsellors_hours(client, sign_in):
    samir = counsellor(COUNSELLOR_VSP_OTHER)
    office = sign_in(STAFF_VSP)
    page = office.get(f"/staff/hours?counsellor={samir.id}")
    assert page.status_code == 200 and "Samir Al-Musterani" in page_text(page)
    assert 'name="counsellor"' in page_text(page)  # staff choose whose hours they see

    assert office.post(f"/staff/hours?counsellor={samir.id}",
                       data=hours_form(location="wismar")).status_code == 303
    added = rules_of(samir)[-1]
    added_id = added.id
    assert added.location_id == "wismar"  # a mobile venue of VSP
    assert slot_times(client, SATURDAY, samir.id, "wismar") == ["10:00", "10:30", "11:00",
                                                                "11:30", "12:00"]

    edit = office.get(f"/staff/hours/{added.id}")
    assert edit.status_code == 200 and 'value="10:00"' in page_text(edit)
    response = office.post(f"/staff/hours/{added.id}",
                           data=hours_form(location="wismar", start_time="11:00"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/hours?counsellor={samir.id}"
    assert slot_times(client, SATURDAY, samir.id, "wismar") == ["11:00", "11:30", "12:00"]

    assert office.post(f"/staff/hours/{added.id}/delete").status_code == 303
    assert fresh(WeeklyHours, added_id) is None
    assert slot_times(client, SATURDAY, samir.id, "wismar") == []
    assert audit_entries("weekly_hours") == [
        ("create", str(added_id), "vsp", STAFF_VSP), ("update", str(added_id), "vsp", STAFF_VSP),
        ("delete", str(added_id), "vsp", STAFF_VSP)]


def test_counsellor_shortens_their_hours_and_the_slots_follow(client, sign_in):
    katrin = working_alone(COUNSELLOR_VSP)
    monday = next(r for r in rules_of(katrin) if r.weekday == 0)
    assert "15:00" in slot_times(client, "2027-02-08", katrin.id)
    response = sign_in(COUNSELLOR_VSP).post(f"/staff/hours/{monday.id}", data=hours_form(
        weekday="0", start_time="09:00", end_time="12:00", starts_on="2026-01-05"))
    assert response.status_code == 303
    assert slot_times(client, "2027-02-08", katrin.id) == ["09:00", "09:30", "10:00", "10:30",
                                                           "11:00"]


# -- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"start_time": "11:00", "end_time": "12:00", "weekday": "0"}, "form",
     "These hours overlap the working hours on Monday"),
    ({"start_time": "13:00", "end_time": "10:00"}, "end_time",
     "The end must be after the beginning."),
    ({"start_time": "10:00", "end_time": "10:00"}, "end_time",
     "The end must be after the beginning."),
    ({"start_time": "05:30"}, "start_time", "Working hours lie between 06:00 and 22:00."),
    ({"end_time": "22:30"}, "end_time", "Working hours lie between 06:00 and 22:00."),
    ({"start_time": "10 Uhr"}, "start_time", "Please enter a time such as 09:30."),
    ({"end_time": ""}, "end_time", "Please enter when the hours end."),
    ({"location": "atlantis"}, "location", "Please choose a place from the list."),
    ({"location": "rostock"}, "location", "Please choose a place from the list."),  # migra's
    ({"starts_on": "2027-03-01", "ends_on": "2027-02-28"}, "ends_on",
     "The last day must not be before the first day."),
    ({"starts_on": "1.3.2027"}, "starts_on", "Please enter a date such as 2027-03-01."),
    ({"weekday": "7"}, "weekday", "Please choose a weekday."),
    ({"every_n_weeks": "13"}, "every_n_weeks", "Please choose how often the hours repeat."),
    ({"every_n_weeks": "x"}, "every_n_weeks", "Please choose how often the hours repeat."),
])
def test_bad_hours_are_refused_with_a_message(sign_in, fields, field, message):
    katrin = counsellor(COUNSELLOR_VSP)
    before = len(rules_of(katrin))
    response = sign_in(COUNSELLOR_VSP).post("/staff/hours", data=hours_form(**fields),
                                            headers=ENGLISH)
    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    if field != "form":
        assert f'id="error-{field}"' in text and 'aria-invalid="true"' in text
    assert len(rules_of(katrin)) == before
    assert audit_entries("weekly_hours") == []


def test_the_clash_message_names_the_other_rule_and_the_first_day(sign_in):
    browser = sign_in(COUNSELLOR_VSP)
    assert browser.post("/staff/hours", data=hours_form(every_n_weeks="2")).status_code == 303
    response = browser.post("/staff/hours", headers=ENGLISH, data=hours_form(
        location="wismar", start_time="12:00", end_time="14:00", starts_on="2027-02-15",
        every_n_weeks="4"))
    assert response.status_code == 422
    text = page_text(response)
    assert "Saturday" in text and "IQ Servicestelle Schwerin" in text
    assert "Saturday, February 20, 2027" in text  # week 2 of the first rule, week 0 of this one


def test_alternating_every_two_weeks_rules_do_not_overlap(client, sign_in):
    """Saturday mornings in Schwerin in odd weeks, in Wismar in even weeks."""
    katrin = counsellor(COUNSELLOR_VSP)
    browser = sign_in(COUNSELLOR_VSP)
    assert browser.post("/staff/hours", data=hours_form(every_n_weeks="2")).status_code == 303
    response = browser.post("/staff/hours", data=hours_form(
        location="wismar", starts_on="2027-02-08", every_n_weeks="2"))
    assert response.status_code == 303, page_text(response)
    assert slot_times(client, "2027-02-06", katrin.id, "schwerin")
    assert not slot_times(client, "2027-02-06", katrin.id, "wismar")
    assert slot_times(client, "2027-02-13", katrin.id, "wismar")
    assert not slot_times(client, "2027-02-13", katrin.id, "schwerin")
    # The same phase clashes.
    response = browser.post("/staff/hours", data=hours_form(
        location="wismar", starts_on="2027-02-15", every_n_weeks="2"), headers=ENGLISH)
    assert response.status_code == 422


def test_editing_a_rule_does_not_clash_with_itself_but_with_others(sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    monday, tuesday = (next(r for r in rules_of(katrin) if r.weekday == d) for d in (0, 1))
    browser = sign_in(COUNSELLOR_VSP)
    assert browser.post(f"/staff/hours/{monday.id}", data=hours_form(
        weekday="0", start_time="08:00", end_time="16:00", starts_on="2026-01-05")
    ).status_code == 303
    response = browser.post(f"/staff/hours/{monday.id}", headers=ENGLISH, data=hours_form(
        weekday="1", start_time="08:00", end_time="10:00", starts_on="2026-01-05"))
    assert response.status_code == 422 and "Tuesday" in page_text(response)
    assert fresh(WeeklyHours, monday.id).weekday == 0
    assert fresh(WeeklyHours, tuesday.id).start_time == time(9)


# -- stranded appointments ------------------------------------------------------------------

def _booked(person: Counsellor, local_start: datetime, location: str = "schwerin"
            ) -> Appointment:
    appointment = create_appointment(
        person, db.session.get_one(Location, location),
        db.session.get_one(Service, "first-consultation"),
        start_at=local_start.replace(tzinfo=BERLIN).astimezone(UTC))
    db.session.commit()
    return appointment


def test_appointments_outside_the_new_hours_are_listed_not_cancelled(sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    wednesday = next(r for r in rules_of(katrin) if r.weekday == 2)  # 12:00–18:00
    early = _booked(katrin, datetime(2027, 2, 3, 12, 30))
    late = _booked(katrin, datetime(2027, 2, 10, 16, 0))
    browser = sign_in(COUNSELLOR_VSP)
    assert early.reference not in page_text(browser.get("/staff/hours"))

    response = browser.post(f"/staff/hours/{wednesday.id}", headers=ENGLISH, data=hours_form(
        weekday="2", start_time="14:00", end_time="18:00", starts_on="2026-01-05"),
        follow_redirects=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "1 confirmed appointment lies outside the working hours now" in text
    assert f'href="/staff/appointments/{early.reference}"' in text
    assert late.reference not in text
    assert fresh(Appointment, early.id).status == "confirmed"


def test_moving_hours_to_another_place_strands_the_appointments_booked_there(sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    thursday = next(r for r in rules_of(katrin) if r.weekday == 3)
    booked = _booked(katrin, datetime(2027, 2, 4, 10, 0))
    response = sign_in(STAFF_VSP).post(f"/staff/hours/{thursday.id}", data=hours_form(
        location="wismar", weekday="3", start_time="09:00", end_time="16:00",
        starts_on="2026-01-05"), follow_redirects=True)
    assert booked.reference in page_text(response)


# -- absences -------------------------------------------------------------------------------

def test_an_absence_removes_that_days_slots_until_it_is_deleted(client, sign_in):
    katrin = working_alone(COUNSELLOR_VSP)
    assert slot_times(client, "2027-02-03", katrin.id)
    browser = sign_in(COUNSELLOR_VSP)
    assert browser.get("/staff/absences").status_code == 200
    response = browser.post("/staff/absences", data=absence_form(reason="illness"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/absences?counsellor={katrin.id}"
    assert slot_times(client, "2027-02-03", katrin.id) == []
    assert slot_times(client, "2027-02-04", katrin.id)  # the next day is free again

    absence = db.session.scalar(select(Absence).where(Absence.counsellor_id == katrin.id))
    absence_id = absence.id
    assert (absence.start_at, absence.end_at, absence.reason) == (
        datetime(2027, 2, 2, 23, tzinfo=UTC), datetime(2027, 2, 3, 23, tzinfo=UTC), "illness")
    listed = page_text(browser.get("/staff/absences", headers=ENGLISH))
    assert "Illness" in listed and "Feb 3, 2027" in listed

    assert browser.post(f"/staff/absences/{absence_id}/delete").status_code == 303
    assert slot_times(client, "2027-02-03", katrin.id)
    assert audit_entries("absence") == [("create", str(absence_id), "vsp", COUNSELLOR_VSP),
                                        ("delete", str(absence_id), "vsp", COUNSELLOR_VSP)]


def test_a_part_day_absence_keeps_the_rest_of_the_day(client, sign_in):
    samir = working_alone(COUNSELLOR_VSP_OTHER)
    before = slot_times(client, "2027-02-03", samir.id)
    response = sign_in(STAFF_VSP).post(
        f"/staff/absences?counsellor={samir.id}",
        data=absence_form(start_time="08:00", end_time="12:00", reason="training"))
    assert response.status_code == 303
    after = slot_times(client, "2027-02-03", samir.id)
    assert after == [t for t in before if t >= "12:00"] and after
    assert audit_entries("absence")[0][2:] == ("vsp", STAFF_VSP)


def test_appointments_inside_a_new_absence_are_listed_not_cancelled(sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    inside = _booked(katrin, datetime(2027, 2, 9, 10, 0))
    outside = _booked(katrin, datetime(2027, 2, 11, 10, 0))
    response = sign_in(COUNSELLOR_VSP).post("/staff/absences", headers=ENGLISH, data=absence_form(
        starts_on="2027-02-08", ends_on="2027-02-10"), follow_redirects=True)
    text = page_text(response)
    assert "1 confirmed appointment falls within this absence" in text
    assert f'href="/staff/appointments/{inside.reference}"' in text
    assert outside.reference not in text
    assert fresh(Appointment, inside.id).status == "confirmed"


@pytest.mark.parametrize(("fields", "message"), [
    ({"starts_on": "2027-02-05", "ends_on": "2027-02-04"},
     "The last day must not be before the first day."),
    ({"start_time": "12:00", "end_time": "09:00"}, "The end must be after the beginning."),
    ({"starts_on": "2027-01-20", "ends_on": "2027-01-22"}, "The absence is over already."),
    ({"ends_on": ""}, "Please enter the last day of the absence."),
    ({"reason": "secret"}, "Please choose a reason from the list."),
    ({"start_time": "noon"}, "Please enter a time such as 09:30."),
])
def test_bad_absences_are_refused_with_a_message(sign_in, fields, message):
    response = sign_in(COUNSELLOR_VSP).post("/staff/absences", data=absence_form(**fields),
                                            headers=ENGLISH)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 0


def test_an_overlapping_absence_is_refused(sign_in):
    browser = sign_in(COUNSELLOR_VSP)
    assert browser.post("/staff/absences", data=absence_form(
        starts_on="2027-02-08", ends_on="2027-02-12")).status_code == 303
    response = browser.post("/staff/absences", headers=ENGLISH, data=absence_form(
        starts_on="2027-02-12", ends_on="2027-02-15", reason="illness"))
    assert response.status_code == 422
    assert "An absence is recorded for this time already" in page_text(response)


# -- who may see whose calendar -------------------------------------------------------------

@pytest.mark.parametrize(("account", "whose"), [
    (STAFF_MIGRA, COUNSELLOR_VSP),  # another organisation's counsellor
    (COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER),  # a colleague
    (COUNSELLOR_VSP, COUNSELLOR_MIGRA),
    (STAFF_VSP, "9999"),  # nobody
])
def test_a_counsellor_out_of_reach_answers_404(sign_in, account, whose):
    target = counsellor(whose).id if "@" in whose else whose
    browser = sign_in(account)
    for method, path, data in [("GET", "/staff/hours", None),
                               ("POST", "/staff/hours", hours_form()),
                               ("GET", "/staff/absences", None),
                               ("POST", "/staff/absences", absence_form())]:
        response = browser.open(f"{path}?counsellor={target}", method=method, data=data)
        assert response.status_code == 404, (method, path)
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 0
    assert audit_entries("weekly_hours") == []


def test_counsellors_may_name_themselves_and_staff_start_with_a_colleague(sign_in):
    katrin = counsellor(COUNSELLOR_VSP)
    assert sign_in(COUNSELLOR_VSP).get(f"/staff/hours?counsellor={katrin.id}").status_code == 200
    page = sign_in(STAFF_VSP).get("/staff/absences")
    assert page.status_code == 200
    text = page_text(page)
    assert 'name="counsellor"' in text and "Katrin Beispiel" in text
    assert "Jonas Exempel" not in text  # migra's counsellors are not offered to VSP


def test_a_rule_of_another_organisation_answers_404_even_with_a_valid_form(sign_in):
    jonas_rule = rules_of(counsellor(COUNSELLOR_MIGRA))[0]
    browser = sign_in(STAFF_VSP)
    assert browser.get(f"/staff/hours/{jonas_rule.id}").status_code == 404
    assert browser.post(f"/staff/hours/{jonas_rule.id}",
                        data=hours_form(location="rostock")).status_code == 404
    assert browser.post(f"/staff/hours/{jonas_rule.id}/delete").status_code == 404
    assert fresh(WeeklyHours, jonas_rule.id) is not None


def test_administrators_do_not_manage_calendars(sign_in):
    admin = sign_in(ADMIN)
    assert admin.get("/staff/hours").status_code == 403
    assert admin.get("/staff/absences").status_code == 403
