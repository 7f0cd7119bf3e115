"""Published tours in the slot engine, the agenda and the feeds: each stop's counselling
window is bookable at its venue, the counsellor's office hours of that day disappear, travel
shows as busy time in the counsellor's feed, and the outreach feed lists the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from booking.counsellors.models import Counsellor
from booking.extensions import db
from tests.conftest import COUNSELLOR_VSP, COUNSELLOR_VSP_OTHER
from tests.factories import create_tour
from tests.features.booking_helpers import book, free_slots
from tests.features.test_feeds import feed_of, unfolded  # noqa: F401 - fixture

TUESDAY = date(2027, 2, 9)  # Katrin Beispiel works 09:00-16:00 in Schwerin on Tuesdays


@pytest.fixture
def katrin(demo):
    return db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))


def berlin(slots) -> list[str]:
    from zoneinfo import ZoneInfo
    return [s.start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for s in slots]


def test_a_published_tour_is_bookable_at_its_stops_and_replaces_the_office_day(katrin):
    assert any(s.counsellor_id == katrin.id for s in free_slots("schwerin",
                                                                "first-consultation",
                                                                "de", TUESDAY))
    assert free_slots("wismar", "first-consultation", "de", TUESDAY) == []
    create_tour(katrin, TUESDAY, [("wismar", time(10), time(12, 30)),
                                  ("grevesmuehlen", time(13, 30), time(15))])
    db.session.commit()

    wismar = free_slots("wismar", "first-consultation", "de", TUESDAY)
    assert {s.counsellor_id for s in wismar} == {katrin.id}
    assert berlin(wismar) == ["10:00", "10:30", "11:00", "11:30"]  # 60 min inside 10:00-12:30
    assert berlin(free_slots("grevesmuehlen", "first-consultation", "de", TUESDAY)) == [
        "13:30", "14:00"]
    # Her office hours that Tuesday are gone; colleagues' hours stay; other days unchanged.
    schwerin = free_slots("schwerin", "first-consultation", "de", TUESDAY)
    assert schwerin and katrin.id not in {s.counsellor_id for s in schwerin}
    assert katrin.id in {s.counsellor_id for s in free_slots(
        "schwerin", "first-consultation", "de", date(2027, 2, 16))}


def test_drafts_and_cancelled_tours_change_nothing(katrin):
    create_tour(katrin, TUESDAY, [("wismar", time(10), time(12))], status="draft")
    create_tour(katrin, date(2027, 2, 16), [("wismar", time(10), time(12))],
                status="cancelled")
    db.session.commit()
    assert free_slots("wismar", "first-consultation", "de", TUESDAY) == []
    assert free_slots("wismar", "first-consultation", "de", date(2027, 2, 16)) == []
    assert katrin.id in {s.counsellor_id for s in free_slots(
        "schwerin", "first-consultation", "de", TUESDAY)}


def test_booking_at_a_stop_takes_the_slot_and_the_language_rule_counts_tour_counsellors(
        katrin, client):
    create_tour(katrin, TUESDAY, [("wismar", time(10), time(12))])
    db.session.commit()
    # Katrin speaks Russian: a Russian consultation is direct, Arabic needs an interpreter.
    russian = free_slots("wismar", "first-consultation", "ru", TUESDAY)
    assert russian and not any(s.interpreter for s in russian)
    arabic = free_slots("wismar", "first-consultation", "ar", TUESDAY)
    assert arabic and all(s.interpreter for s in arabic)
    booked = book(russian[0], service_id="first-consultation", language="ru")
    assert booked.appointment.location_id == "wismar"
    left = free_slots("wismar", "first-consultation", "ru", TUESDAY)
    assert russian[0].start not in {s.start for s in left}
    response = client.get("/api/v1/slots?service=first-consultation&location=wismar"
                          "&start=2027-02-09&end=2027-02-10")
    assert response.status_code == 200
    assert len(response.get_json()["slots"]) == len(left)


def test_the_public_place_list_offers_venues_with_published_tours(katrin, client):
    page = client.get("/book/place?service=first-consultation&language=de").get_data(
        as_text=True)
    assert "Grevesmühlen" not in page
    create_tour(katrin, TUESDAY, [("grevesmuehlen", time(10), time(12))])
    db.session.commit()
    page = client.get("/book/place?service=first-consultation&language=de").get_data(
        as_text=True)
    assert "Grevesmühlen" in page


def test_the_agenda_shows_the_tour_stops_instead_of_office_hours(katrin, sign_in):
    create_tour(katrin, TUESDAY, [("wismar", time(10), time(12))])
    db.session.commit()
    page = sign_in(COUNSELLOR_VSP).get("/staff/agenda?day=2027-02-09").get_data(as_text=True)
    assert "Wismar" in page


def test_counsellor_feed_shows_travel_and_the_outreach_feed_lists_the_day(
        katrin, client, feed_of):  # noqa: F811 - fixture
    path = feed_of("counsellor")
    before = client.get(path)
    create_tour(katrin, TUESDAY, [("wismar", time(10), time(12)),
                                  ("grevesmuehlen", time(13), time(15))],
                public_note="Jobcenter, Raum 2")
    db.session.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    events = list(Calendar.from_ical(after.data).walk("VEVENT"))
    travel = sorted((e.decoded("DTSTART"), str(e["SUMMARY"])) for e in events
                    if e.decoded("DTSTART").date() == TUESDAY and "→" in str(e["SUMMARY"]))
    assert [summary.split(": ", 1)[1] for _, summary in travel] == [
        "Schwerin → Wismar", "Wismar → Grevesmühlen", "Grevesmühlen → Schwerin"]
    assert travel[0][0] == datetime(2027, 2, 9, 8, 5, tzinfo=UTC)  # 09:05 local, 40 min drive
    assert not any(str(e.get("TRANSP", "")) == "TRANSPARENT" and "→" in str(e["SUMMARY"])
                   for e in events)
    mobile = [e for e in events if "Wismar" in str(e["SUMMARY"]) and "→" not in
              str(e["SUMMARY"])]
    assert [e.decoded("DTSTART") for e in mobile] == [datetime(2027, 2, 9, 9, tzinfo=UTC)]

    outreach = client.get("/feeds/outreach.ics")
    text = unfolded(outreach.data)
    assert "Grevesmühlen" in text and "Jobcenter\\, Raum 2" in text and "Katrin" not in text
    days = {(e.decoded("DTSTART"), str(e["LOCATION"]).split(",")[0])
            for e in Calendar.from_ical(outreach.data).walk("VEVENT")}
    assert (datetime(2027, 2, 9, 9, tzinfo=UTC), "Mobile Beratung Wismar") in days


def test_a_colleague_touring_elsewhere_does_not_affect_her_day(katrin, demo):
    olha = db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP_OTHER))
    create_tour(olha, TUESDAY, [("gadebusch", time(10), time(12))])
    db.session.commit()
    assert katrin.id in {s.counsellor_id for s in free_slots(
        "schwerin", "first-consultation", "de", TUESDAY)}


def test_an_empty_month_links_the_next_advice_day_instead_of_the_interest_offer(
        katrin, client):
    url = "/book/day?service=first-consultation&language=de&location=wismar&channel=in_person"
    page = client.get(url).get_data(as_text=True)
    assert "/book/interest" in page  # nothing in the whole horizon: register interest
    create_tour(katrin, date(2027, 3, 2), [("wismar", time(10), time(12))])
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "day=2027-03-02" in page and "/book/interest" not in page
