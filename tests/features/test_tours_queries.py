"""The tour pages and use cases read each table once, however many stops, days or clients:
no query per stop (venues), per day of a series (working hours) or per client (slot search)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.tours import notifications
from booking.tours.services import cancel_tour, publish_tour
from tests.conftest import COUNSELLOR_VSP_OTHER, STAFF_VSP
from tests.factories import create_appointment
from tests.features.booking_helpers import book, free_slots
from tests.features.tour_helpers import TOUR_DAY, draft_tour, katrin, tour_form

THREE_STOPS = (("wismar", 60), ("gadebusch", 60), ("grevesmuehlen", 60))


def _queries(count_queries, request) -> int:
    count_queries.clear()
    response = request()
    assert response.status_code == 200
    return len(count_queries)


def test_the_tour_page_reads_the_venues_at_once(sign_in, count_queries):
    one = draft_tour(stops=(("wismar", 120),)).id
    three = draft_tour(date(2027, 2, 16), stops=THREE_STOPS).id
    client = sign_in(STAFF_VSP)
    client.get(f"/staff/tours/{one}")  # warm up
    assert _queries(count_queries, lambda: client.get(f"/staff/tours/{three}")) == \
        _queries(count_queries, lambda: client.get(f"/staff/tours/{one}"))
    venues = [s for s in count_queries if s.lstrip().startswith("SELECT locations.")]
    assert len(venues) == 1, count_queries


def test_previews_do_not_query_per_stop_or_per_day(sign_in, count_queries):
    client = sign_in(STAFF_VSP)
    counsellor_id = katrin().id

    def preview(stops, **fields):
        return lambda: client.post("/staff/tours/new",
                                   data=tour_form(counsellor_id, stops=stops, **fields))

    one_stop = _queries(count_queries, preview([("wismar", 60)]))
    assert _queries(count_queries, preview(list(THREE_STOPS))) == one_stop
    two_days = _queries(count_queries, preview([("wismar", 60)], repeat="monthly", count="2"))
    assert _queries(count_queries, preview([("wismar", 60)], repeat="monthly",
                                           count="12")) == two_days


def test_cancelling_searches_other_times_once_per_service_and_language(demo, monkeypatch):
    tour = draft_tour()
    assert publish_tour(tour) == []
    db.session.commit()
    for n, stop in enumerate(tour.stops):
        slot = free_slots(stop.location_id, "first-consultation", "de", TOUR_DAY)[0]
        book(slot, service_id="first-consultation", email=f"client{n}@example.org")
    searches = []
    real = notifications.find_free_slots
    monkeypatch.setattr(notifications, "find_free_slots",
                        lambda **kw: searches.append(kw) or real(**kw))
    assert cancel_tour(tour) == 2
    assert len(searches) == 1


def test_other_counsellors_at_the_venue_are_not_the_tours(sign_in):
    """Another counsellor's appointment at a stop's venue during its window is neither
    counted as booked into the tour nor cancelled with it."""
    tour = draft_tour()
    assert publish_tour(tour) == []
    stop = tour.stops[0]
    other = db.session.scalar(select(Counsellor).where(
        Counsellor.email == COUNSELLOR_VSP_OTHER))
    theirs = create_appointment(other, db.session.get_one(Location, stop.location_id),
                                db.session.get_one(Service, "first-consultation"),
                                start_at=stop.start_at, status="confirmed")
    db.session.commit()
    client = sign_in(STAFF_VSP)
    assert theirs.reference not in client.get(f"/staff/tours/{tour.id}").get_data(as_text=True)
    client.post(f"/staff/tours/{tour.id}/cancel", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Appointment, theirs.id).status == "confirmed"
