"""The events of the feeds: appointments, absences and mobile advice days, as iCalendar.

Appointments keep the UID and SEQUENCE of the invitations (``Appointment.ical_uid``), so a
calendar holding both shows one event. Privacy by default: service, reference, place and
language, never the client's name or contact details unless the feed's owner switched them on
(the calendar provider then stores them). Cancelled appointments are left out: a subscribing
app replaces its copy with every fetch, so the event simply disappears at the next poll
(STATUS:CANCELLED would keep a struck-through entry in some apps and is ignored by others).

Mobile advice days come from published tours (each stop's counselling window; the counsellor's
feed also shows the drives between, as busy time) and from any weekly hours at mobile venues,
by the slot engine's own expansion, minus holidays, absences and closures.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from booking.appointments.models import ACTIVE_STATUSES, Appointment
from booking.appointments.tokens import public_url
from booking.appointments.views import booking_labels
from booking.availability.services import booking_timezone, local_date
from booking.catalogue.languages import describe_language
from booking.domain.calendar_rules import public_holidays
from booking.domain.ical import CalendarEvent, build_calendar
from booking.domain.slots import working_blocks
from booking.domain.timeranges import subtract
from booking.extensions import db
from booking.feeds.content import Subject, Tables, Window, appointments_scope
from booking.network.models import Location
from booking.staff.labels import staff_status_label
from booking.tours.engine import day_plan_of

REFRESH = timedelta(hours=1)  # RFC 7986 REFRESH-INTERVAL: changes show within the hour
UID_DOMAIN = "iq-mv-booking"


@dataclass(frozen=True)
class MobileBlock:
    counsellor_id: int
    location: Location
    start_at: datetime
    end_at: datetime


def mobile_blocks(tables: Tables, window: Window) -> list[MobileBlock]:
    """Working hours at active mobile venues, by the slot engine's own rule expansion
    (``working_blocks``: no hours on holidays, one place at a time), without the absences of
    the counsellor and the closures of the venue or its organisation."""
    tz = booking_timezone()
    active = {cid for cid, c in tables.counsellors.items() if c.is_active}
    rules = [rule for rule, _created in tables.rules if rule.counsellor_id in active]
    holidays = public_holidays(window.first_day, window.end_day - timedelta(days=1))
    away: dict[int, list] = defaultdict(list)
    for absence in tables.absences:
        away[absence.counsellor_id].append((absence.start_at.timestamp(),
                                            absence.end_at.timestamp()))
    venues = {loc.id: loc for loc in tables.locations.values()
              if loc.kind == "mobile" and loc.is_active}
    # Each venue's closures once, not once per block: its own and its organisation's.
    closed = {venue.id: [(c.start_at.timestamp(), c.end_at.timestamp())
                         for c in tables.closures if c.location_id == venue.id
                         or c.organisation_id == venue.organisation_id]
              for venue in venues.values()}
    blocks = []
    plans = [day_plan_of(tour) for tour in tables.tours if tour.counsellor_id in active]
    for cid, found in working_blocks(rules, window.first_day, window.end_day, tz,
                                     holidays, plans).items():
        for start, end, location_id in found:
            location = venues.get(location_id)
            if location is None:
                continue
            for piece_start, piece_end in subtract([(start, end)],
                                                   away[cid] + closed[location_id]):
                blocks.append(MobileBlock(cid, location, datetime.fromtimestamp(piece_start, UTC),
                                          datetime.fromtimestamp(piece_end, UTC)))
    return sorted(blocks, key=lambda b: (b.start_at, b.location.id, b.counsellor_id))


def _stable_uid(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"{digest}@{UID_DOMAIN}"


def venue_text(location: Location) -> str:
    """'IQ Servicestelle Schwerin, Mecklenburgstraße 9, 19053 Schwerin' (data, not UI text)."""
    parts = [location.name, location.address,
             f"{location.postcode} {location.town}" if location.postcode else location.town]
    return ", ".join(part for part in parts if part)


# -- secret feeds: a counsellor's or an organisation's calendar ------------------------------

def render_secret_feed(subject: Subject, window: Window, tables: Tables) -> bytes:
    with force_locale(subject.locale):
        appointments = db.session.scalars(
            select(Appointment).where(*appointments_scope(subject, window),
                                      Appointment.status.in_(ACTIVE_STATUSES))
            .order_by(Appointment.start_at, Appointment.id))
        events = [*_appointment_events(subject, tables, appointments),
                  *_absence_events(subject, tables), *_mobile_day_events(subject, tables, window),
                  *_travel_events(subject, tables)]
        owner = subject.counsellor.display_name if subject.counsellor \
            else subject.organisation.short_name
        return build_calendar(events, name=_("IQ appointments – %(name)s", name=owner),
                              refresh=REFRESH)


def _appointment_events(subject: Subject, tables: Tables, appointments) -> list[CalendarEvent]:
    details = subject.shows_client_details
    per_counsellor = subject.counsellor is None  # the office's feed names who counsels
    languages: dict[str, str] = {}
    link = public_url(url_for("agenda.appointment", reference="_"))[:-1]
    channel_label = booking_labels()["channel_label"]
    events = []
    for appointment in appointments:
        location = tables.locations[appointment.location_id]
        service = tables.service_names.get((appointment.service_id, subject.locale)) or \
            tables.service_names.get((appointment.service_id, "de"), appointment.service_id)
        place = venue_text(location) if appointment.channel == "in_person" \
            else channel_label(appointment.channel)
        if appointment.language_code not in languages:
            languages[appointment.language_code] = describe_language(
                appointment.language_code)["name"]
        counsellor = tables.counsellors.get(appointment.counsellor_id)
        summary = [service, appointment.reference]
        lines = [_("Reference: %(reference)s", reference=appointment.reference),
                 _("Service: %(service)s", service=service), _("Place: %(place)s", place=place),
                 _("Language: %(language)s", language=languages[appointment.language_code])]
        if appointment.is_interpreter_needed:
            lines.append(_("Interpreter needed"))
        if per_counsellor and counsellor is not None:
            summary.append(counsellor.display_name)
            lines.append(_("Counsellor: %(name)s", name=counsellor.display_name))
        if appointment.status != "confirmed":
            lines.append(_("Status: %(status)s", status=staff_status_label(appointment.status)))
        if details:
            if appointment.client_name:
                summary.append(appointment.client_name)
                lines.append(_("Client: %(name)s", name=appointment.client_name))
            if appointment.client_email:
                lines.append(_("E-mail: %(email)s", email=appointment.client_email))
            if appointment.client_phone:
                lines.append(_("Phone: %(phone)s", phone=appointment.client_phone))
        url = link + appointment.reference
        lines.append(url)
        events.append(CalendarEvent(
            uid=appointment.ical_uid, sequence=appointment.ical_sequence,
            start=appointment.start_at, end=appointment.end_at, stamp=appointment.updated_at,
            summary=" · ".join(summary), location=place, description="\n".join(lines),
            url=url))
    return events


def _absence_events(subject: Subject, tables: Tables) -> list[CalendarEvent]:
    """Busy time without the reason (leave, illness and training are nobody's business)."""
    events = []
    for absence in tables.absences:
        summary = _("Absent")
        counsellor = tables.counsellors.get(absence.counsellor_id)
        if subject.counsellor is None and counsellor is not None:
            summary = f"{summary} · {counsellor.display_name}"
        events.append(CalendarEvent(
            uid=f"absence-{absence.id}@{UID_DOMAIN}", sequence=0, start=absence.start_at,
            end=absence.end_at, stamp=absence.created_at, summary=summary, location="",
            description=""))
    return events


def _rules_stamp(tables: Tables) -> dict[tuple[int, str], datetime]:
    """DTSTAMP of generated blocks: when the latest of their rules or tours was written
    (stable)."""
    stamps: dict[tuple[int, str], datetime] = {}
    written = [((rule.counsellor_id, rule.location_id), created)
               for rule, created in tables.rules]
    written += [((tour.counsellor_id, stop.location_id), tour.updated_at)
                for tour in tables.tours for stop in tour.stops]
    for key, created in written:
        stamps[key] = max(created, stamps.get(key, created))
    return stamps


def _travel_events(subject: Subject, tables: Tables) -> list[CalendarEvent]:
    """The drives of published tours: office → first venue → … → end office, as busy time."""
    events = []
    for tour in tables.tours:
        places = [tables.locations.get(tour.start_office_id),
                  *(tables.locations.get(stop.location_id) for stop in tour.stops),
                  tables.locations.get(tour.end_office_id)]
        times = [tour.depart_at, *(t for stop in tour.stops
                                   for t in (stop.arrive_at, stop.depart_at)), tour.return_at]
        counsellor = tables.counsellors.get(tour.counsellor_id)
        for index, (origin, destination) in enumerate(itertools.pairwise(places)):
            start, end = times[2 * index], times[2 * index + 1]
            if end <= start:
                continue
            summary = _("Travel: %(origin)s → %(destination)s",
                        origin=origin.town if origin else "?",
                        destination=destination.town if destination else "?")
            if subject.counsellor is None and counsellor is not None:
                summary = f"{summary} · {counsellor.display_name}"
            events.append(CalendarEvent(
                uid=_stable_uid("travel", tour.id, index), sequence=0, start=start, end=end,
                stamp=tour.updated_at, summary=summary, location="", description=""))
    return events


def _mobile_day_events(subject: Subject, tables: Tables, window: Window
                       ) -> list[CalendarEvent]:
    """The counsellor's hours at mobile venues; TRANSPARENT, as the appointments inside are
    the busy time."""
    stamps, events = _rules_stamp(tables), []
    seen: dict[tuple, int] = defaultdict(int)
    for block in mobile_blocks(tables, window):
        key = (block.counsellor_id, block.location.id, local_date(block.start_at))
        seen[key] += 1  # an absence may cut a day in two: number the pieces
        summary = _("Mobile advice day in %(town)s", town=block.location.town)
        counsellor = tables.counsellors[block.counsellor_id]
        if subject.counsellor is None:
            summary = f"{summary} · {counsellor.display_name}"
        events.append(CalendarEvent(
            uid=_stable_uid("mobile", *key, seen[key]), sequence=0, start=block.start_at,
            end=block.end_at, stamp=stamps[(block.counsellor_id, block.location.id)],
            summary=summary, location=venue_text(block.location), description="",
            transparent=True))
    return events


# -- the public outreach feed ---------------------------------------------------------------

def render_outreach_feed(subject: Subject, window: Window, tables: Tables) -> bytes:
    """One event per venue and day with the time window somebody is there: no names, no
    client data. UIDs depend on venue and day only, so a changed time updates the event."""
    days: dict[tuple[str, date], list[MobileBlock]] = defaultdict(list)
    for block in mobile_blocks(tables, window):
        days[(block.location.id, local_date(block.start_at))].append(block)
    latest: dict[str, datetime] = {}
    for (_counsellor_id, location_id), stamp in _rules_stamp(tables).items():
        latest[location_id] = max(stamp, latest.get(location_id, stamp))
    notes = {(stop.location_id, tour.day): tour.public_note
             for tour in tables.tours for stop in tour.stops if tour.public_note}
    with force_locale(subject.locale):
        booking_url = public_url(url_for("booking.start"))
        description = "\n".join([
            _("Free and confidential counselling on the recognition of qualifications from "
              "abroad."),
            _("Book an appointment: %(url)s", url=booking_url)])
        events = []
        for (location_id, day), blocks in sorted(days.items(), key=lambda item: (
                item[0][1], item[0][0])):
            location = blocks[0].location
            events.append(CalendarEvent(
                uid=_stable_uid("outreach", location_id, day.isoformat()), sequence=0,
                start=min(b.start_at for b in blocks), end=max(b.end_at for b in blocks),
                stamp=latest[location_id],
                summary=_("Mobile advice day in %(town)s", town=location.town),
                location=venue_text(location),
                description="\n".join(filter(None, [notes.get((location_id, day)), description])),
                url=booking_url, transparent=True))
        return build_calendar(events, name=_("IQ mobile advice days"), refresh=REFRESH)
