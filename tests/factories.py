"""Factory helpers for feature tests: small, explicit records with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from booking.appointments.models import Appointment
from booking.availability.models import WeeklyHours
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.extensions import db
from booking.network.models import Location, Organisation
from booking.tours.models import Tour, TourStop

_serial = count(1)


def create_organisation(id: str = "org-a", **fields) -> Organisation:
    org = Organisation(id=id, name=fields.pop("name", f"Organisation {id}"),
                       short_name=fields.pop("short_name", id), **fields)
    db.session.add(org)
    db.session.flush()
    return org


def create_location(organisation: Organisation, id: str | None = None, **fields) -> Location:
    loc = Location(id=id or f"loc-{next(_serial)}", organisation_id=organisation.id,
                   kind=fields.pop("kind", "office"), name=fields.pop("name", "Office"),
                   town=fields.pop("town", "Schwerin"), **fields)
    db.session.add(loc)
    db.session.flush()
    return loc


def create_counsellor(organisation: Organisation, languages=("de",), **fields) -> Counsellor:
    n = next(_serial)
    counsellor = Counsellor(
        organisation_id=organisation.id,
        display_name=fields.pop("display_name", f"Counsellor {n}"),
        email=fields.pop("email", f"counsellor{n}@example.org"), **fields,
    )
    counsellor.languages = [CounsellorLanguage(language_code=code) for code in languages]
    db.session.add(counsellor)
    db.session.flush()
    return counsellor


def dummy_service(id: str = "first-consultation", duration_minutes: int = 60, **fields) -> Service:
    service = Service(id=id, duration_minutes=duration_minutes, **fields)
    service.translations = [ServiceTranslation(locale="de", name="Erstberatung")]
    db.session.add(service)
    db.session.flush()
    return service


def create_weekly_hours(counsellor: Counsellor, location: Location, weekday: int = 1,
                        start: time = time(9), end: time = time(16), **fields) -> WeeklyHours:
    rule = WeeklyHours(
        organisation_id=fields.pop("organisation_id", counsellor.organisation_id),
        counsellor_id=counsellor.id, location_id=location.id, weekday=weekday,
        start_time=start, end_time=end, starts_on=fields.pop("starts_on", date(2026, 1, 5)),
        **fields,
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def create_appointment(counsellor: Counsellor, location: Location, service: Service,
                       start_at: datetime | None = None, **fields) -> Appointment:
    n = next(_serial)
    start_at = start_at or datetime(2027, 2, 2, 9, tzinfo=UTC)
    appointment = Appointment(
        reference=fields.pop("reference", f"TEST-{n:04d}"),
        organisation_id=fields.pop("organisation_id", counsellor.organisation_id),
        counsellor_id=counsellor.id, location_id=location.id, service_id=service.id,
        start_at=start_at,
        end_at=fields.pop("end_at", start_at + timedelta(minutes=service.duration_minutes)),
        language_code=fields.pop("language_code", "de"),
        ical_uid=fields.pop("ical_uid", f"test-{n}@example.org"), **fields,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def create_tour(counsellor: Counsellor, day: date, stops: list[tuple[str, time, time]],
                status: str = "published", start_office: str = "schwerin",
                end_office: str | None = None, drive: timedelta = timedelta(minutes=40),
                **fields) -> Tour:
    """A tour with a simple timetable: ``drive`` before each stop (the last one also back),
    arrival 15 minutes before counselling. ``stops`` are (venue id, local start, local end)."""
    from zoneinfo import ZoneInfo

    from booking.domain.calendar_rules import local_to_utc

    tz = ZoneInfo("Europe/Berlin")
    setup = timedelta(minutes=15)
    rows = []
    for position, (location_id, start, end) in enumerate(stops):
        start_at, end_at = local_to_utc(day, start, tz), local_to_utc(day, end, tz)
        rows.append(TourStop(organisation_id=counsellor.organisation_id,
                             location_id=location_id, position=position,
                             counselling_minutes=int((end_at - start_at).total_seconds() // 60),
                             drive_minutes_before=int(drive.total_seconds() // 60),
                             arrive_at=start_at - setup, start_at=start_at, end_at=end_at,
                             depart_at=end_at))
    tour = Tour(organisation_id=counsellor.organisation_id, counsellor_id=counsellor.id,
                day=day, start_office_id=start_office, end_office_id=end_office or start_office,
                status=status, depart_at=rows[0].arrive_at - drive,
                return_at=rows[-1].depart_at + drive,
                drive_minutes=int(drive.total_seconds() // 60) * (len(rows) + 1),
                published_at=fields.pop("published_at", datetime(2027, 1, 25, tzinfo=UTC))
                if status != "draft" else None,
                cancelled_at=datetime(2027, 1, 26, tzinfo=UTC) if status == "cancelled" else None,
                stops=rows, **fields)
    db.session.add(tour)
    db.session.flush()
    return tour
