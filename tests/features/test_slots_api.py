"""The public catalogue and availability API on the demo network."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking.availability.models import Absence
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from tests.factories import create_appointment

BERLIN = ZoneInfo("Europe/Berlin")


def get(client, url, lang="de"):
    response = client.get(url, headers={"Accept-Language": lang})
    return response.status_code, response.get_json()


def slots(client, **params):
    query = "&".join(f"{k}={v}" for k, v in {"service": "first-consultation", **params}.items())
    status, body = get(client, f"/api/v1/slots?{query}")
    assert status == 200, body
    return body["slots"]


def test_locations_list_offices_and_mobile_venues(client, demo):
    status, body = get(client, "/api/v1/locations")
    assert status == 200
    by_id = {loc["id"]: loc for loc in body}
    assert len(body) == 36
    assert by_id["schwerin"]["address"] == "Mecklenburgstraße 9, 19053 Schwerin"
    assert by_id["schwerin"]["kind"] == "office"
    assert by_id["stralsund"]["kind"] == "mobile"
    assert by_id["stralsund"]["organisation"] == "migra"
    assert by_id["greifswald"]["lat"] == pytest.approx(54.095, abs=0.01)


def test_services_in_the_readers_language_with_german_fallback(client, demo):
    db.session.delete(db.session.get(ServiceTranslation, ("first-consultation", "uk")))
    db.session.commit()
    _, german = get(client, "/api/v1/services", "de")
    _, english = get(client, "/api/v1/services", "en")
    _, ukrainian = get(client, "/api/v1/services", "uk")
    assert [s["id"] for s in german] == ["first-consultation", "qualification-counselling",
                                         "follow-up"]
    assert german[0]["name"] == "Erstberatung zur Anerkennung"
    assert english[0]["name"] == "First consultation on recognition"
    assert ukrainian[0]["name"] == german[0]["name"]  # no Ukrainian text: German
    assert ukrainian[1]["name"] == "Консультація щодо кваліфікації" or \
        ukrainian[1]["name"] != german[1]["name"]
    assert german[0]["duration_minutes"] == 60
    assert german[0]["interpreter_duration_minutes"] == 90


def test_languages_on_offer_with_native_names_and_direction(client, demo):
    _, body = get(client, "/api/v1/languages", "de")
    by_code = {lang["code"]: lang for lang in body}
    assert {"ar", "fa", "prs", "ps", "uk", "ru", "pl", "ro", "tr", "en", "de"} <= set(by_code)
    assert by_code["ar"] == {"code": "ar", "name": "Arabisch", "native_name": "العربية",
                             "direction": "rtl"}
    assert by_code["prs"]["native_name"] == "دری" and by_code["prs"]["direction"] == "rtl"
    assert by_code["uk"]["native_name"] == "українська"
    _, english = get(client, "/api/v1/languages", "en")
    assert {lang["code"]: lang["name"] for lang in english}["ar"] == "Arabic"


def test_slots_for_arabic_in_greifswald_are_with_the_arabic_speaker(client, demo):
    found = slots(client, location="greifswald", language="ar", start="2027-02-02",
                  end="2027-02-03")
    assert found and {s["counsellor_name"] for s in found} == {"Hannah Probe"}
    assert not any(s["interpreter"] for s in found)
    first = datetime.fromisoformat(found[0]["start"])
    assert first.utcoffset() == timedelta(hours=1)
    assert first.time().isoformat() == "09:00:00"
    assert "ar" in found[0]["languages"]


def test_slots_fall_back_to_an_interpreter(client, demo):
    # Nobody in Rostock speaks Pashto: every slot needs an interpreter and takes 90 minutes.
    found = slots(client, location="rostock", language="ps", start="2027-02-02",
                  end="2027-02-03")
    assert found and all(s["interpreter"] for s in found)
    for s in found:
        length = datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])
        assert length == timedelta(minutes=90)


def test_booked_time_and_absences_disappear_from_the_slots(client, demo):
    counsellor = db.session.scalar(select(Counsellor).where(
        Counsellor.display_name == "Ahmad Misali"))
    office = db.session.get(Location, "greifswald")
    service = db.session.get(Service, "first-consultation")
    start = datetime(2027, 2, 4, 10, tzinfo=BERLIN)  # Thursday 10:00
    create_appointment(counsellor, office, service, start_at=start)
    db.session.add(Absence(counsellor_id=counsellor.id,
                           start_at=datetime(2027, 2, 5, 0, tzinfo=BERLIN),
                           end_at=datetime(2027, 2, 6, 0, tzinfo=BERLIN)))
    db.session.commit()
    found = slots(client, location="greifswald", language="prs", start="2027-02-04",
                  end="2027-02-06")
    starts = {s["start"][:16] for s in found}
    # 10:00–11:00 plus 15 minutes buffer either side blocks 09:00 … 11:00 starts.
    assert "2027-02-04T08:30" in starts and "2027-02-04T11:30" in starts
    assert not {"2027-02-04T09:00", "2027-02-04T10:00", "2027-02-04T11:00"} & starts
    assert not any(s.startswith("2027-02-05") for s in starts)


def test_no_slots_on_frauentag(client, demo):
    found = slots(client, location="schwerin", start="2027-03-08", end="2027-03-10")
    days = {s["start"][:10] for s in found}
    assert days == {"2027-03-09"}


def test_minimum_notice_applies(client, demo, frozen_now):
    found = slots(client, start="2027-02-01", end="2027-02-03")
    earliest = min(datetime.fromisoformat(s["start"]) for s in found)
    # Monday 07:00 plus 12 hours of notice: nothing is left on Monday, Tuesday opens normally.
    assert earliest >= frozen_now + timedelta(hours=12)
    assert earliest == datetime(2027, 2, 2, 8, tzinfo=BERLIN)


def test_days_come_from_the_same_engine_as_the_slots(client, demo):
    status, body = get(client, "/api/v1/days?service=follow-up&location=rostock&language=uk"
                               "&month=2027-03")
    assert status == 200 and body["month"] == "2027-03"
    every_slot = slots(client, service="follow-up", location="rostock", language="uk",
                       start="2027-03-01", end="2027-04-01")
    per_day = {}
    for s in every_slot:
        per_day[s["start"][:10]] = per_day.get(s["start"][:10], 0) + 1
    assert {d["date"]: d["slots"] for d in body["days"]} == per_day
    assert "2027-03-08" not in per_day  # Frauentag
    assert all(date.fromisoformat(d).weekday() < 5 for d in per_day)


@pytest.mark.parametrize("query, code, parameter", [
    ("", "missing_parameter", "service"),
    ("service=nope", "unknown_service", "service"),
    ("service=follow-up&location=atlantis", "unknown_location", "location"),
    ("service=follow-up&language=klingon", "unknown_language", "language"),
    ("service=follow-up&language=xx", "unknown_language", "language"),
    ("service=follow-up&start=2027-02-30", "invalid_date", "start"),
    ("service=follow-up&start=tomorrow", "invalid_date", "start"),
    ("service=follow-up&start=2027-2-1", "invalid_date", "start"),
    ("service=follow-up&start=2027-02-01&end=2027-02-01", "invalid_window", "end"),
    ("service=follow-up&start=2027-02-01&end=2028-02-01", "window_too_long", "end"),
])
def test_bad_slot_queries_get_a_clear_400(client, demo, query, code, parameter):
    status, body = get(client, f"/api/v1/slots?{query}")
    assert status == 400
    assert body["error"] == code and body["parameter"] == parameter and body["message"]


def test_bad_month_gets_a_clear_400(client, demo):
    status, body = get(client, "/api/v1/days?service=follow-up&month=2027-13")
    assert status == 400 and body["error"] == "invalid_month"


def test_error_messages_follow_the_readers_language(client, demo):
    _, german = get(client, "/api/v1/slots?service=nope", "de")
    _, english = get(client, "/api/v1/slots?service=nope", "en")
    assert german["message"] == "Es gibt kein Angebot mit der Kennung nope."
    assert english["message"] == "There is no service with the id nope."


def test_one_query_per_table_whatever_the_window_or_bookings(client, demo, count_queries):
    def queries_for(url):
        count_queries.clear()
        assert client.get(url).status_code == 200
        return len(count_queries)

    one_day = queries_for("/api/v1/slots?service=first-consultation&start=2027-02-02"
                          "&end=2027-02-03")
    four_weeks = queries_for("/api/v1/slots?service=first-consultation&start=2027-02-02"
                             "&end=2027-03-02")
    service = db.session.get(Service, "follow-up")
    for counsellor in db.session.scalars(select(Counsellor)):
        office = db.session.get(Location, counsellor.home_location_id)
        for week in range(4):
            create_appointment(counsellor, office, service,
                               start_at=datetime(2027, 2, 3, 9, tzinfo=BERLIN)
                               + timedelta(weeks=week))
    db.session.commit()
    booked = queries_for("/api/v1/slots?service=first-consultation&start=2027-02-02"
                         "&end=2027-03-02")
    assert one_day == four_weeks == booked
    # service, locations, rules, published tours, counsellors+languages, appointments,
    # absences, external busy times, waiting-list holds, closures
    assert booked <= 10, count_queries
