"""What a feed reads and its validators: the window, the small tables, the ETag fingerprint.

A calendar app polls every feed about once an hour, and nearly every answer should be a cheap
304. So the validators come from a fingerprint that needs no event rendering: aggregates over
the window's appointments (count, latest change, sum of SEQUENCEs, ids per status) plus the
rows of the small tables the events are made of (weekly hours, absences, closures, locations,
counsellors, service names), the feed's settings, its locale, the window's days and a format
version. Whatever the body is made of is in the fingerprint, so the ETag changes whenever the
body would (tests/features/test_feeds.py checks the cases one by one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from booking import clock
from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.auth.models import User
from booking.availability.models import Absence, Closure, WeeklyHours
from booking.availability.services import LONGEST_APPOINTMENT, booking_timezone, local_today
from booking.catalogue.models import ServiceTranslation
from booking.counsellors.models import Counsellor
from booking.domain.calendar_rules import WeeklyRule, local_to_utc
from booking.extensions import db
from booking.feeds.models import CalendarFeed
from booking.network.models import Location, Organisation
from booking.tours.models import Tour

# Raise when the events change shape without any data changing (new lines, other texts): every
# ETag changes with it, so calendar apps fetch the new form at their next poll.
FORMAT_VERSION = 2
PAST_DAYS = 30  # secret feeds also show the last month (outcomes, what happened when)
# Changes to these objects alter some feed; their audit entries date deletions and in-place
# edits, which leave no timestamp in their own tables (see ``last_modified``).
FEED_OBJECTS = ("appointment", "absence", "weekly_hours", "closure", "location", "counsellor",
                "service", "organisation", "calendar_feed", "user", "tour")
CHANGE_ACTIONS = ("create", "update", "delete", "deactivate", "cancel", "move")


@dataclass(frozen=True)
class Window:
    """Local days [first_day, end_day) and their UTC bounds."""

    first_day: date
    end_day: date
    start_at: datetime
    end_at: datetime
    today_start_at: datetime  # local midnight: the window moves on, so the feed changes daily


def feed_window(past_days: int) -> Window:
    """From ``past_days`` ago to the end of the booking horizon."""
    tz = booking_timezone()
    today = local_today()
    first = today - timedelta(days=past_days)
    end = today + timedelta(days=current_app.config["BOOKING_HORIZON_DAYS"] + 1)
    return Window(first, end, local_to_utc(first, time(0), tz), local_to_utc(end, time(0), tz),
                  local_to_utc(today, time(0), tz))


@dataclass
class Subject:
    """Whose calendar a feed shows: one counsellor's, an organisation's, or (no feed, no
    organisation) the public mobile advice days."""

    locale: str
    feed: CalendarFeed | None = None
    organisation: Organisation | None = None
    counsellor: Counsellor | None = None

    @property
    def shows_client_details(self) -> bool:
        return bool(self.feed and self.feed.shows_client_details)


def subject_of(feed: CalendarFeed) -> Subject:
    """A counsellor's feed speaks the language the counsellor chose for the staff area (their
    account's preferred locale); other feeds German, as the offices work in German."""
    locale = "de"
    counsellor = db.session.get(Counsellor, feed.counsellor_id) if feed.counsellor_id else None
    if counsellor is not None:
        preferred = db.session.scalar(select(User.preferred_locale).where(
            User.counsellor_id == counsellor.id))
        if preferred in current_app.config["UI_LANGUAGES"]:
            locale = preferred
    return Subject(locale, feed, db.session.get(Organisation, feed.organisation_id), counsellor)


@dataclass
class Tables:
    """The small tables a feed's events are made of, read once for validators and body."""

    counsellors: dict[int, Counsellor]
    rules: list[tuple[WeeklyRule, datetime]]  # with created_at
    absences: list[Absence]
    closures: list[Closure]
    locations: dict[str, Location]
    service_names: dict[tuple[str, str], str] = field(default_factory=dict)
    tours: list[Tour] = field(default_factory=list)  # published, with their stops


def load_tables(subject: Subject, window: Window) -> Tables:
    """Everything but the appointments: for a counsellor, their own rows; for an
    organisation, its counsellors' rows; for the outreach feed, the counsellors with hours at
    a mobile venue or a published tour (with all their hours: a counsellor is in one place at
    a time)."""
    tours_in_window = (select(Tour).where(
        Tour.status == "published", Tour.day >= window.first_day, Tour.day < window.end_day)
        .options(selectinload(Tour.stops)).order_by(Tour.day, Tour.id))
    if subject.counsellor is not None:
        counsellors = {subject.counsellor.id: subject.counsellor}
    elif subject.organisation is not None:
        counsellors = {c.id: c for c in db.session.scalars(select(Counsellor).where(
            Counsellor.organisation_id == subject.organisation.id))}
    else:
        at_mobile = (select(WeeklyHours.counsellor_id).join(
            Location, Location.id == WeeklyHours.location_id)
            .where(Location.kind == "mobile", *_rules_in(window)))
        touring = tours_in_window.with_only_columns(Tour.counsellor_id).options()
        counsellors = {c.id: c for c in db.session.scalars(select(Counsellor).where(
            or_(Counsellor.id.in_(at_mobile), Counsellor.id.in_(touring)), Counsellor.is_active))}
    ids = list(counsellors)
    tours = list(db.session.scalars(tours_in_window.where(Tour.counsellor_id.in_(ids))))
    rules = [(WeeklyRule(h.counsellor_id, h.location_id, h.weekday, h.start_time, h.end_time,
                         h.starts_on, h.ends_on, h.every_n_weeks), h.created_at)
             for h in db.session.scalars(select(WeeklyHours).where(
                 WeeklyHours.counsellor_id.in_(ids), *_rules_in(window))
                 .order_by(WeeklyHours.id))]
    absences = list(db.session.scalars(select(Absence).where(
        Absence.counsellor_id.in_(ids), Absence.start_at < window.end_at,
        Absence.end_at > window.start_at).order_by(Absence.start_at, Absence.id)))
    if subject.organisation is not None:
        locations = {loc.id: loc for loc in db.session.scalars(select(Location).where(
            Location.organisation_id == subject.organisation.id))}
    else:
        locations = {loc.id: loc for loc in db.session.scalars(select(Location).where(
            Location.id.in_({rule.location_id for rule, _ in rules}
                            | {stop.location_id for tour in tours for stop in tour.stops})))}
    closures = select(Closure).where(Closure.start_at < window.end_at,
                                     Closure.end_at > window.start_at)
    if subject.organisation is not None:
        closures = closures.where(or_(Closure.organisation_id == subject.organisation.id,
                                      Closure.location_id.in_(locations)))
    names = {} if subject.organisation is None else {
        (service_id, locale): name for service_id, locale, name in db.session.execute(
            select(ServiceTranslation.service_id, ServiceTranslation.locale,
                   ServiceTranslation.name))}
    return Tables(counsellors, rules, absences,
                  list(db.session.scalars(closures.order_by(Closure.id))), locations, names,
                  tours)


def _rules_in(window: Window) -> tuple:
    return (WeeklyHours.starts_on < window.end_day,
            or_(WeeklyHours.ends_on.is_(None), WeeklyHours.ends_on >= window.first_day))


def appointments_scope(subject: Subject, window: Window) -> tuple:
    """The WHERE clause of a secret feed's appointments (every status; the body keeps the
    active ones). The start is bounded below so the (counsellor, start) index answers."""
    owner = (Appointment.counsellor_id == subject.counsellor.id if subject.counsellor
             else Appointment.organisation_id == subject.organisation.id)
    return (owner, Appointment.start_at >= window.start_at - LONGEST_APPOINTMENT,
            Appointment.start_at < window.end_at, Appointment.end_at > window.start_at)


def _appointment_aggregate(subject: Subject, window: Window) -> tuple:
    """One row that changes with every change of the window's appointments: a booking or a
    deletion (count, ids), a move or cancellation (SEQUENCE), an outcome (ids per status),
    any other edit (latest ``updated_at``)."""
    def ids_with(status: str):
        return func.coalesce(func.sum(case((Appointment.status == status, Appointment.id),
                                           else_=0)), 0)

    return tuple(db.session.execute(select(
        func.count(Appointment.id), func.max(Appointment.updated_at),
        func.coalesce(func.sum(Appointment.ical_sequence), 0),
        func.coalesce(func.sum(Appointment.id), 0),
        ids_with("cancelled"), ids_with("attended"), ids_with("no_show"),
    ).where(*appointments_scope(subject, window))).one())


@dataclass(frozen=True)
class Validators:
    etag: str  # strong, quoted
    last_modified: datetime


def validators(subject: Subject, window: Window, tables: Tables) -> Validators:
    """The ETag and Last-Modified of the feed's body, without building it."""
    aggregate = _appointment_aggregate(subject, window) if subject.organisation else ()
    feed = subject.feed
    fingerprint = (
        FORMAT_VERSION, subject.locale, window.first_day, window.end_day,
        current_app.config["BOOKING_BASE_URL"],  # the links inside the events
        (feed.id, feed.kind, feed.shows_client_details, feed.updated_at) if feed else None,
        (subject.organisation.id, subject.organisation.name, subject.organisation.short_name)
        if subject.organisation else None,
        aggregate,
        sorted((c.id, c.display_name, c.is_active, c.updated_at)
               for c in tables.counsellors.values()),
        tables.rules,
        [(a.id, a.counsellor_id, a.start_at, a.end_at, a.created_at) for a in tables.absences],
        [(c.id, c.organisation_id, c.location_id, c.start_at, c.end_at)
         for c in tables.closures],
        sorted((loc.id, loc.organisation_id, loc.kind, loc.name, loc.town, loc.address,
                loc.postcode, loc.is_active, loc.created_at)
               for loc in tables.locations.values()),
        sorted(tables.service_names.items()),
        [(t.id, t.counsellor_id, t.day, t.start_office_id, t.end_office_id, t.depart_at,
          t.return_at, t.public_note, t.updated_at,
          [(s.location_id, s.arrive_at, s.start_at, s.end_at, s.depart_at) for s in t.stops])
         for t in tables.tours],
    )
    digest = hashlib.sha256(repr(fingerprint).encode()).hexdigest()[:32]
    changed = [window.today_start_at, aggregate[1] if aggregate else None,
               feed.updated_at if feed else None,
               *(c.updated_at for c in tables.counsellors.values()),
               *(created for _, created in tables.rules),
               *(a.created_at for a in tables.absences),
               *(c.created_at for c in tables.closures),
               *(loc.created_at for loc in tables.locations.values()),
               *(t.updated_at for t in tables.tours),
               _latest_change_since(window.today_start_at, subject)]
    latest = max(instant for instant in changed if instant is not None)
    # Never later than now (RFC 9110 §8.8.2.1), and in whole seconds as HTTP dates are.
    return Validators(f'"{digest}"', min(latest, clock.now()).replace(microsecond=0))


def _latest_change_since(since: datetime, subject: Subject) -> datetime | None:
    """The latest audited change (today) that may alter the feed. Deleting an absence or
    editing weekly hours in place leaves no newer timestamp in those tables, and a
    Last-Modified that does not move would let If-Modified-Since answer 304 wrongly. Older
    changes are covered by today's midnight, which the Last-Modified never precedes."""
    statement = select(func.max(AuditEntry.occurred_at)).where(
        AuditEntry.occurred_at >= since, AuditEntry.action.in_(CHANGE_ACTIONS),
        AuditEntry.object_type.in_(FEED_OBJECTS))
    if subject.organisation is not None:
        statement = statement.where(or_(AuditEntry.organisation_id == subject.organisation.id,
                                        AuditEntry.organisation_id.is_(None)))
    return db.session.scalar(statement)
