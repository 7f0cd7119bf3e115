"""A large synthetic counselling network, and a stream of appointments around "now".

Everything is deterministic (seeded). Appointments come week by week, the weeks ordered by
distance from ``FIRST_WEEK``: first the four weeks after "now", then alternately one week
earlier and one week later. Each week's appointments depend only on the seed and the week, so
any prefix of the stream holds exactly the same appointments near "now": a bigger table only
reaches further into the past and the future, at the same density.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from time import perf_counter
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, insert, select

from bench.database import bench_app, describe, migrate, scratch_database
from booking.appointments.models import Appointment
from booking.availability.models import Absence, Closure, WeeklyHours
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.domain.calendar_rules import WeeklyRule, local_to_utc, public_holidays
from booking.domain.slots import working_blocks
from booking.extensions import db
from booking.network.models import Location, Organisation

FIXED_NOW = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # a Monday morning
FIRST_WEEK = date(2027, 1, 11)  # Monday of the week of FIXED_NOW
RULES_START = date(2000, 1, 3)  # a Monday; the hours hold for the whole stream
TZ = ZoneInfo("Europe/Berlin")

ORGANISATIONS = {"vsp": "VSP - Verbund für Soziale Projekte gGmbH", "migra": "migra e.V.",
                 "genres": "genres e.V."}
SERVICES = (  # as in the demo: id, minutes, buffer, interpreter extra, names in de and en
    ("first-consultation", 60, 15, 30, "Erstberatung zur Anerkennung",
     "First consultation on recognition"),
    ("qualification-counselling", 60, 15, 30, "Qualifizierungsberatung",
     "Qualification counselling"),
    ("follow-up", 30, 10, 15, "Folgetermin", "Follow-up appointment"),
)
OFFICES = {  # organisation -> office ids (the two-office counsellors move between them)
    "vsp": ["schwerin", "wismar", "ludwigslust"],
    "migra": ["rostock", "stralsund", "guestrow"],
    "genres": ["neubrandenburg", "greifswald"],
}
MOBILE = {"vsp": "mobil-parchim", "migra": "mobil-bergen", "genres": "mobil-anklam"}
COUNSELLORS_PER_OFFICE = 6
LANGUAGES = {"en": 8, "ru": 6, "uk": 5, "ar": 5, "fa": 3, "prs": 2, "ps": 1, "pl": 3, "ro": 2,
             "tr": 3, "ku": 1}
# Appointments per working block (a counsellor's day at one place): about 0.9 on average,
# so 20,000 appointments cover about two years.
PER_BLOCK = ((0, 1, 2, 3), (36, 43, 16, 5))
CANCELLED_SHARE = 0.1
BUFFER = 15 * 60  # kept free between stored appointments (the longest service buffer)


@dataclass
class Network:
    rules: list[WeeklyRule]
    counsellors: dict[int, dict]  # id -> {"organisation": ..., "languages": [...]}
    offices: list[str]
    mobile: list[str]
    main_office: str
    absent: set[tuple[int, date]] = field(default_factory=set)
    closed: set[tuple[str, date]] = field(default_factory=set)  # (location, local day)
    counts: dict[str, int] = field(default_factory=dict)

    def speakers(self, language: str) -> set[str]:
        """Locations where somebody speaks ``language``."""
        return {r.location_id for r in self.rules
                if language in self.counsellors[r.counsellor_id]["languages"]}

    def half_covered_language(self) -> str:
        """A language spoken at about half the locations, so a search by it finds direct
        matches at some and interpreter slots at others."""
        half = (len(self.offices) + len(self.mobile)) / 2
        return min(sorted(LANGUAGES), key=lambda code: abs(len(self.speakers(code)) - half))


def build_network(app: Flask, seed: int = 2027) -> Network:
    """Organisations, offices, mobile venues, services, counsellors with hours, absences and
    closures (no appointments: see ``appointment_stream``)."""
    rng = random.Random(f"{seed}:network")
    with app.app_context():
        _organisations_and_services()
        net = _counsellors(rng)
        _absences_and_closures(rng, net)
        db.session.commit()
    return net


@contextmanager
def network_app(*, horizon_days: int = 120, note: str = ""
                ) -> Iterator[tuple[Flask, Network, float]]:
    """The set-up the benchmarks on the network share: a scratch database (its description
    printed, ``note`` appended) with the production schema and the network, and an app on it
    with "now" frozen at ``FIXED_NOW``; yields the app, the network and the seconds the schema
    and network took. Closes the app's connections at the end."""
    with scratch_database() as url:
        print(f"database: {describe(url)}{note}", flush=True)
        app = bench_app(url, FIXED_NOW, horizon_days=horizon_days)
        started = perf_counter()
        migrate(app)
        net = build_network(app)
        try:
            yield app, net, perf_counter() - started
        finally:
            with app.app_context():
                db.engine.dispose()


def _organisations_and_services() -> None:
    for org, name in ORGANISATIONS.items():
        db.session.add(Organisation(id=org, name=name, short_name=org))
    db.session.flush()
    for org, offices in OFFICES.items():
        for office in offices:
            db.session.add(Location(id=office, organisation_id=org, kind="office",
                                    name=f"IQ Servicestelle {office.title()}",
                                    town=office.title(), address="Musterstraße 1"))
        db.session.add(Location(id=MOBILE[org], organisation_id=org, kind="mobile",
                                name=f"Mobile Beratung {MOBILE[org][6:].title()}",
                                town=MOBILE[org][6:].title()))
    for order, (service_id, minutes, buffer, extra, de, en) in enumerate(SERVICES, 1):
        service = Service(id=service_id, duration_minutes=minutes, buffer_minutes=buffer,
                          interpreter_extra_minutes=extra, sort_order=order)
        service.translations = [ServiceTranslation(locale="de", name=de),
                                ServiceTranslation(locale="en", name=en)]
        db.session.add(service)
    db.session.flush()


def _hours(counsellor: Counsellor, location: str, weekdays, start: time, end: time,
           every_n_weeks: int = 1) -> list[WeeklyHours]:
    return [WeeklyHours(organisation_id=counsellor.organisation_id, counsellor_id=counsellor.id,
                        location_id=location, weekday=d, start_time=start, end_time=end,
                        starts_on=RULES_START, every_n_weeks=every_n_weeks)
            for d in weekdays]


def _counsellors(rng: random.Random) -> Network:
    """Six counsellors per office, Monday to Friday; the fifth of each office spends Thursday
    and Friday at a sister office, the sixth has a fortnightly Friday at a mobile venue."""
    codes, weights = list(LANGUAGES), list(LANGUAGES.values())
    info: dict[int, dict] = {}
    hours: list[WeeklyHours] = []
    n = count(1)
    for org, offices in OFFICES.items():
        for index, office in enumerate(offices):
            sister = offices[(index + 1) % len(offices)]
            for j in range(COUNSELLORS_PER_OFFICE):
                k = next(n)
                languages, wanted = {"de"}, rng.choice((2, 3, 3, 4))
                while len(languages) < wanted:
                    languages.add(rng.choices(codes, weights)[0])
                counsellor = Counsellor(organisation_id=org, display_name=f"Beraterin {k}",
                                        email=f"counsellor{k}@{org}.example.org",
                                        home_location_id=office)
                counsellor.languages = [CounsellorLanguage(language_code=c) for c in languages]
                db.session.add(counsellor)
                db.session.flush()
                info[counsellor.id] = {"organisation": org, "languages": sorted(languages)}
                start = time(rng.choice((8, 8, 9, 9, 10)), rng.choice((0, 30)))
                end = time(start.hour + rng.choice((6, 6, 7)), start.minute)
                days = {3: (0, 1, 2, 3), 4: (0, 1, 2), 5: (0, 1, 2, 3)}.get(j, range(5))
                hours += _hours(counsellor, office, days, start, end)
                if j == 4:
                    hours += _hours(counsellor, sister, (3, 4), time(9), time(15))
                elif j == 5:
                    hours += _hours(counsellor, MOBILE[org], (4,), time(10), time(14), 2)
    db.session.add_all(hours)
    db.session.flush()
    rules = [WeeklyRule(h.counsellor_id, h.location_id, h.weekday, h.start_time, h.end_time,
                        h.starts_on, h.ends_on, h.every_n_weeks) for h in hours]
    offices = [o for org in OFFICES.values() for o in org]
    return Network(rules=rules, counsellors=info, offices=offices, mobile=list(MOBILE.values()),
                   main_office=offices[0],
                   counts={"weekly hours": len(hours), "counsellors": len(info)})


def _local_day(day: date) -> tuple[datetime, datetime]:
    return local_to_utc(day, time(0), TZ), local_to_utc(day + timedelta(days=1), time(0), TZ)


def _absences_and_closures(rng: random.Random, net: Network) -> None:
    """A week's leave per counsellor in about half the quarters of the two years around now,
    a few of them in the first four weeks; a Christmas closure and a team day."""
    absences = 0
    for counsellor_id in net.counsellors:
        mondays = [FIRST_WEEK + timedelta(weeks=quarter * 13 - 52 + rng.randrange(13))
                   for quarter in range(8) if rng.random() < 0.5]
        if counsellor_id % 16 == 0:  # three of them are away in the third week
            mondays = [m for m in mondays if abs((m - FIRST_WEEK).days) > 35]
            mondays.append(FIRST_WEEK + timedelta(weeks=2))
        for monday in mondays:
            start, end = _local_day(monday)[0], _local_day(monday + timedelta(days=4))[1]
            db.session.add(Absence(counsellor_id=counsellor_id, start_at=start, end_at=end,
                                   reason="leave"))
            absences += 1
            net.absent |= {(counsellor_id, monday + timedelta(days=d)) for d in range(5)}
    christmas = date(2026, 12, 24)
    db.session.add(Closure(organisation_id="vsp", start_at=_local_day(christmas)[0],
                           end_at=_local_day(date(2027, 1, 1))[1], reason="Weihnachten"))
    net.closed |= {(loc, christmas + timedelta(days=d)) for d in range(9)
                   for loc in OFFICES["vsp"] + [MOBILE["vsp"]]}
    team_day = date(2027, 1, 27)
    db.session.add(Closure(location_id="rostock", start_at=_local_day(team_day)[0],
                           end_at=_local_day(team_day)[1], reason="Teamtag"))
    net.closed.add(("rostock", team_day))
    net.counts.update({"absences": absences, "closures": 2})


def week_order() -> Iterator[int]:
    """Week offsets from ``FIRST_WEEK``: 0, 1, 2, 3, then -1, 4, -2, 5, …"""
    yield from range(4)
    back, ahead = -1, 4
    while True:
        yield back
        yield ahead
        back, ahead = back - 1, ahead + 1


def appointment_stream(net: Network, seed: int = 2027) -> Iterator[dict]:
    """Rows for ``insert(Appointment)``: inside working hours, never on holidays, closed days
    or absences, at least ``BUFFER`` apart per counsellor, mostly confirmed."""
    serial = count(1)
    for offset in week_order():
        monday = FIRST_WEEK + timedelta(weeks=offset)
        if monday < RULES_START:
            continue
        rng = random.Random(f"{seed}:week:{offset}")
        end = monday + timedelta(days=7)
        blocks = working_blocks(net.rules, monday, end, TZ, public_holidays(monday, end))
        for counsellor_id in sorted(blocks):
            for block_start, block_end, location in blocks[counsellor_id]:
                day = datetime.fromtimestamp(block_start, TZ).date()
                if (counsellor_id, day) in net.absent or (location, day) in net.closed:
                    continue
                taken: list[tuple[int, int]] = []
                for _ in range(rng.choices(*PER_BLOCK)[0]):
                    row = _appointment(rng, net, counsellor_id, location, block_start,
                                       block_end, taken, serial)
                    if row is not None:
                        yield row


def _appointment(rng, net, counsellor_id, location, block_start, block_end, taken, serial):
    first = rng.random() < 0.7
    interpreter = first and rng.random() < 0.15
    minutes = (90 if interpreter else 60) if first else 30
    latest = block_end - minutes * 60
    if latest < block_start:
        return None
    for _ in range(6):  # a few tries to find a free start on the half-hour grid
        start = block_start + rng.randrange((latest - block_start) // 1800 + 1) * 1800
        stop = start + minutes * 60
        if all(stop + BUFFER <= a or b + BUFFER <= start for a, b in taken):
            break
    else:
        return None
    taken.append((start, stop))
    n = next(serial)
    start_at, end_at = datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(stop, UTC)
    created = start_at - timedelta(days=rng.randint(1, 40), minutes=rng.randint(0, 600))
    cancelled = rng.random() < CANCELLED_SHARE
    cancelled_at = created + (start_at - created) * rng.random() if cancelled else None
    spoken = net.counsellors[counsellor_id]["languages"]
    language = (rng.choice([c for c in LANGUAGES if c not in spoken]) if interpreter
                else rng.choice(spoken))
    return {
        "reference": _reference(n), "ical_uid": f"bench-{n:07d}@iq-mv.example.org",
        "organisation_id": net.counsellors[counsellor_id]["organisation"],
        "counsellor_id": counsellor_id, "location_id": location,
        "service_id": "first-consultation" if first else "follow-up",
        "start_at": start_at, "end_at": end_at,
        "status": "cancelled" if cancelled else "confirmed",
        "channel": "in_person" if first or rng.random() < 0.6 else "phone",
        "source": rng.choice(("online", "online", "api", "desk")),
        "language_code": language, "locale": "de" if rng.random() < 0.7 else "en",
        "is_interpreter_needed": interpreter,
        "client_name": f"Klientin {n}", "client_email": f"client{n}@example.net",
        "client_phone": None, "consent_version": "2026-01", "consent_at": created,
        "ical_sequence": 1 if cancelled else 0, "created_at": created,
        "updated_at": cancelled_at or created, "cancelled_at": cancelled_at,
    }


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32


def _reference(n: int) -> str:
    """Unique "K7MQ-4X9D"-style references: n times an odd number is a bijection mod 32**8."""
    value = (n * 0x9E3779B1) % 32**8
    chars = [_ALPHABET[(value >> (5 * i)) & 31] for i in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def insert_appointments(app: Flask, rows: Iterator[dict], how_many: int,
                        chunk: int = 5000) -> None:
    """Bulk-insert the next ``how_many`` rows of the stream."""
    with app.app_context():
        left = how_many
        while left > 0:
            batch = [row for _, row in zip(range(min(chunk, left)), rows, strict=False)]
            if not batch:
                raise RuntimeError("the appointment stream ran dry")
            db.session.execute(insert(Appointment), batch)
            left -= len(batch)
        db.session.commit()


def stored_span(app: Flask) -> tuple[datetime, datetime]:
    with app.app_context():
        return db.session.execute(select(func.min(Appointment.start_at),
                                         func.max(Appointment.start_at))).one()
