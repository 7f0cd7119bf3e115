"""Recurring outreach days ("first Tuesday of every month in Wismar"): each day is planned on
its own, holidays and days that cannot be planned are skipped and reported; publishing the
series publishes every draft, each checked on its own."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.tours.models import Tour, TourSeries
from booking.tours.services import (
    Recurrence,
    StopWish,
    TourTemplate,
    create_series,
    occurrences,
)
from tests.conftest import STAFF_VSP
from tests.features.tour_helpers import katrin, tour_form


@pytest.mark.parametrize(("recurrence", "first_day", "rule", "days"), [
    (Recurrence("monthly", nth=1), date(2027, 2, 2), "FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
     ["2027-02-02", "2027-03-02", "2027-04-06", "2027-05-04", "2027-06-01", "2027-07-06"]),
    (Recurrence("monthly", nth=-1), date(2027, 2, 22), "FREQ=MONTHLY;BYDAY=-1MO;COUNT=3",
     ["2027-02-22", "2027-03-29", "2027-04-26"]),
    # A first day that is not the rule's: the rule starts at its next match.
    (Recurrence("monthly", nth=2), date(2027, 2, 1), "FREQ=MONTHLY;BYDAY=2MO;COUNT=2",
     ["2027-02-08", "2027-03-08"]),
    (Recurrence("weekly", interval=2), date(2027, 5, 3), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3",
     ["2027-05-03", "2027-05-17", "2027-05-31"]),
])
def test_rules_are_rfc5545_and_expand_to_the_days(recurrence, first_day, rule, days):
    count = len(days)
    assert recurrence.rule(first_day, count) == rule
    assert [d.isoformat() for d in occurrences(rule, first_day)] == days


def _series_form(first_day: str, **fields) -> dict:
    return tour_form(katrin().id, day=first_day, stops=[("wismar", 180)], action="save",
                     **fields)


def test_first_tuesday_six_times(sign_in):
    client = sign_in(STAFF_VSP)
    preview = client.post("/staff/tours/new", data={
        **_series_form("2027-02-02", repeat="monthly", nth="1", count="6"),
        "action": "preview"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Days of the series" in page and "Tue, Jul 6, 2027" in page
    assert not db.session.scalars(select(Tour)).all()

    response = client.post("/staff/tours/new",
                           data=_series_form("2027-02-02", repeat="monthly", nth="1"))
    assert response.status_code == 303
    series = db.session.scalar(select(TourSeries))
    assert series.rule == "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"
    assert series.organisation_id == "vsp"
    tours = db.session.scalars(select(Tour).order_by(Tour.day)).all()
    assert [t.day.isoformat() for t in tours] == [
        "2027-02-02", "2027-03-02", "2027-04-06", "2027-05-04", "2027-06-01", "2027-07-06"]
    assert {(t.series_id, t.status) for t in tours} == {(series.id, "draft")}
    assert response.headers["Location"] == f"/staff/tours/{tours[0].id}"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This tour belongs to a series of 6 days." in shown
    assert "Publish all drafts of the series" in shown

    published = client.post(f"/staff/tours/{tours[0].id}/publish-series",
                            follow_redirects=True).get_data(as_text=True)
    assert published.count(": published.") == 6
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(Tour))} == {"published"}


def test_a_holiday_is_skipped_and_reported(sign_in):
    """The last Monday of March 2027 is Easter Monday."""
    client = sign_in(STAFF_VSP)
    response = client.post("/staff/tours/new", data=_series_form(
        "2027-02-22", repeat="monthly", nth="-1", count="3"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 tours of the series are saved as drafts." in page
    assert "Mon, Mar 29, 2027 skipped: The day is a public holiday" in page
    days = [t.day for t in db.session.scalars(select(Tour).order_by(Tour.day))]
    assert days == [date(2027, 2, 22), date(2027, 4, 26)]


def test_days_that_cannot_be_planned_are_skipped_with_the_reason(demo):
    """Katrin works six hours on Wednesdays (12:00–18:00): six hours of counselling plus the
    drives fit no Wednesday, and no day of the series is saved."""
    template = TourTemplate(katrin(), "schwerin", "schwerin",
                            (StopWish("wismar", 120, None, None),))
    weekly = create_series(template, date(2027, 2, 2), Recurrence("weekly", interval=1), 2)
    assert len(weekly.tours) == 2 and weekly.skipped == []
    late = TourTemplate(katrin(), "schwerin", "schwerin",
                        (StopWish("wismar", 120, None, None),
                         StopWish("hagenow", 240, None, None)))
    outcome = create_series(late, date(2027, 2, 3), Recurrence("monthly", nth=1), 2)
    assert outcome.series is None and outcome.tours == []
    assert [(o.day, o.problem.code) for o in outcome.skipped] == [
        (date(2027, 2, 3), "outside_working_hours"), (date(2027, 3, 3), "outside_working_hours")]


def test_publishing_a_series_reports_each_day(sign_in):
    client = sign_in(STAFF_VSP)
    client.post("/staff/tours/new", data=_series_form("2027-02-02", repeat="weekly",
                                                      every_n_weeks="1", count="2"))
    first, second = db.session.scalars(select(Tour).order_by(Tour.day)).all()
    # Another published tour that Tuesday keeps the second day back.
    client.post("/staff/tours/new", data=tour_form(katrin().id, day="2027-02-09",
                                                   stops=[("gadebusch", 60)], action="save"))
    other = db.session.scalar(select(Tour).where(Tour.series_id.is_(None)))
    client.post(f"/staff/tours/{other.id}/publish")
    page = client.post(f"/staff/tours/{first.id}/publish-series",
                       follow_redirects=True).get_data(as_text=True)
    assert "Tue, Feb 2, 2027: published." in page
    assert "Tue, Feb 9, 2027: not published. The counsellor already has a published tour" \
        in page
    db.session.expire_all()
    assert (db.session.get(Tour, first.id).status, db.session.get(Tour, second.id).status) == \
        ("published", "draft")
