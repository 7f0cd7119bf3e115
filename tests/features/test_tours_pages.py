"""Tour planning pages for office staff: preview, refusals, save, publish, delete, access."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.availability.models import Absence
from booking.catalogue.models import Service
from booking.extensions import db
from booking.network.models import Location
from booking.tours.models import Tour
from booking.tours.services import StopWish, plan_tour_for
from tests.conftest import ADMIN, COUNSELLOR_VSP, STAFF_MIGRA, STAFF_VSP
from tests.factories import create_appointment
from tests.features.tour_helpers import TOUR_DAY, draft_tour, katrin, tour_form


def _tours() -> list[Tour]:
    db.session.expire_all()
    return list(db.session.scalars(select(Tour).order_by(Tour.id)))


def test_preview_shows_the_itinerary_and_the_map(sign_in):
    client = sign_in(STAFF_VSP)
    response = client.post("/staff/tours/new", data=tour_form(katrin().id))
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("\u202f", " ")
    assert "Itinerary" in page and "Grevesmühlen" in page and "Wismar" in page
    # Katrin works 09:00–16:00 on Tuesdays: she leaves at nine, the first drive is 40 min.
    assert "9:00 AM" in page and "40 min" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="mv-map" role="img"' in page
    assert "10 h 00 min" in page  # the legal limit next to the working time
    assert _tours() == []  # a preview saves nothing


def test_the_form_is_prefilled_from_the_query(sign_in):
    counsellor = katrin()
    response = sign_in(STAFF_VSP).get(
        f"/staff/tours/new?counsellor={counsellor.id}&day=2027-02-09&start=schwerin"
        "&end=schwerin&venues=wismar,gadebusch")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<option selected value="{counsellor.id}">' in page
    assert 'value="2027-02-09"' in page
    assert '<option selected value="wismar">' in page
    assert '<option selected value="gadebusch">' in page


def test_junk_prefill_is_ignored(sign_in):
    response = sign_in(STAFF_VSP).get("/staff/tours/new?counsellor=x&day=2027-02-31"
                                      "&venues=nowhere,,rostock")
    assert response.status_code == 200


@pytest.mark.parametrize(("day", "stops", "message"), [
    (TOUR_DAY, [("wismar", 120, "", "09:30")],
     "The counselling in Wismar cannot end by the time you set."),
    # Katrin does not work on Fridays: no working window, only the legal limit.
    ("2027-02-12", [("wismar", 240), ("grevesmuehlen", 240), ("gadebusch", 240)],
     "The day would be longer than 10 working hours including the drives"),
    (TOUR_DAY, [("wismar", 180), ("hagenow", 180)],
     "working hours that day, first at Wismar. Drop a stop"),
])
def test_refusals_are_explained_naming_the_stop(sign_in, day, stops, message):
    client = sign_in(STAFF_VSP)
    day = str(day)
    preview = client.post("/staff/tours/new", data=tour_form(katrin().id, day, stops))
    assert preview.status_code == 200
    assert message in preview.get_data(as_text=True)
    saved = client.post("/staff/tours/new",
                        data=tour_form(katrin().id, day, stops, action="save"))
    assert saved.status_code == 422
    assert message in saved.get_data(as_text=True)
    assert _tours() == []


def test_a_town_twice_is_refused(sign_in):
    response = sign_in(STAFF_VSP).post("/staff/tours/new", data=tour_form(
        katrin().id, stops=[("wismar", 60), ("wismar", 60)]))
    assert "Wismar is in the tour twice" in response.get_data(as_text=True)


def test_form_errors_are_shown_per_field(sign_in):
    data = tour_form(katrin().id, day="2027-01-15", stops=[("wismar", 5, "12:00", "11:00")],
                     setup_minutes="lots")
    response = sign_in(STAFF_VSP).post("/staff/tours/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The day lies in the past." in page
    assert 'href="#stops-0-minutes"' in page and "from 15 to 600" in page
    assert 'id="error-stops-0-latest_end"' in page
    assert "Please enter a whole number." in page


def test_no_stop_chosen(sign_in):
    response = sign_in(STAFF_VSP).post("/staff/tours/new",
                                       data=tour_form(katrin().id, stops=[]))
    assert response.status_code == 422
    assert "Please choose at least one town to visit." in response.get_data(as_text=True)


def test_more_stop_rows_without_javascript(sign_in):
    response = sign_in(STAFF_VSP).post("/staff/tours/new",
                                       data=tour_form(katrin().id, action="more"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Two stops entered, padded to four rows; four more.
    assert 'name="stops-7-venue"' in page and 'name="stops-8-venue"' not in page
    assert '<option selected value="grevesmuehlen">' in page  # what was entered stays


def test_save_then_publish(sign_in, app):
    client = sign_in(STAFF_VSP)
    response = client.post("/staff/tours/new", data=tour_form(
        katrin().id, action="save", public_note="Jobcenter, Raum 12"))
    assert response.status_code == 303
    [tour] = _tours()
    assert response.headers["Location"] == f"/staff/tours/{tour.id}"
    assert (tour.status, tour.organisation_id, tour.public_note) == \
        ("draft", "vsp", "Jobcenter, Raum 12")
    assert [s.location_id for s in tour.stops] == ["grevesmuehlen", "wismar"]
    first = tour.stops[0]
    assert (first.position, first.drive_minutes_before, first.counselling_minutes) == (0, 40, 120)
    assert first.start_at - first.arrive_at == (first.end_at - first.start_at) / 8  # 15 min
    assert tour.drive_minutes == sum(s.drive_minutes_before for s in tour.stops) + 40

    page = client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    assert "Draft" in page and "Publish" in page and "Delete draft" in page

    published = client.post(f"/staff/tours/{tour.id}/publish", follow_redirects=True)
    assert "The tour is published" in published.get_data(as_text=True)
    tour = _tours()[0]
    assert tour.status == "published"
    assert tour.published_at == datetime(2027, 2, 1, 6, 0, tzinfo=UTC)
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.details).where(
        AuditEntry.object_type == "tour")).all()
    assert [a for a, _ in actions] == ["create", "update"]
    assert actions[1][1] == {"status": "published"}
    # The list shows it with its towns.
    listing = client.get("/staff/tours/").get_data(as_text=True)
    assert "Grevesmühlen</bdi>, <bdi>Wismar" in listing and "Published" in listing


def test_publishing_reports_the_invited_people(sign_in, monkeypatch):
    import booking.demand.services as demand

    monkeypatch.setattr(demand, "invite_for_tour", lambda tour: 3)
    tour = draft_tour()
    page = sign_in(STAFF_VSP).post(f"/staff/tours/{tour.id}/publish",
                                   follow_redirects=True).get_data(as_text=True)
    assert "3 people who registered interest were invited." in page


def test_a_published_tour_is_bookable_and_the_office_hours_of_the_day_go(sign_in, client):
    """Needs the lead's engine (booking/tours/engine.py): the windows become slots at the
    venues, the counsellor's office slots that day disappear."""
    tour = draft_tour()
    counsellor_id = tour.counsellor_id
    windows = {s.location_id: (s.start_at, s.end_at) for s in tour.stops}
    sign_in(STAFF_VSP).post(f"/staff/tours/{tour.id}/publish")
    url = "/api/v1/slots?service=first-consultation&location={}&start=2027-02-09&end=2027-02-10"
    slots = client.get(url.format("wismar")).get_json()["slots"]
    assert slots and {s["counsellor"] for s in slots} == {counsellor_id}
    start, end = windows["wismar"]
    for slot in slots:
        assert start <= datetime.fromisoformat(slot["start"]) < \
            datetime.fromisoformat(slot["end"]) <= end
    office = client.get(url.format("schwerin")).get_json()["slots"]
    assert office and counsellor_id not in {s["counsellor"] for s in office}
    before = client.get(url.replace("2027-02-09", "2027-02-16").replace(
        "2027-02-10", "2027-02-17").format("schwerin")).get_json()["slots"]
    assert counsellor_id in {s["counsellor"] for s in before}  # other Tuesdays keep them


@pytest.mark.parametrize("problem", ["holiday", "absence", "appointment", "other_tour"])
def test_publishing_is_refused_with_the_reason(sign_in, problem):
    counsellor = katrin()
    day = date(2027, 3, 8) if problem == "holiday" else TOUR_DAY  # Frauentag, a Monday
    tour = draft_tour(day)
    expected = {"holiday": "public holiday",
                "absence": "recorded as absent during the tour",
                "appointment": "booked appointments that day outside the tour",
                "other_tour": "already has a published tour that day"}[problem]
    if problem == "absence":
        db.session.add(Absence(counsellor_id=counsellor.id, start_at=tour.depart_at,
                               end_at=tour.return_at))
    elif problem == "appointment":
        appointment = create_appointment(
            counsellor, db.session.get_one(Location, "schwerin"),
            db.session.get_one(Service, "first-consultation"), status="confirmed",
            start_at=datetime(2027, 2, 9, 14, tzinfo=UTC))
    elif problem == "other_tour":
        other = draft_tour(stops=(("gadebusch", 60),))
        other.status, other.published_at = "published", datetime(2027, 1, 30, tzinfo=UTC)
    db.session.commit()
    client = sign_in(STAFF_VSP)
    page = client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    assert "cannot be published yet" in page and expected in page
    if problem == "appointment":
        assert appointment.reference in page  # listed with a link to move or cancel it
    flashed = client.post(f"/staff/tours/{tour.id}/publish",
                          follow_redirects=True).get_data(as_text=True)
    assert expected in flashed
    assert db.session.get(Tour, tour.id).status == "draft"


def test_delete_a_draft(sign_in):
    tour = draft_tour()
    client = sign_in(STAFF_VSP)
    response = client.post(f"/staff/tours/{tour.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/tours/"
    assert _tours() == []


def test_counsellors_read_their_own_tours_only(sign_in):
    tour = draft_tour()
    client = sign_in(COUNSELLOR_VSP)
    page = client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    assert "Itinerary" in page and "Delete draft" not in page and "Publish" not in page
    assert client.get("/staff/tours/").status_code == 200
    assert client.post(f"/staff/tours/{tour.id}/publish").status_code == 403
    assert client.get("/staff/tours/new").status_code == 403


def test_other_organisations_see_nothing(sign_in):
    tour = draft_tour()
    client = sign_in(STAFF_MIGRA)
    assert client.get(f"/staff/tours/{tour.id}").status_code == 404
    assert client.post(f"/staff/tours/{tour.id}/publish").status_code == 404
    assert "Wismar" not in client.get("/staff/tours/").get_data(as_text=True)
    # Nor can they plan with VSP's counsellor or towns.
    refused = client.post("/staff/tours/new", data=tour_form(katrin().id))
    assert refused.status_code == 422
    assert "Please choose a counsellor." in refused.get_data(as_text=True)
    page = client.get("/staff/tours/new").get_data(as_text=True)
    assert 'value="wismar"' not in page and 'value="stralsund"' in page


def test_plans_across_organisations_are_refused(demo):
    """Administrators may plan for anybody, but a tour keeps to one organisation."""
    plan = plan_tour_for(katrin(), TOUR_DAY, "schwerin", "schwerin",
                         [StopWish("wismar", 60), StopWish("stralsund", 60)])
    assert plan.refusal.code == "other_organisation"
    assert plan.refusal.location.id == "stralsund"


def test_admins_plan_for_anybody(sign_in):
    client = sign_in(ADMIN)
    page = client.get("/staff/tours/new").get_data(as_text=True)
    assert "Katrin Beispiel (vsp)" in page and 'value="stralsund"' in page
    refused = client.post("/staff/tours/new", data=tour_form(
        katrin().id, stops=[("wismar", 60), ("stralsund", 60)]))
    assert "Stralsund belongs to another organisation than the counsellor" in \
        refused.get_data(as_text=True)
    saved = client.post("/staff/tours/new", data=tour_form(katrin().id, action="save"))
    assert saved.status_code == 303
    tour = _tours()[0]
    shown = client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    assert "Itinerary" in shown
