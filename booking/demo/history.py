"""Demo appointment history: a year of fictional past appointments for the statistics pages.

For every demo counsellor, on a share of the working days of the 12 months before today
(their weekly hours at their offices, sometimes a mobile advice day in a town of their
organisation instead), one to three appointments that do not overlap (service duration,
interpreter time and the service's buffer), with realistic statuses, services, languages,
channels, sources and lead times. Every choice comes from ``random.Random`` seeded with the
counsellor, the day and the block of hours, so the history is the same on every run and at
every clock: a later run only adds the days that have passed since. Only days before today are
filled, so nothing here takes a time a test (or a client) could book.

References start with "D" and carry a date ("D260203-0412"), unlike real ones ("K7MQ-4X9D"),
so they never clash; clients are "Demo-Klient 123" with example.org addresses.
Not part of ``seed_demo()`` (which many tests run): ``flask seed-demo`` calls it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from booking import clock
from booking.appointments.models import ACTIVE_STATUSES, Appointment
from booking.appointments.services import CONSENT_VERSION
from booking.availability.models import Absence, Closure, WeeklyHours
from booking.availability.services import booking_timezone, local_date
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.demo import network
from booking.domain.calendar_rules import WeeklyRule, local_to_utc, public_holidays
from booking.extensions import db
from booking.network.models import Location

SEED = "iq-mv-demo-history-1"
REFERENCE_PREFIX = "D"
BUSY_DAY_SHARE = 0.55  # share of a counsellor's working blocks with appointments
MOBILE_DAY_SHARE = 0.15  # share of those held at a mobile advice venue instead of the office
STEP_MINUTES = 30  # appointments start on the half hour, as the booking pages offer them
# Common client languages an interpreter may bring in when the counsellor does not speak them.
INTERPRETER_LANGUAGES = ("ar", "fa", "prs", "ps", "ru", "tr", "uk", "ro", "pl")
UI_LOCALES = ("de", "en", "uk", "ru", "ar", "fa", "tr", "pl")
SERVICE_WEIGHTS = {"first-consultation": 5, "qualification-counselling": 3, "follow-up": 2}
SOURCE_WEIGHTS = {"online": 55, "desk": 35, "api": 10}
# How often clients ask for a language (DESIGN.md §1: Ukrainian and Arabic lead in MV today).
LANGUAGE_WEIGHTS = {"uk": 12, "ar": 10, "ru": 7, "fa": 6, "prs": 5, "de": 3, "pl": 4, "ro": 4,
                    "tr": 4, "en": 3, "ps": 2}


@dataclass(frozen=True)
class HistoryResult:
    added: int
    total: int


def history_window(today: date) -> tuple[date, date]:
    """The first day of the history (the same day a year ago) and today (excluded)."""
    first = today.replace(year=today.year - 1, day=min(today.day, 28))
    return first, today


def seed_demo_history() -> HistoryResult:
    """Add the missing past demo appointments (flush only); returns how many were added and
    how many demo appointments exist."""
    now = clock.now()
    first, end = history_window(local_date(now))
    counsellors = _demo_counsellors()
    if not counsellors:
        return HistoryResult(0, 0)
    planner = _Planner(first, end, counsellors)
    existing = set(db.session.scalars(
        select(Appointment.reference).where(Appointment.reference.like(f"{REFERENCE_PREFIX}%"))))
    rows = [row for row in planner.plan() if row["reference"] not in existing]
    # 500 rows at a time keep each statement small; the overlap triggers run per row anyway.
    for start in range(0, len(rows), 500):
        db.session.execute(insert(Appointment), rows[start:start + 500])
    db.session.flush()
    return HistoryResult(len(rows), len(existing) + len(rows))


def _demo_counsellors() -> list[tuple[int, Counsellor]]:
    """(position in the demo network, counsellor): the position keeps references stable."""
    by_email = {c.email: c for c in db.session.scalars(
        select(Counsellor).where(Counsellor.email.in_([s["email"] for s in network.COUNSELLORS]))
        .options(selectinload(Counsellor.languages)))}  # the planner reads them
    return [(index, by_email[spec["email"]]) for index, spec in enumerate(network.COUNSELLORS)
            if spec["email"] in by_email]


class _Planner:
    """Plans the history of the window ``first`` … ``end`` (excluded) as rows to insert."""

    def __init__(self, first: date, end: date, counsellors: list[tuple[int, Counsellor]]):
        self.first, self.end, self.counsellors = first, end, counsellors
        self.tz = booking_timezone()
        self.holidays = public_holidays(first, end)
        ids = [c.id for _, c in counsellors]
        self.services = {s.id: s for s in db.session.scalars(
            select(Service).where(Service.id.in_(SERVICE_WEIGHTS)))}
        self.rules: dict[int, list[WeeklyRule]] = {}
        for h in db.session.scalars(select(WeeklyHours).where(WeeklyHours.counsellor_id.in_(ids))
                                    .order_by(WeeklyHours.weekday, WeeklyHours.start_time,
                                              WeeklyHours.location_id)):
            self.rules.setdefault(h.counsellor_id, []).append(WeeklyRule(
                h.counsellor_id, h.location_id, h.weekday, h.start_time, h.end_time,
                h.starts_on, h.ends_on, h.every_n_weeks))
        self.towns: dict[str, list[str]] = {}
        for location in db.session.scalars(select(Location).where(Location.kind == "mobile")
                                           .order_by(Location.id)):
            self.towns.setdefault(location.organisation_id, []).append(location.id)
        self.busy = self._busy_periods(ids, counsellors)

    def _busy_periods(self, ids, counsellors) -> dict[int, list[tuple[datetime, datetime]]]:
        """Times the history must leave alone: real appointments, absences and closures."""
        start = local_to_utc(self.first, time(0), self.tz)
        end = local_to_utc(self.end, time(0), self.tz)
        busy: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in ids}
        for a in db.session.execute(
                select(Appointment.counsellor_id, Appointment.start_at, Appointment.end_at)
                .where(Appointment.counsellor_id.in_(ids), Appointment.status.in_(ACTIVE_STATUSES),
                       ~Appointment.reference.like(f"{REFERENCE_PREFIX}%"),
                       Appointment.start_at < end, Appointment.end_at > start - timedelta(1))):
            busy[a.counsellor_id].append((a.start_at, a.end_at))
        for a in db.session.scalars(select(Absence).where(
                Absence.counsellor_id.in_(ids), Absence.start_at < end, Absence.end_at > start)):
            busy[a.counsellor_id].append((a.start_at, a.end_at))
        places = {c.id: {r.location_id for r in self.rules.get(c.id, [])} for _, c in counsellors}
        for closure in db.session.scalars(select(Closure).where(
                Closure.start_at < end, Closure.end_at > start)):
            for _, c in counsellors:
                if closure.organisation_id == c.organisation_id \
                        or closure.location_id in places[c.id]:
                    busy[c.id].append((closure.start_at, closure.end_at))
        return busy

    def plan(self) -> list[dict]:
        rows = []
        for index, counsellor in self.counsellors:
            day = self.first
            while day < self.end:
                if day not in self.holidays:
                    rows.extend(self._plan_day(index, counsellor, day))
                day += timedelta(days=1)
        return rows

    def _plan_day(self, index: int, counsellor: Counsellor, day: date) -> list[dict]:
        rows: list[dict] = []
        attempts = 0  # numbers every planned appointment, kept or not, so references stay put
        taken: list[tuple[datetime, datetime]] = list(self.busy[counsellor.id])
        blocks = [r for r in self.rules.get(counsellor.id, []) if r.applies_on(day)]
        for block in blocks:
            rng = random.Random(f"{SEED}|{counsellor.email}|{day}|{block.location_id}|"
                                f"{block.start_time}")
            if rng.random() >= BUSY_DAY_SHARE:
                continue
            location_id = block.location_id
            towns = self.towns.get(counsellor.organisation_id, [])
            if towns and rng.random() < MOBILE_DAY_SHARE:
                location_id = rng.choice(towns)
            cursor = datetime.combine(day, block.start_time)
            block_end = datetime.combine(day, block.end_time)
            for _ in range(rng.randint(1, 3)):
                attempts += 1
                cursor += timedelta(minutes=STEP_MINUTES * rng.choice((0, 0, 1, 2, 3)))
                row = self._appointment(rng, index, counsellor, day, location_id, cursor,
                                        attempts)
                wall_end = cursor + (row["end_at"] - row["start_at"])
                if wall_end > block_end:
                    break
                service = self.services[row["service_id"]]
                # The next one starts after the buffer, on the next half hour.
                cursor = _round_up(wall_end + timedelta(minutes=service.buffer_minutes))
                if any(row["start_at"] < e and s < row["end_at"] for s, e in taken):
                    continue
                taken.append((row["start_at"], row["end_at"]))
                rows.append(row)
        return rows

    def _appointment(self, rng: random.Random, index: int, counsellor: Counsellor, day: date,
                     location_id: str, wall_start: datetime, sequence: int) -> dict:
        service = self.services[_weighted(rng, SERVICE_WEIGHTS)]
        spoken = counsellor.language_codes
        interpreter = rng.random() < 0.12
        others = [code for code in INTERPRETER_LANGUAGES if code not in spoken]
        if interpreter and others:
            language = rng.choice(others)
        else:
            interpreter = False
            language = _weighted(rng, {code: LANGUAGE_WEIGHTS.get(code, 1) for code in spoken})
        minutes = service.duration_minutes + (service.interpreter_extra_minutes
                                              if interpreter else 0)
        start_at = local_to_utc(day, wall_start.time(), self.tz)
        end_at = start_at + timedelta(minutes=minutes)
        mobile = location_id not in {r.location_id for r in self.rules[counsellor.id]}
        channel = "in_person"
        if not mobile and service.offers_phone and rng.random() < 0.3:
            channel = "phone"
        elif not mobile and service.offers_video and rng.random() < 0.12:
            channel = "video"
        source = _weighted(rng, SOURCE_WEIGHTS)
        lead = timedelta(days=min(int(rng.triangular(1, 41, 4)), 40), minutes=rng.randint(0, 600))
        created_at = start_at - lead
        roll = rng.random()
        status = "cancelled" if roll < 0.10 else "no_show" if roll < 0.20 else "attended"
        cancelled_at = created_at + (start_at - created_at) * rng.uniform(0.2, 0.95) \
            if status == "cancelled" else None
        client = rng.randint(100, 9999)
        reference = f"{REFERENCE_PREFIX}{day:%y%m%d}-{index:02d}{sequence:02d}"
        return {
            "reference": reference, "organisation_id": counsellor.organisation_id,
            "counsellor_id": counsellor.id, "location_id": location_id,
            "service_id": service.id, "start_at": start_at, "end_at": end_at, "status": status,
            "channel": channel, "source": source, "language_code": language,
            "locale": language if language in UI_LOCALES else "de",
            "is_interpreter_needed": interpreter, "client_name": f"Demo-Klient {client}",
            "client_email": None if source == "desk" and rng.random() < 0.4
            else f"demo-klient-{client}@example.org",
            "client_phone": None, "consent_version": CONSENT_VERSION, "consent_at": created_at,
            "manage_token_hash": None, "ical_uid": f"{reference.lower()}@demo.iq-mv-booking",
            "ical_sequence": 1 if status == "cancelled" else 0, "booked_by_user_id": None,
            "created_at": created_at, "updated_at": cancelled_at or end_at,
            "cancelled_at": cancelled_at,
        }


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _round_up(moment: datetime) -> datetime:
    minutes = moment.hour * 60 + moment.minute + (1 if moment.second else 0)
    rounded = -(-minutes // STEP_MINUTES) * STEP_MINUTES
    return datetime.combine(moment.date(), time(0)) + timedelta(minutes=rounded)
