"""``seed-demo`` creates the real network and is idempotent."""

from collections import Counter

from sqlalchemy import select

from booking.availability.models import WeeklyHours
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo.seed import read_towns
from booking.extensions import db
from booking.network.models import Location, Organisation, Town


def _snapshot() -> dict:
    """Every row of every table, as plain tuples, in a stable order."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return snapshot


def test_seed_demo_twice_leaves_the_same_data(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    before = _snapshot()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _snapshot() == before
    assert sum(len(rows) for rows in before.values()) > 100


def test_seed_demo_creates_the_network(runner):
    runner.invoke(args=["seed-demo"])
    orgs = {o.id: o for o in db.session.scalars(select(Organisation))}
    assert set(orgs) == {"vsp", "migra", "genres"}

    offices = {loc.id: loc for loc in db.session.scalars(
        select(Location).where(Location.kind == "office"))}
    assert set(offices) == {"schwerin", "rostock", "neubrandenburg", "greifswald"}
    assert offices["rostock"].organisation_id == "migra"
    assert offices["greifswald"].organisation_id == "genres"
    assert offices["schwerin"].address == "Mecklenburgstraße 9"

    services = {s.id: s for s in db.session.scalars(select(Service))}
    assert {k: s.duration_minutes for k, s in services.items()} == {
        "first-consultation": 60, "qualification-counselling": 60, "follow-up": 30,
    }
    assert services["first-consultation"].text("de").name == "Erstberatung zur Anerkennung"
    assert services["follow-up"].text("so").name == "Folgetermin"  # falls back to German
    assert services["follow-up"].text("uk").name != "Folgetermin"


def test_mobile_venues_belong_to_the_responsible_provider(runner):
    runner.invoke(args=["seed-demo"])
    towns = read_towns()
    assert len(towns) == 32
    mobile = {loc.id: loc for loc in db.session.scalars(
        select(Location).where(Location.kind == "mobile"))}
    assert set(mobile) == {row["town_id"] for row in towns}
    # Which provider serves a town is data, not geography.
    assert mobile["stralsund"].organisation_id == "migra"
    assert mobile["bergen-auf-ruegen"].organisation_id == "migra"
    assert mobile["anklam"].organisation_id == "genres"
    assert mobile["wismar"].organisation_id == "vsp"
    assert db.session.get(Town, "sassnitz").island == "ruegen"


def test_every_office_has_two_counsellors_with_working_day_hours(runner):
    runner.invoke(args=["seed-demo"])
    rules = db.session.scalars(select(WeeklyHours)).all()
    per_office = Counter()
    for _counsellor_id, location_id in {(r.counsellor_id, r.location_id) for r in rules}:
        per_office[location_id] += 1
    assert all(per_office[office] >= 2 for office in
               ("schwerin", "rostock", "neubrandenburg", "greifswald")), per_office
    assert {r.weekday for r in rules} <= {0, 1, 2, 3, 4}
    counsellors = db.session.scalars(select(Counsellor)).all()
    assert all(c.email.endswith("example.org") for c in counsellors)
    spoken = {code for c in counsellors for code in c.language_codes}
    assert {"uk", "ar", "fa", "prs", "ru", "pl", "ro", "tr", "en"} <= spoken


def test_seed_demo_publishes_coming_advice_days_and_people_waiting(runner, frozen_now):
    from datetime import timedelta

    from booking.demand.models import InterestRegistration
    from booking.tours.models import Tour, TravelTime
    from tests.features.booking_helpers import free_slots

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    tours = db.session.scalars(select(Tour).order_by(Tour.day)).all()
    assert tours and {t.status for t in tours} == {"published"}
    assert {t.organisation_id for t in tours} == {"vsp", "migra", "genres"}
    assert all(frozen_now.date() < t.day <= frozen_now.date() + timedelta(days=90)
               for t in tours)
    # Every pair of the 36 places has a drive time, both ways.
    assert db.session.query(TravelTime).count() == 36 * 35
    first = tours[0]
    stop = first.stops[0]
    assert any(s.location_id == stop.location_id
               for s in free_slots(stop.location_id, "first-consultation", "de", first.day))
    waiting = db.session.scalars(select(InterestRegistration)).all()
    assert len(waiting) >= 10 and {r.status for r in waiting} == {"waiting"}
    again = runner.invoke(args=["seed-demo"])
    assert "0 mobile advice days published, 0 people" in again.output
