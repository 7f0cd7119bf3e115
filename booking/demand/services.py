"""Interest use cases: register, find by token, withdraw, invite when a tour is published.

The withdraw token is an HMAC of the registration's id and creation second under the secret
key (as appointments' manage tokens are): never stored, only its SHA-256, and reproducible
when the invitation mail needs the link again. They flush; callers commit once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from booking import clock
from booking.appointments import tokens
from booking.appointments.services import CONSENT_VERSION
from booking.audit.services import record
from booking.demand.models import InterestRegistration
from booking.extensions import db
from booking.network.models import Location, Town
from booking.outbox.services import enqueue
from booking.tours.models import TourStop

CONFIRMATION_TOPIC = "demand.registered"
INVITATION_TOPIC = "demand.invitation"


class InterestError(Exception):
    """A refused registration; ``code`` is stable and ``field`` names the form field."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code, self.field = code, field


@dataclass(frozen=True)
class InterestRequest:
    town_id: str
    service_id: str
    language: str
    name: str
    email: str
    phone: str | None = None
    consent: bool = False
    locale: str = "de"


def towns_with_venues() -> list[Town]:
    """Towns with an active mobile venue (where an advice day can take place), by district
    and name: what a client may register interest for."""
    with_venue = select(Location.town_id).where(Location.kind == "mobile", Location.is_active,
                                                Location.town_id.is_not(None))
    return list(db.session.scalars(select(Town).where(Town.id.in_(with_venue))
                                   .order_by(Town.district, Town.name)))


def interest_token(registration: InterestRegistration) -> str:
    stamp = int(registration.created_at.timestamp())
    return tokens.sign(f"interest:{registration.id}:{stamp}")


def withdraw_url(registration: InterestRegistration) -> str:
    return tokens.public_url(f"/interest/{interest_token(registration)}/withdraw")


def register_interest(request: InterestRequest, *, now: datetime) -> InterestRegistration:
    """Store a waiting registration for the town's provider and queue the confirmation."""
    if not request.consent:
        raise InterestError("consent_required", "consent")
    town = db.session.get(Town, request.town_id)
    if town is None or town not in towns_with_venues():
        raise InterestError("unknown_town", "town")
    registration = InterestRegistration(
        organisation_id=town.organisation_id, town_id=town.id, service_id=request.service_id,
        language_code=request.language, locale=request.locale, client_name=request.name,
        client_email=request.email, client_phone=request.phone or None,
        consent_version=CONSENT_VERSION, consent_at=now, status="waiting",
        created_at=now.replace(microsecond=0),
    )
    db.session.add(registration)
    db.session.flush()
    registration.manage_token_hash = tokens.hash_token(interest_token(registration))
    db.session.flush()
    enqueue(CONFIRMATION_TOPIC, payload={"registration_id": registration.id},
            organisation_id=registration.organisation_id,
            dedupe_key=f"{CONFIRMATION_TOPIC}:{registration.id}")
    record("create", "interest_registration", registration.id, actor="client",
           organisation_id=registration.organisation_id)
    return registration


def find_by_token(token: str) -> InterestRegistration | None:
    return tokens.find_by_token(InterestRegistration.manage_token_hash, token)


def withdraw_interest(registration: InterestRegistration, *, now: datetime) -> bool:
    """Withdraw; withdrawing twice is harmless and returns False the second time."""
    if registration.status == "withdrawn":
        return False
    registration.status, registration.withdrawn_at = "withdrawn", now
    db.session.flush()
    record("withdraw", "interest_registration", registration.id, actor="client",
           organisation_id=registration.organisation_id)
    return True


def invite_for_tour(tour) -> int:
    """Invite everybody waiting for a town the (just published) tour visits, one e-mail per
    registration, and mark them invited. Returns how many were invited; calling it again
    finds nobody waiting and sends nothing."""
    if tour.status != "published":
        return 0  # a draft or cancelled tour offers nothing to book
    stops = sorted(tour.stops, key=lambda stop: stop.position)
    venues = {venue.id: venue for venue in db.session.scalars(
        select(Location).where(Location.id.in_({stop.location_id for stop in stops})))}
    stop_of_town: dict[str, TourStop] = {}  # a town visited twice is offered its first stop
    for stop in stops:
        venue = venues.get(stop.location_id)
        if venue is not None and venue.town_id is not None:
            stop_of_town.setdefault(venue.town_id, stop)
    if not stop_of_town:
        return 0
    now = clock.now()
    waiting = db.session.scalars(select(InterestRegistration).where(
        InterestRegistration.organisation_id == tour.organisation_id,
        InterestRegistration.town_id.in_(stop_of_town),
        InterestRegistration.status == "waiting",
    ).order_by(InterestRegistration.id)).all()
    for registration in waiting:
        stop = stop_of_town[registration.town_id]
        registration.status, registration.invited_at = "invited", now
        registration.invited_tour_id = tour.id
        if registration.client_email:
            enqueue(INVITATION_TOPIC,
                    payload={"registration_id": registration.id, "tour_id": tour.id,
                             "stop_id": stop.id},
                    organisation_id=registration.organisation_id,
                    dedupe_key=f"{INVITATION_TOPIC}:{registration.id}:{tour.id}")
    db.session.flush()
    return len(waiting)
