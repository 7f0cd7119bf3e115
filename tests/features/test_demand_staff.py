"""The staff's demand page: per-town table weighted by waiting time, map, tenant separation,
and suggested tours that cover the heaviest towns on a day one counsellor can do."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from booking import clock
from booking.availability.models import Absence, WeeklyHours
from booking.availability.services import booking_timezone
from booking.demand.figures import town_demand, waiting_weight
from booking.demand.models import InterestRegistration
from booking.demand.services import InterestRequest, register_interest
from booking.demand.suggestions import COUNSELLING_MINUTES, LEAD_DAYS, suggest_tours
from booking.domain.calendar_rules import public_holidays
from booking.domain.tours import LEGAL_LIMIT, TourRequest, TourStop, plan_tour
from booking.extensions import db
from booking.tours.travel import travel_function
from tests.conftest import ADMIN, COUNSELLOR_VSP, STAFF_MIGRA, STAFF_VSP
from tests.factories import create_tour

NOW = datetime(2027, 2, 1, 6, 0, tzinfo=UTC)


def register(town: str, *, days_ago: int = 0, language: str = "ar", name: str = "Amal",
             service: str = "first-consultation") -> None:
    registration = register_interest(InterestRequest(
        town_id=town, service_id=service, language=language, name=name,
        email=f"{name.lower()}.{town}.{days_ago}@example.org", consent=True, locale="en"),
        now=clock.now())
    registration.created_at = clock.now() - timedelta(days=days_ago)
    db.session.flush()


@pytest.fixture
def waiting(demo):
    """vsp: Wismar 3 people (weighted 1 + 2 + 1.5 = 4.5), Gadebusch 1 (waiting 60 days: 3);
    migra: Stralsund 1."""
    register("wismar", name="Amal")
    register("wismar", days_ago=30, name="Bashir", language="uk")
    register("wismar", days_ago=15, name="Chadi")
    register("gadebusch", days_ago=60, name="Dana", language="ru",
             service="qualification-counselling")
    register("stralsund", name="Emre", language="tr")
    db.session.commit()


def test_weight_grows_with_waiting_time():
    assert waiting_weight(NOW, NOW) == 1
    assert waiting_weight(NOW - timedelta(days=30), NOW) == 2
    assert waiting_weight(NOW - timedelta(days=15, hours=23), NOW) == 1.5  # whole days
    assert waiting_weight(NOW + timedelta(days=1), NOW) == 1  # a clock skew is no bonus


def test_town_demand_is_weighted_and_per_organisation(waiting):
    rows = town_demand("vsp", clock.now())
    assert [(r.town.id, r.waiting, r.weight, r.longest_wait_days) for r in rows] == [
        ("wismar", 3, 4.5, 30), ("gadebusch", 1, 3.0, 60)]
    assert rows[0].top_languages == [("ar", 2), ("uk", 1)]
    assert [r.town.id for r in town_demand(None, clock.now())] == [
        "wismar", "gadebusch", "stralsund"]
    # Withdrawn and invited people are no longer waiting.
    bashir, chadi = db.session.scalars(select(InterestRegistration).where(
        InterestRegistration.client_name.in_(("Bashir", "Chadi")))
        .order_by(InterestRegistration.client_name))
    bashir.status, chadi.status = "withdrawn", "invited"
    db.session.commit()
    assert [(r.town.id, r.weight) for r in town_demand("vsp", clock.now())] == [
        ("gadebusch", 3.0), ("wismar", 1.0)]


def test_staff_see_their_organisations_demand_only(sign_in, waiting):
    client = sign_in(STAFF_VSP)
    page = client.get("/staff/demand").get_data(as_text=True)
    assert "Wismar" in page and "Gadebusch" in page
    assert "Stralsund" not in page
    assert "4.5" in page and "3.0" in page
    german = sign_in(STAFF_VSP, language="de").get("/staff/demand").get_data(as_text=True)
    assert "4,5" in german  # numbers in the reader's format
    assert "1 + days waiting" in page  # the formula is on the page
    assert "<svg" in page and "mv-map" in page
    assert "Amal" not in page  # the overview shows counts only
    assert client.get("/staff/demand?organisation=migra").status_code == 404
    assert client.get("/staff/demand/towns/stralsund").status_code == 404
    assert client.get("/staff/demand/towns/atlantis").status_code == 404

    town = client.get("/staff/demand/towns/wismar")
    assert town.status_code == 200
    listed = town.get_data(as_text=True)
    assert all(name in listed for name in ("Amal", "Bashir", "Chadi"))
    assert "Dana" not in listed

    other = sign_in(STAFF_MIGRA)
    assert "Stralsund" in other.get("/staff/demand").get_data(as_text=True)
    assert other.get("/staff/demand/towns/wismar").status_code == 404


def test_administrators_see_counts_for_the_network_or_one_organisation(sign_in, waiting):
    client = sign_in(ADMIN)
    page = client.get("/staff/demand").get_data(as_text=True)
    assert all(town in page for town in ("Wismar", "Gadebusch", "Stralsund"))
    assert not any(name in page for name in ("Amal", "Bashir", "Emre"))
    assert "/staff/demand/towns/" not in page
    one = client.get("/staff/demand?organisation=migra").get_data(as_text=True)
    assert "Stralsund" in one and "Wismar" not in one
    assert client.get("/staff/demand?organisation=nowhere").status_code == 404
    assert client.get("/staff/demand/towns/wismar").status_code == 403


def _working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day, day)


def test_suggestion_covers_the_heaviest_towns_and_is_feasible(demo):
    for town, people in (("wismar", 5), ("grevesmuehlen", 3), ("boizenburg", 2),
                         ("sternberg", 1)):
        for number in range(people):
            register(town, days_ago=number, name=f"P{number}")
    register("stralsund", days_ago=90, name="Migra")  # another organisation's demand
    db.session.commit()

    suggestions = suggest_tours("vsp", clock.now())
    assert {t.town.id for s in suggestions for t in s.towns} <= {
        "wismar", "grevesmuehlen", "boizenburg", "sternberg"}
    first = suggestions[0]
    assert {"wismar", "grevesmuehlen"} <= {t.town.id for t in first.towns}
    assert first.weight == max(s.weight for s in suggestions)
    assert len(first.towns) <= 4
    assert [v.town_id for v in first.venues] == [t.town.id for t in first.towns]
    assert first.people == sum(t.waiting for t in first.towns)

    today = date(2027, 2, 1)
    assert today + timedelta(days=LEAD_DAYS) <= first.day <= today + timedelta(weeks=6)
    assert _working_day(first.day)
    assert first.language == "ar" and first.speaks_language
    assert "ar" in {lang.language_code for lang in first.counsellor.languages}
    assert first.counsellor.organisation_id == "vsp"
    assert first.day.weekday() in {h.weekday for h in db.session.scalars(select(WeeklyHours)
                                   .where(WeeklyHours.counsellor_id == first.counsellor.id))}

    # Checked again with the planner, independently: one counsellor can do that day.
    plan = plan_tour(TourRequest(
        day=first.day, start_office_id="schwerin", end_office_id="schwerin",
        stops=tuple(TourStop(t.town.id, COUNSELLING_MINUTES) for t in first.towns),
        tz=booking_timezone()), travel_function())
    assert plan.is_feasible
    assert plan.total_working <= LEGAL_LIMIT
    assert first.plan.is_feasible and first.plan.visits


def test_suggested_day_avoids_absences_and_published_tours(demo):
    register("wismar")
    db.session.commit()
    first = suggest_tours("vsp", clock.now())[0]
    counsellor = first.counsellor
    tz = booking_timezone()
    absence_day = first.day
    db.session.add(Absence(
        counsellor_id=counsellor.id,
        start_at=datetime.combine(absence_day, time(0), tzinfo=tz).astimezone(UTC),
        end_at=datetime.combine(absence_day + timedelta(days=1), time(0),
                                tzinfo=tz).astimezone(UTC)))
    next_day = absence_day + timedelta(days=1)
    while not _working_day(next_day):
        next_day += timedelta(days=1)
    create_tour(counsellor, next_day, [("grevesmuehlen", time(10), time(12))])
    db.session.commit()
    again = suggest_tours("vsp", clock.now())[0]
    assert again.counsellor.id != counsellor.id or again.day not in (absence_day, next_day)
    assert (again.counsellor.id, again.day) != (counsellor.id, absence_day)
    assert (again.counsellor.id, again.day) != (counsellor.id, next_day)


def test_staff_page_lists_suggestions_with_a_link_to_the_planner(app, sign_in, waiting):
    page = sign_in(STAFF_VSP).get("/staff/demand").get_data(as_text=True)
    assert "Suggested tours" in page
    assert "Wismar" in page.split("Suggested tours", 1)[1]
    if "tours.new" in app.view_functions:
        assert "/staff/tours/new?" in page
        assert "venues=" in page and "start=schwerin" in page


def test_counsellors_have_no_demand_page(sign_in, waiting):
    assert sign_in(COUNSELLOR_VSP).get("/staff/demand").status_code == 403
