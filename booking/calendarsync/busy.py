"""Use cases of calendar sync: connect and remove busy-time sources, fetch one and expand its
events into busy periods for the slot engine, and keep a counsellor's CalDAV target settings.

A source is read over the window [now − 1 day, end of the booking horizon]; its expanded
periods replace the source's ``ExternalBusy`` rows in one transaction. A failing source keeps
its last good body and rows (and says why in ``last_error``), so a calendar server outage
never frees times the counsellor is busy. Services flush; callers commit.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from flask import current_app
from icalendar import Calendar
from sqlalchemy import delete, func, insert, select

from booking.appointments.models import Appointment
from booking.availability.services import booking_timezone
from booking.calendarsync.fetch import Fetched, FetchError, SourceSettings, fetch
from booking.calendarsync.models import CalDavTarget, ExternalBusy, ExternalCalendar
from booking.counsellors.models import Counsellor
from booking.domain.calendar_rules import local_to_utc
from booking.domain.timeranges import merge
from booking.extensions import db

MAX_SOURCES = 10  # per counsellor: more is a mistake (or abuse), not a working calendar
MAX_PERIODS = 10_000  # per source and window (a 5-minute event every day is ~ 90)
DUE_AFTER = timedelta(minutes=10)  # the job runs every 15 minutes; "fetch now" any time
OWN_APPOINTMENT_PROPERTY = "X-IQMV-APPOINTMENT"  # set by CalDAV OUT on what it writes
UID_CHUNK = 500


class SourceRefused(Exception):
    """The source cannot be added: ``code`` is duplicate or too_many."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# -- sources --------------------------------------------------------------------------------

def sources_of(counsellor: Counsellor) -> list[ExternalCalendar]:
    return list(db.session.scalars(select(ExternalCalendar).where(
        ExternalCalendar.counsellor_id == counsellor.id).order_by(ExternalCalendar.id)))


def add_source(counsellor: Counsellor, *, kind: str, url: str, username: str | None,
               password: str | None) -> ExternalCalendar:
    existing = sources_of(counsellor)
    if any(source.url == url for source in existing):
        raise SourceRefused("duplicate")
    if len(existing) >= MAX_SOURCES:
        raise SourceRefused("too_many")
    source = ExternalCalendar(counsellor_id=counsellor.id, kind=kind, url=url,
                              username=username or None, password=password or None)
    db.session.add(source)
    db.session.flush()
    return source


def remove_source(source: ExternalCalendar) -> None:
    # Explicitly: SQLite only cascades with foreign keys switched on.
    db.session.execute(delete(ExternalBusy).where(ExternalBusy.calendar_id == source.id))
    db.session.delete(source)
    db.session.flush()


def upcoming_busy_counts(sources: list[ExternalCalendar], now: datetime) -> dict[int, int]:
    """How many busy periods each source contributes from now on (one query)."""
    if not sources:
        return {}
    rows = db.session.execute(
        select(ExternalBusy.calendar_id, func.count())
        .where(ExternalBusy.calendar_id.in_([s.id for s in sources]), ExternalBusy.end_at > now)
        .group_by(ExternalBusy.calendar_id)).all()
    counts = dict.fromkeys((s.id for s in sources), 0)
    counts.update({calendar_id: count for calendar_id, count in rows})
    return counts


def due_source_ids(now: datetime) -> list[int]:
    """Active sources not fetched for a while: what is due is data, so a second worker or a
    tick right after a run fetches nothing twice."""
    return list(db.session.scalars(
        select(ExternalCalendar.id).where(
            ExternalCalendar.is_active,
            (ExternalCalendar.fetched_at.is_(None))
            | (ExternalCalendar.fetched_at <= now - DUE_AFTER))
        .order_by(ExternalCalendar.fetched_at.is_not(None), ExternalCalendar.fetched_at)))


# -- fetching -------------------------------------------------------------------------------

def fetch_window(now: datetime) -> tuple[datetime, datetime]:
    """[now − 1 day, end of the booking horizon + 1 day]: every day a client may book, and
    yesterday, so an event running over midnight is never cut."""
    horizon = timedelta(days=current_app.config["BOOKING_HORIZON_DAYS"] + 1)
    return now - timedelta(days=1), now + horizon


def refresh_source(source: ExternalCalendar, now: datetime) -> bool:
    """Fetch ``source`` and replace its busy periods; on failure keep the last good body and
    periods and record why. True when the source is up to date."""
    start, end = fetch_window(now)
    settings = SourceSettings(kind=source.kind, url=source.url, username=source.username,
                              password=source.password, etag=source.etag,
                              last_modified=source.last_modified, has_body=bool(source.body))
    try:
        fetched = fetch(settings, start, end)
        body = fetched.body if fetched.body is not None else source.body
        if body is None:
            raise FetchError("unparsable")
        calendar = parse_calendar(body)
        periods = expand_busy(calendar, start, end, booking_timezone(),
                              skip_uids=own_appointment_uids(calendar))
    except FetchError as error:
        _lock(source)
        source.fetched_at, source.last_error = now, error.code
        db.session.flush()
        return False
    _lock(source)
    _replace_periods(source, periods)
    _keep(source, fetched)
    source.fetched_at = source.succeeded_at = now
    source.last_error = None
    db.session.flush()
    return True


def _lock(source: ExternalCalendar) -> None:
    """Serialise two workers storing the same source (PostgreSQL row lock; SQLite's write
    lock does this by itself), so their deletes and inserts cannot interleave."""
    db.session.execute(select(ExternalCalendar.id).where(ExternalCalendar.id == source.id)
                       .with_for_update())


def _keep(source: ExternalCalendar, fetched: Fetched) -> None:
    if fetched.body is None:
        return  # unchanged (304, or the same CalDAV collection tag): keep what we have
    source.body = fetched.body
    source.etag = fetched.etag
    source.last_modified = fetched.last_modified


def _replace_periods(source: ExternalCalendar, periods: list[tuple[datetime, datetime]]) -> None:
    db.session.execute(delete(ExternalBusy).where(ExternalBusy.calendar_id == source.id))
    if periods:
        db.session.execute(insert(ExternalBusy), [
            {"calendar_id": source.id, "counsellor_id": source.counsellor_id,
             "start_at": begin, "end_at": finish} for begin, finish in periods])


# -- expanding ------------------------------------------------------------------------------

def parse_calendar(body: str) -> Calendar:
    try:
        calendar = Calendar.from_ical(body)
    except Exception as error:  # noqa: BLE001 - untrusted input; any failure means unreadable
        raise FetchError("unparsable") from error
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise FetchError("unparsable")
    return calendar


def own_appointment_uids(calendar: Calendar) -> set[str]:
    """UIDs in ``calendar`` that are this service's appointments (CalDAV OUT writes them with
    the appointment's UID into the counsellor's calendar): they must not block themselves."""
    uids = sorted({str(event.get("UID")) for event in calendar.walk("VEVENT")
                   if event.get("UID")})
    own: set[str] = set()
    for first in range(0, len(uids), UID_CHUNK):
        own.update(db.session.scalars(select(Appointment.ical_uid).where(
            Appointment.ical_uid.in_(uids[first:first + UID_CHUNK]))))
    return own


def expand_busy(calendar: Calendar, start: datetime, end: datetime, tz: ZoneInfo, *,
                skip_uids: set[str] = frozenset()) -> list[tuple[datetime, datetime]]:
    """Busy periods (UTC, merged, clipped to [start, end)) of the events in the window.

    Recurrences are expanded by recurring-ical-events (RRULE, RDATE, EXDATE and overridden
    instances by RECURRENCE-ID, RFC 5545 §3.8.5). Free time is skipped: TRANSP:TRANSPARENT
    (§3.8.2.7) and STATUS:CANCELLED (§3.8.1.11), per instance."""
    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
            start, end)
        periods = []
        for event in occurrences:
            if _is_free(event) or str(event.get("UID", "")) in skip_uids:
                continue
            begin = _instant(event["DTSTART"].dt, tz)
            finish = _instant(event["DTEND"].dt, tz) if event.get("DTEND") else begin
            begin, finish = max(begin, start), min(finish, end)
            if finish > begin:
                periods.append((begin, finish))
                if len(periods) > MAX_PERIODS:
                    raise FetchError("too_many")
    except FetchError:
        raise
    except Exception as error:  # noqa: BLE001 - broken dates or rules in someone's calendar
        raise FetchError("unparsable") from error
    return merge(periods)


def _is_free(event) -> bool:
    return (str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
            or str(event.get("STATUS", "")).upper() == "CANCELLED"
            or OWN_APPOINTMENT_PROPERTY in event)


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A UTC instant. A date (all-day event, §3.3.4) starts at local midnight, so it blocks
    the whole local day; a floating time (§3.3.5 form #1) is local wall-clock time."""
    if not isinstance(value, datetime):
        return local_to_utc(value, time(0), tz)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(ZoneInfo("UTC"))


# -- CalDAV target (appointments out; written by caldav_out) --------------------------------

def target_of(counsellor: Counsellor) -> CalDavTarget | None:
    return db.session.scalar(select(CalDavTarget).where(
        CalDavTarget.counsellor_id == counsellor.id))


def save_target(counsellor: Counsellor, *, url: str, username: str | None,
                password: str | None, is_active: bool) -> CalDavTarget:
    """Create or change the target; an empty password keeps the saved one."""
    target = target_of(counsellor)
    if target is None:
        target = CalDavTarget(counsellor_id=counsellor.id)
        db.session.add(target)
    if target.url != url or target.username != (username or None):
        target.last_error = None  # the old error was about another address or account
    target.url, target.username, target.is_active = url, username or None, is_active
    if password:
        target.password = password
    db.session.flush()
    return target


def remove_target(target: CalDavTarget) -> None:
    db.session.delete(target)
    db.session.flush()
