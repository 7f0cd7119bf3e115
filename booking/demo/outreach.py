"""Demo outreach: recurring mobile advice days for the next three months, and fictional people
waiting for an advice day in towns without one.

Each demo series is one counsellor's day on the nth weekday of every month ("first Tuesday:
Wismar and Grevesmühlen"), planned by the tour planner over the travel matrix and published,
so `make run` shows bookable mobile times, travel blocks in the feeds and the outreach feed.
Days that already have a tour of that counsellor, past days, holidays and days the planner
refuses are left out, so running it again adds only what the moving window brings.
Interest registrations are plain rows (no mail is sent) with example.org addresses.
Not part of ``seed_demo()`` (which many tests run): ``flask seed-demo`` calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from booking import clock
from booking.appointments.services import CONSENT_VERSION
from booking.availability.services import local_date
from booking.counsellors.models import Counsellor
from booking.demand.models import InterestRegistration
from booking.domain.calendar_rules import public_holidays
from booking.extensions import db
from booking.network.models import Town
from booking.tours.models import Tour
from booking.tours.services import StopWish, occurrences, plan_tour_for, publish_tour, save_draft
from booking.tours.travel import travel_function

WINDOW_DAYS = 90


@dataclass(frozen=True)
class DemoSeries:
    counsellor_email: str
    rule: str  # RFC 5545 RRULE; DTSTART is the first of the current month
    office: str
    stops: tuple[StopWish, ...]
    note: str


SERIES = (
    DemoSeries("k.beispiel@vsp.example.org", "FREQ=MONTHLY;BYDAY=1TU", "schwerin",
               (StopWish("wismar", 150), StopWish("grevesmuehlen", 90)),
               "Jobcenter Nordwestmecklenburg, Beratungsraum 2"),
    DemoSeries("i.obrazcova@migra.example.org", "FREQ=MONTHLY;BYDAY=2TH", "rostock",
               (StopWish("stralsund", 120), StopWish("grimmen", 60)),
               "Agentur für Arbeit, Erdgeschoss"),
    DemoSeries("a.misali@genres.example.org", "FREQ=MONTHLY;BYDAY=3TU", "greifswald",
               (StopWish("anklam", 120), StopWish("wolgast", 120)),
               "Sprachkursträger, Raum 1.04"),
)

# (town, service, language, days waiting): each person reads the pages in the language of
# the consultation they want.
INTEREST = (
    ("hagenow", "first-consultation", "uk", 41),
    ("hagenow", "first-consultation", "ar", 12),
    ("ludwigslust", "first-consultation", "ar", 33),
    ("parchim", "first-consultation", "ru", 20),
    ("parchim", "qualification-counselling", "uk", 8),
    ("guestrow", "first-consultation", "fa", 55),
    ("guestrow", "first-consultation", "uk", 27),
    ("teterow", "follow-up", "pl", 5),
    ("bergen-auf-ruegen", "first-consultation", "uk", 61),
    ("waren-mueritz", "first-consultation", "ar", 44),
    ("waren-mueritz", "first-consultation", "tr", 18),
    ("neustrelitz", "qualification-counselling", "ru", 9),
    ("pasewalk", "first-consultation", "uk", 30),
    ("demmin", "first-consultation", "ar", 14),
)


def seed_demo_outreach() -> tuple[int, int]:
    """Publish the missing demo advice days and add the missing demo interest registrations
    (flush only); returns how many of each were added."""
    today = local_date(clock.now())
    return _seed_tours(today), _seed_interest(today)


def _seed_tours(today: date) -> int:
    travel, added = travel_function(), 0
    end = today + timedelta(days=WINDOW_DAYS)
    holidays = public_holidays(today, end)
    for series in SERIES:
        counsellor = db.session.scalar(select(Counsellor).where(
            Counsellor.email == series.counsellor_email))
        if counsellor is None:
            continue
        taken = set(db.session.scalars(select(Tour.day).where(
            Tour.counsellor_id == counsellor.id, Tour.day >= today)))
        month_start = today.replace(day=1)
        for day in occurrences(f"{series.rule};COUNT=4", month_start):
            if not today < day < end or day in taken or day in holidays:
                continue
            plan = plan_tour_for(counsellor, day, series.office, series.office,
                                 list(series.stops), travel=travel)
            if not plan.is_feasible:
                continue
            tour = save_draft(plan, public_note=series.note)
            if not publish_tour(tour):
                added += 1
    return added


def _seed_interest(today: date) -> int:
    have = set(db.session.scalars(select(InterestRegistration.client_email).where(
        InterestRegistration.client_email.like("interesse-%@example.org"))))
    towns = {t.id: t for t in db.session.scalars(select(Town))}
    added = 0
    for number, (town_id, service, language, waiting) in enumerate(INTEREST, 1):
        email = f"interesse-{number:02d}@example.org"
        town = towns.get(town_id)
        if email in have or town is None:
            continue
        since = clock.now().replace(microsecond=0) - timedelta(days=waiting)
        db.session.add(InterestRegistration(
            organisation_id=town.organisation_id, town_id=town_id, service_id=service,
            language_code=language, locale=language, client_name=f"Demo-Interessent {number}",
            client_email=email, consent_version=CONSENT_VERSION, consent_at=since, status="waiting",
            created_at=since))
        added += 1
    db.session.flush()
    return added
