"""Booking a follow-up for the same client with the same counsellor: one appointment or a series,
checked against availability first, booked whole or not at all."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from booking.appointments.models import Appointment
from booking.availability.models import Absence
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.domain.calendar_rules import local_to_utc
from booking.extensions import db
from booking.network.models import Location
from booking.outbox.models import OutboxMessage
from tests.conftest import COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER, STAFF_MIGRA, STAFF_VSP
from tests.factories import create_appointment

BERLIN = ZoneInfo("Europe/Berlin")
EN = {"Accept-Language": "en"}
URL = "/staff/appointments/ORIG-0001/follow-up"
CLIENT_EMAIL = "mira@example.org"


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute), BERLIN)


def counsellor(email: str) -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == email))


@pytest.fixture
def original(demo) -> Appointment:
    """Mira's first consultation with Katrin Beispiel (Schwerin), Thursday 4 February 10:00."""
    katrin = counsellor(COUNSELLOR_VSP)
    appointment = create_appointment(
        katrin, db.session.get_one(Location, "schwerin"),
        db.session.get_one(Service, "first-consultation"), start_at=berlin(date(2027, 2, 4), 10),
        reference="ORIG-0001", client_name="Mira Testfrau", client_email=CLIENT_EMAIL,
        client_phone="+49 385 555 0101", language_code="ru", locale="uk")
    db.session.commit()
    return appointment


def series(first_on: str = "2027-02-18", count: int = 3, every: int = 2, **changes) -> dict:
    return {"first_on": first_on, "start_time": "10:00", "service": "follow-up",
            "location": "schwerin", "channel": "in_person", "every_n_weeks": str(every),
            "count": str(count), **changes}


def hidden_fields(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post"[^>]*follow-up[^>]*>.*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def radio_values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" id="[^"]+" value="([^"]+)"', html)


def follow_ups() -> list[Appointment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Appointment).where(
        Appointment.client_email == CLIENT_EMAIL, Appointment.reference != "ORIG-0001")
        .order_by(Appointment.start_at)))


def preview(client, **values):
    return client.post(URL, data={**series(**values), "action": "preview"}, headers=EN)


def test_the_form_proposes_the_same_weekday_and_time(sign_in, original):
    html = sign_in(COUNSELLOR_VSP).get(URL, headers=EN).get_data(as_text=True)
    assert 'value="2027-02-18"' in html and 'value="10:00"' in html
    assert re.search(r'<option selected value="follow-up">|<option value="follow-up" selected',
                     html)
    assert "Mira Testfrau" in html


def test_a_free_series_books_every_appointment_with_the_same_counsellor(sign_in, original):
    client = sign_in(STAFF_VSP)
    # Every two weeks from 18 March: the third is after the change to summer time.
    step2 = preview(client, first_on="2027-03-18")
    assert step2.status_code == 200
    html = step2.get_data(as_text=True)
    assert html.count('class="status status-attended">Free<') == 3
    fields = hidden_fields(html)
    assert [fields[f"occurrence-{n}"] for n in (1, 2, 3)] == [
        berlin(d, 10).isoformat() for d in (date(2027, 3, 18), date(2027, 4, 1),
                                            date(2027, 4, 15))]
    assert follow_ups() == []  # a preview books nothing

    response = client.post(URL, data={**fields, "action": "book"}, headers=EN)
    assert response.status_code == 303, response.get_data(as_text=True)
    booked = follow_ups()
    assert [a.start_at for a in booked] == [berlin(date(2027, 3, 18), 10),
                                            berlin(date(2027, 4, 1), 10),
                                            berlin(date(2027, 4, 15), 10)]
    for appointment in booked:
        assert appointment.counsellor_id == original.counsellor_id
        assert (appointment.client_name, appointment.client_phone) == (
            "Mira Testfrau", "+49 385 555 0101")
        assert (appointment.language_code, appointment.locale) == ("ru", "uk")
        assert (appointment.service_id, appointment.location_id, appointment.source) == (
            "follow-up", "schwerin", "desk")
        assert appointment.end_at - appointment.start_at == timedelta(minutes=30)
        assert appointment.consent_at is not None
    assert response.headers["Location"] == f"/staff/appointments/{booked[0].reference}"
    invitations = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "appointment.booked",
        OutboxMessage.payload["recipient"].as_string() == "client")).all()
    assert sorted(m.appointment_id for m in invitations) == sorted(a.id for a in booked)


def test_a_clash_offers_alternatives_and_books_the_chosen_one(sign_in, original):
    katrin = counsellor(COUNSELLOR_VSP)
    db.session.add(Absence(counsellor_id=katrin.id, start_at=berlin(date(2027, 3, 4), 0),
                           end_at=berlin(date(2027, 3, 5), 0)))
    db.session.commit()
    client = sign_in(COUNSELLOR_VSP)
    html = preview(client).get_data(as_text=True)
    assert html.count('>Free<') == 2 and html.count('>Not free<') == 1
    alternatives = radio_values(html, "occurrence-2")
    assert 2 <= len(alternatives) <= 5 and alternatives[-1] == "skip"
    planned = {berlin(date(2027, 2, 18), 10), berlin(date(2027, 3, 18), 10)}
    for value in alternatives[:-1]:
        start = datetime.fromisoformat(value)
        assert start.astimezone(BERLIN).date() != date(2027, 3, 4)
        assert start not in planned

    fields = hidden_fields(html)
    choice = alternatives[0]
    response = client.post(URL, data={**fields, "occurrence-2": choice, "action": "book"})
    assert response.status_code == 303
    assert [a.start_at for a in follow_ups()] == [
        berlin(date(2027, 2, 18), 10), datetime.fromisoformat(choice),
        berlin(date(2027, 3, 18), 10)]
    assert {a.counsellor_id for a in follow_ups()} == {katrin.id}


def test_a_clash_can_be_skipped_but_not_left_open(sign_in, original):
    create_appointment(counsellor(COUNSELLOR_VSP), db.session.get_one(Location, "schwerin"),
                       db.session.get_one(Service, "follow-up"),
                       start_at=berlin(date(2027, 3, 4), 10), client_name="Someone Else")
    db.session.commit()
    client = sign_in(STAFF_VSP)
    fields = hidden_fields(preview(client).get_data(as_text=True))
    assert "occurrence-2" not in fields

    missing = client.post(URL, data={**fields, "action": "book"}, headers=EN)
    assert missing.status_code == 422
    assert "Please choose a time or “skip”" in missing.get_data(as_text=True)
    assert follow_ups() == []

    response = client.post(URL, data={**fields, "occurrence-2": "skip", "action": "book"})
    assert response.status_code == 303
    assert [a.start_at for a in follow_ups()] == [berlin(date(2027, 2, 18), 10),
                                                  berlin(date(2027, 3, 18), 10)]


def test_a_time_taken_between_preview_and_booking_books_nothing(sign_in, original):
    client = sign_in(STAFF_VSP)
    fields = hidden_fields(preview(client).get_data(as_text=True))
    assert len([k for k in fields if k.startswith("occurrence-")]) == 3

    # Meanwhile a colleague books the counsellor's time of the third appointment.
    create_appointment(counsellor(COUNSELLOR_VSP), db.session.get_one(Location, "schwerin"),
                       db.session.get_one(Service, "follow-up"),
                       start_at=berlin(date(2027, 3, 18), 10), client_name="Someone Else")
    db.session.commit()
    messages_before = db.session.scalar(select(func.count(OutboxMessage.id)))

    response = client.post(URL, data={**fields, "action": "book"}, headers=EN)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Nothing has been booked" in html
    assert html.count(">Free<") == 2 and html.count(">Not free<") == 1
    assert len(radio_values(html, "occurrence-3")) >= 2  # fresh alternatives and "skip"
    assert follow_ups() == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == messages_before


def test_changing_the_plan_goes_back_to_the_form(sign_in, original):
    client = sign_in(STAFF_VSP)
    fields = hidden_fields(preview(client, count=2).get_data(as_text=True))
    response = client.post(URL, data={**fields, "action": "edit"}, headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Check the times" in html and 'value="2027-02-18"' in html
    assert follow_ups() == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"first_on": "2027-01-20"}, "first_on", "cannot be in the past"),
    ({"first_on": "2027-02-30"}, "first_on", "Please enter the date of the first appointment"),
    ({"first_on": ""}, "first_on", "Please enter the date of the first appointment"),
    ({"first_on": "2027-09-01"}, "first_on", "can be booked up to"),
    ({"start_time": "25:00"}, "start_time", "Please enter the start time"),
    ({"service": "first-consultation", "channel": "video"}, "channel", "is not offered"),
    ({"count": "13"}, "count", ""),
    ({"every_n_weeks": "0"}, "every_n_weeks", ""),
    ({"location": "rostock"}, "location", ""),
    ({"service": "nonsense"}, "service", ""),
])
def test_bad_input_is_answered_with_the_form(sign_in, original, changes, field, message):
    response = preview(sign_in(STAFF_VSP), **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="error-{field}"' in html and message in html
    assert follow_ups() == []


def test_choices_that_are_not_times_are_refused(sign_in, original):
    client = sign_in(STAFF_VSP)
    fields = hidden_fields(preview(client, count=2).get_data(as_text=True))
    for bad in ({"occurrence-1": "tomorrow"}, {"occurrence-1": "2027-02-18T10:00:00"},
                {"occurrence-1": "skip", "occurrence-2": "skip"},
                {"occurrence-2": fields["occurrence-1"]}):
        response = client.post(URL, data={**fields, **bad, "action": "book"})
        assert response.status_code == 422, bad
    assert follow_ups() == []


def test_follow_ups_stay_within_the_users_reach(sign_in, original):
    assert sign_in(COUNSELLOR_VSP_OTHER).get(URL).status_code == 404
    assert sign_in(STAFF_MIGRA).post(URL, data={**series(), "action": "book"}).status_code == 404
    assert follow_ups() == []


def test_a_race_lost_in_the_database_mid_series_is_reported(app, original, monkeypatch):
    """book_appointment rolls the whole transaction back when the database refuses a booking
    (a lost race) and tries again; the series' earlier bookings went with that rollback, so
    the series must stop instead of finishing half-booked."""
    from booking.agenda import services
    from booking.domain.series import SeriesPlan

    real_book = services.booking.book_appointment
    calls = []

    def losing_the_second_race(request, *, now):
        calls.append(request.start_at)
        if len(calls) == 2:
            db.session.rollback()  # what book_appointment does on IntegrityError
        return real_book(request, now=now)

    monkeypatch.setattr(services.booking, "book_appointment", losing_the_second_race)
    follow_up = services.FollowUp(
        original, db.session.get_one(Service, "follow-up"),
        db.session.get_one(Location, "schwerin"), "in_person",
        SeriesPlan(date(2027, 2, 18), time(10), 2, 2))
    starts = follow_up.series.starts(BERLIN)
    with pytest.raises(services.SeriesInterrupted):
        services.book_follow_up(follow_up, starts, user_id=None, now=app.config["CLOCK"]())
    db.session.rollback()
    assert follow_ups() == []


def test_a_long_series_is_checked_with_as_many_queries_as_one_appointment(
        sign_in, original, count_queries):
    """One run of the slot engine covers the whole plan, however many of its appointments
    there are and however many are taken (each taken one needs alternatives)."""
    katrin = counsellor(COUNSELLOR_VSP)
    db.session.add(Absence(counsellor_id=katrin.id, start_at=berlin(date(2027, 2, 18), 0),
                           end_at=berlin(date(2027, 4, 1), 0)))
    db.session.commit()
    client = sign_in(COUNSELLOR_VSP)
    queries = []
    for count in (1, 6):
        count_queries.clear()
        html = preview(client, count=count, every=1).get_data(as_text=True)
        assert html.count(">Not free<") == count
        queries.append(len(count_queries))
    assert queries[0] == queries[1]


def test_appointments_beyond_the_booking_horizon_are_marked(sign_in, original):
    """The horizon ends 90 days after 1 February 2027: the second and third appointments lie
    beyond it and get no alternatives; the first is free."""
    html = preview(sign_in(STAFF_VSP), first_on="2027-04-15", every=4).get_data(as_text=True)
    assert html.count(">Free<") == 1 and html.count(">Not free<") == 2
    assert html.count("This date is too far ahead to be booked yet.") == 2
    assert radio_values(html, "occurrence-2") == radio_values(html, "occurrence-3") == ["skip"]
