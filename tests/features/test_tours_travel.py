"""The travel matrix page: estimates and measured drive times; a correction changes the next
plan and is audited."""

from __future__ import annotations

from sqlalchemy import select

from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.tours.models import TravelTime
from tests.conftest import ADMIN, STAFF_MIGRA, STAFF_VSP
from tests.features.tour_helpers import katrin, tour_form


def _text(response) -> str:
    """The page with CLDR's narrow no-break spaces (before AM/PM) as plain ones."""
    return response.get_data(as_text=True).replace("\u202f", " ")


def _minutes(a: str, b: str) -> tuple[int, str]:
    db.session.expire_all()
    row = db.session.get(TravelTime, (a, b))
    return row.minutes, row.source


def test_the_matrix_shows_the_organisations_places(sign_in):
    page = sign_in(STAFF_VSP).get("/staff/tours/travel").get_data(as_text=True)
    assert "Drive times in minutes" in page
    assert "<bdi>Wismar</bdi>" in page and "<bdi>Schwerin</bdi>" in page
    assert "Stralsund" not in page
    assert "No drive time has been measured yet" in page
    other = sign_in(STAFF_MIGRA).get("/staff/tours/travel").get_data(as_text=True)
    assert "<bdi>Stralsund</bdi>" in other and "<bdi>Wismar</bdi>" not in other


def test_a_measured_time_changes_the_next_plan(sign_in):
    client = sign_in(STAFF_VSP)
    form = tour_form(katrin().id, stops=[("wismar", 120)])
    before = _text(client.post("/staff/tours/new", data=form))
    assert "9:40 AM" in before  # 40 minutes estimated
    assert _minutes("schwerin", "wismar") == (40, "estimate")

    response = client.post("/staff/tours/travel", data={
        "from_place": "schwerin", "to_place": "wismar", "minutes": "55", "road_km": "38",
        "both_ways": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The drive time is saved." in page
    assert "55 ✓" in page and "Measured drive times" in page
    assert _minutes("schwerin", "wismar") == (55, "measured")
    assert _minutes("wismar", "schwerin") == (55, "measured")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "travel_time"))
    assert (entry.action, entry.object_id, entry.organisation_id) == \
        ("update", "schwerin>wismar", "vsp")
    assert entry.details == {"minutes": 55, "both_ways": True}

    after = _text(client.post("/staff/tours/new", data=form))
    assert "9:55 AM" in after and "55 min" in after


def test_one_way_only(sign_in):
    sign_in(STAFF_VSP).post("/staff/tours/travel", data={
        "from_place": "wismar", "to_place": "gadebusch", "minutes": "33"})
    assert _minutes("wismar", "gadebusch") == (33, "measured")
    assert _minutes("gadebusch", "wismar")[1] == "estimate"


def test_bad_input_is_explained(sign_in):
    client = sign_in(STAFF_VSP)
    same = client.post("/staff/tours/travel", data={
        "from_place": "wismar", "to_place": "wismar", "minutes": "20", "both_ways": "y"})
    assert same.status_code == 422
    assert "Please choose two different places." in same.get_data(as_text=True)
    foreign = client.post("/staff/tours/travel", data={
        "from_place": "rostock", "to_place": "stralsund", "minutes": "abc"})
    text = foreign.get_data(as_text=True)
    assert foreign.status_code == 422
    assert "Please choose a place from the list." in text
    assert "Please enter a whole number." in text
    assert _minutes("rostock", "stralsund")[1] == "estimate"


def test_administrators_choose_the_organisation(sign_in):
    client = sign_in(ADMIN)
    page = client.get("/staff/tours/travel?organisation=migra").get_data(as_text=True)
    assert "<bdi>Stralsund</bdi>" in page and '<option value="migra" selected>' in page
    response = client.post("/staff/tours/travel", data={
        "organisation": "migra", "from_place": "rostock", "to_place": "stralsund",
        "minutes": "70", "both_ways": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/tours/travel?organisation=migra"
    assert _minutes("stralsund", "rostock") == (70, "measured")


def test_a_measured_time_is_shown_next_to_its_estimate(sign_in):
    client = sign_in(STAFF_VSP)
    # Schwerin–Wismar is in the reference data (40 min); Wismar–Gadebusch is not: the rule of
    # thumb from the coordinates, as the matrix was seeded.
    estimated = _minutes("wismar", "gadebusch")[0]
    for a, b, minutes in (("schwerin", "wismar", "55"), ("wismar", "gadebusch", "90")):
        client.post("/staff/tours/travel", data={"from_place": a, "to_place": b,
                                                 "minutes": minutes, "both_ways": "y"})
    page = client.get("/staff/tours/travel").get_data(as_text=True)
    rows = page.split("Measured drive times", 2)[2]
    assert '<td class="number">55</td>\n    <td class="number">40</td>' in rows
    assert f'<td class="number">90</td>\n    <td class="number">{estimated}</td>' in rows
