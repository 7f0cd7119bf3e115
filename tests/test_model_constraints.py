"""The database refuses records that break the model's rules, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from booking.appointments.models import Appointment
from booking.availability.models import Absence, Closure
from booking.counsellors.models import Counsellor
from booking.extensions import db
from tests.factories import (
    create_appointment,
    create_counsellor,
    create_location,
    create_organisation,
    create_weekly_hours,
    dummy_service,
)


@pytest.fixture
def network(app):
    org = create_organisation("org-a")
    other = create_organisation("org-b")
    office = create_location(org, "office-a")
    other_office = create_location(other, "office-b")
    counsellor = create_counsellor(org)
    service = dummy_service()
    db.session.commit()
    return {"org": org, "other": other, "office": office, "other_office": other_office,
            "counsellor": counsellor, "service": service}


def _refused(fn):
    with pytest.raises(IntegrityError):
        fn()
        db.session.flush()
    db.session.rollback()


def test_appointment_must_end_after_it_starts(network):
    start = datetime(2027, 2, 2, 9, tzinfo=UTC)
    _refused(lambda: create_appointment(network["counsellor"], network["office"],
                                        network["service"], start_at=start, end_at=start))
    _refused(lambda: create_appointment(network["counsellor"], network["office"],
                                        network["service"], start_at=start,
                                        end_at=start - timedelta(minutes=30)))
    ok = create_appointment(network["counsellor"], network["office"], network["service"],
                            start_at=start)
    assert ok.end_at - ok.start_at == timedelta(minutes=60)


def test_counsellor_needs_an_organisation(network):
    _refused(lambda: db.session.add(Counsellor(display_name="X", email="x@example.org")))


def test_counsellor_cannot_belong_to_an_unknown_organisation(network):
    _refused(lambda: db.session.add(
        Counsellor(organisation_id="nope", display_name="X", email="x@example.org")))


def test_appointment_cannot_mix_organisations(network):
    # A counsellor of org-a cannot be booked at org-b's office …
    _refused(lambda: create_appointment(network["counsellor"], network["other_office"],
                                        network["service"]))
    # … nor can the appointment claim a different organisation than its counsellor's.
    _refused(lambda: create_appointment(network["counsellor"], network["office"],
                                        network["service"], organisation_id="org-b"))


def test_weekly_hours_need_valid_local_times(network):
    c, office = network["counsellor"], network["office"]
    _refused(lambda: create_weekly_hours(c, office, start=time(16), end=time(9)))
    _refused(lambda: create_weekly_hours(c, office, start=time(9), end=time(9)))
    _refused(lambda: create_weekly_hours(c, office, weekday=7))
    _refused(lambda: create_weekly_hours(c, office, weekday=-1))
    _refused(lambda: create_weekly_hours(c, office, every_n_weeks=0))
    rule = create_weekly_hours(c, office, start=time(8, 30), end=time(16, 45))
    db.session.commit()
    db.session.expire_all()
    assert (rule.start_time, rule.end_time) == (time(8, 30), time(16, 45))


def test_weekly_hours_stay_inside_the_counsellors_organisation(network):
    _refused(lambda: create_weekly_hours(network["counsellor"], network["other_office"],
                                         organisation_id="org-b"))
    _refused(lambda: create_weekly_hours(network["counsellor"], network["other_office"]))


def test_weekly_hours_validity_period_is_ordered(network):
    from datetime import date
    _refused(lambda: create_weekly_hours(network["counsellor"], network["office"],
                                         starts_on=date(2027, 5, 1), ends_on=date(2027, 4, 1)))


def test_absence_and_closure_rules(network):
    t = datetime(2027, 3, 1, 8, tzinfo=UTC)
    _refused(lambda: db.session.add(
        Absence(counsellor_id=network["counsellor"].id, start_at=t, end_at=t)))
    _refused(lambda: db.session.add(Closure(start_at=t, end_at=t + timedelta(hours=1))))
    _refused(lambda: db.session.add(Closure(organisation_id="org-a", location_id="office-a",
                                            start_at=t, end_at=t + timedelta(hours=1))))
    db.session.add(Closure(location_id="office-a", start_at=t, end_at=t + timedelta(days=1)))
    db.session.flush()


def test_status_and_channel_are_from_the_known_sets(network):
    c, office, service = network["counsellor"], network["office"], network["service"]
    _refused(lambda: create_appointment(c, office, service, status="maybe"))
    _refused(lambda: create_appointment(c, office, service, channel="pigeon"))
    # A cancelled appointment records when it was cancelled.
    _refused(lambda: create_appointment(c, office, service, status="cancelled"))


def test_datetimes_are_stored_and_returned_as_aware_utc(network):
    from zoneinfo import ZoneInfo

    berlin = datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # after DST change
    appointment = create_appointment(network["counsellor"], network["office"],
                                     network["service"], start_at=berlin)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.start_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert stored.start_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(network):
    with pytest.raises(StatementError, match="naive datetime"):
        create_appointment(network["counsellor"], network["office"], network["service"],
                           start_at=datetime(2027, 2, 2, 9))
    db.session.rollback()


def test_database_refuses_overlapping_appointments_of_one_counsellor(network):
    c, office, service = network["counsellor"], network["office"], network["service"]
    start = datetime(2027, 2, 2, 9, tzinfo=UTC)
    create_appointment(c, office, service, start_at=start)
    db.session.commit()
    _refused(lambda: create_appointment(c, office, service,
                                        start_at=start + timedelta(minutes=30)))
    # Back to back is fine (half-open ranges), and so is a cancelled one at the same time.
    create_appointment(c, office, service, start_at=start + timedelta(minutes=60))
    create_appointment(c, office, service, start_at=start, status="cancelled",
                       cancelled_at=start)
    db.session.commit()


def test_database_refuses_moving_an_appointment_onto_another(network):
    c, office, service = network["counsellor"], network["office"], network["service"]
    start = datetime(2027, 2, 2, 9, tzinfo=UTC)
    create_appointment(c, office, service, start_at=start)
    later = create_appointment(c, office, service, start_at=start + timedelta(hours=2))
    db.session.commit()

    def move():
        later.start_at, later.end_at = start + timedelta(minutes=30), start + timedelta(hours=1)
    _refused(move)
    # Re-activating a cancelled appointment whose time is taken is refused as well.
    cancelled = create_appointment(c, office, service, start_at=start, status="cancelled",
                                   cancelled_at=start)
    db.session.commit()

    def reactivate():
        cancelled.status, cancelled.cancelled_at = "confirmed", None
    _refused(reactivate)
