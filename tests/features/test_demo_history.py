"""The demo appointment history: deterministic, idempotent, in the past, never overlapping."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.availability.models import WeeklyHours
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo.history import seed_demo_history
from booking.demo.seed import seed_demo
from booking.domain.calendar_rules import local_to_utc
from booking.extensions import db
from booking.network.models import Location
from tests.conftest import NOW
from tests.factories import create_appointment


def _history() -> list[tuple]:
    db.session.expire_all()
    return [(row[0], *map(repr, row[1:])) for row in db.session.execute(
        select(Appointment.reference, Appointment.counsellor_id, Appointment.location_id,
               Appointment.service_id, Appointment.start_at, Appointment.end_at,
               Appointment.status, Appointment.channel, Appointment.source,
               Appointment.language_code, Appointment.is_interpreter_needed,
               Appointment.created_at, Appointment.client_name, Appointment.client_email)
        .order_by(Appointment.reference))]


def test_history_is_idempotent_and_deterministic(demo):
    first = seed_demo_history()
    db.session.commit()
    assert 1500 <= first.added == first.total <= 6000
    rows = _history()

    again = seed_demo_history()
    db.session.commit()
    assert (again.added, again.total) == (0, first.total)
    assert _history() == rows

    # The same plan from scratch (another database, another run) gives the same rows.
    db.session.execute(Appointment.__table__.delete())
    db.session.commit()
    seed_demo_history()
    db.session.commit()
    assert _history() == rows


def test_a_later_clock_only_adds_the_days_since(demo):
    seed_demo_history()
    db.session.commit()
    before = {row[0]: row for row in _history()}
    demo.config["CLOCK"] = lambda: NOW + timedelta(days=7)
    later = seed_demo_history()
    db.session.commit()
    after = {row[0]: row for row in _history()}
    assert later.added > 0
    # Nothing already there changed; what is new lies in the week that passed.
    assert all(after[reference] == row for reference, row in before.items())
    new = [a for a in db.session.scalars(select(Appointment)) if a.reference not in before]
    assert new and all(NOW - timedelta(days=1) < a.start_at < NOW + timedelta(days=7)
                       for a in new)


def test_history_is_past_fictional_and_realistic(demo):
    seed_demo_history()
    db.session.commit()
    appointments = list(db.session.scalars(select(Appointment)))
    assert all(a.start_at < NOW and a.end_at <= NOW for a in appointments)
    assert min(a.start_at for a in appointments) >= datetime(2026, 1, 31, tzinfo=UTC)
    assert all(a.reference.startswith("D") and len(a.reference) != 9 for a in appointments)
    assert all(a.client_name.startswith("Demo-Klient ") for a in appointments)
    assert all(a.client_email is None or a.client_email.endswith("@example.org")
               for a in appointments)
    assert all(timedelta(days=1) <= a.start_at - a.created_at <= timedelta(days=41)
               for a in appointments)

    statuses = Counter(a.status for a in appointments)
    share = {status: n / len(appointments) for status, n in statuses.items()}
    assert 0.07 <= share["no_show"] <= 0.13 and 0.07 <= share["cancelled"] <= 0.13
    assert share["attended"] > 0.7 and "confirmed" not in statuses
    assert all(a.cancelled_at is not None and a.created_at < a.cancelled_at < a.start_at
               for a in appointments if a.status == "cancelled")
    assert {a.service_id for a in appointments} == {
        "first-consultation", "qualification-counselling", "follow-up"}
    assert {a.channel for a in appointments} == {"in_person", "phone", "video"}
    assert {a.source for a in appointments} == {"online", "desk", "api"}
    assert 0.05 < sum(a.is_interpreter_needed for a in appointments) / len(appointments) < 0.2
    assert any(a.location.kind == "mobile" for a in appointments)
    assert all(a.channel == "in_person" for a in appointments if a.location.kind == "mobile")

    speaks = {c.id: set(c.language_codes) for c in db.session.scalars(select(Counsellor))}
    for a in appointments:
        # The counsellor's own language, or one an interpreter brings in.
        assert (a.language_code in speaks[a.counsellor_id]) != a.is_interpreter_needed
        assert a.location.organisation_id == a.organisation_id
        assert a.end_at - a.start_at == timedelta(minutes=a.service.duration_minutes + (
            a.service.interpreter_extra_minutes if a.is_interpreter_needed else 0))


def test_history_keeps_to_working_hours_and_never_overlaps(demo):
    seed_demo_history()
    db.session.commit()
    berlin = ZoneInfo("Europe/Berlin")
    hours = {}
    for rule in db.session.scalars(select(WeeklyHours)):
        hours.setdefault((rule.counsellor_id, rule.weekday), []).append(rule)
    by_counsellor: dict[int, list[Appointment]] = {}
    for a in db.session.scalars(select(Appointment).order_by(Appointment.start_at)):
        by_counsellor.setdefault(a.counsellor_id, []).append(a)
        start, end = a.start_at.astimezone(berlin), a.end_at.astimezone(berlin)
        rules = hours[(a.counsellor_id, start.weekday())]
        # Inside one block of hours, in local wall-clock time (DST included).
        assert any(r.start_time <= start.time() and end.time() <= r.end_time for r in rules), a
        assert start.minute in (0, 30)
    for appointments in by_counsellor.values():
        for earlier, later in zip(appointments, appointments[1:], strict=False):
            buffer = timedelta(minutes=earlier.service.buffer_minutes)
            assert earlier.end_at + buffer <= later.start_at, (earlier.reference, later.reference)


def test_history_leaves_real_appointments_alone(demo):
    """A real past appointment keeps its time: the history plans around it."""
    katrin = db.session.scalar(select(Counsellor).where(
        Counsellor.email == "k.beispiel@vsp.example.org"))
    service = db.session.get(Service, "first-consultation")
    office = db.session.get(Location, "schwerin")
    # Every Thursday of the year is taken already, 09:00–16:00 local time.
    berlin = ZoneInfo("Europe/Berlin")
    day = date(2026, 2, 5)
    while day < NOW.date():
        create_appointment(katrin, office, service, local_to_utc(day, time(9), berlin),
                           status="attended", end_at=local_to_utc(day, time(16), berlin))
        day += timedelta(days=7)
    db.session.commit()
    result = seed_demo_history()  # would fail on the overlap trigger/constraint otherwise
    db.session.commit()
    assert result.added > 1000
    thursdays = [a for a in db.session.scalars(select(Appointment).where(
        Appointment.counsellor_id == katrin.id, Appointment.reference.like("D%")))
        if a.start_at.weekday() == 3]
    assert thursdays == []


def test_seed_demo_alone_adds_no_history(app, frozen_now):
    seed_demo()
    db.session.commit()
    assert db.session.scalar(select(Appointment.id)) is None


def test_seed_demo_command_seeds_the_history(runner, frozen_now):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    total = len(db.session.scalars(select(Appointment.id)).all())
    assert f"demo appointment history: {total} past appointments ({total} added)" \
        in result.output
    again = runner.invoke(args=["seed-demo"])
    assert f"{total} past appointments (0 added)" in again.output
