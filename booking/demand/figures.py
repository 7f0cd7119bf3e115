"""Waiting demand per town, weighted by how long people have been waiting.

weight of a town = Σ over its waiting registrations of (1 + d / 30), where d is the number of
whole days the person has been waiting: a new registration counts 1, one waiting a month
counts 2, so towns where people have waited long rise to the top of the planning list.
Only counts leave this module: no name or contact of a client.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from booking.demand.models import InterestRegistration
from booking.extensions import db
from booking.network.models import Town

WEIGHT_DAYS = 30  # waiting this many days doubles a person's weight
TOP = 3  # languages and services shown per town


def waiting_weight(created_at: datetime, now: datetime) -> float:
    days = max((now - created_at).days, 0)
    return 1 + days / WEIGHT_DAYS


@dataclass
class TownDemand:
    town: Town
    waiting: int = 0
    weight: float = 0.0
    longest_wait_days: int = 0
    languages: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)

    @property
    def top_languages(self) -> list[tuple[str, int]]:
        return sorted(self.languages.items(), key=lambda item: (-item[1], item[0]))[:TOP]

    @property
    def top_services(self) -> list[tuple[str, int]]:
        return sorted(self.services.items(), key=lambda item: (-item[1], item[0]))[:TOP]


def town_demand(organisation_id: str | None, now: datetime) -> list[TownDemand]:
    """Towns with people waiting, heaviest first; one organisation's registrations, or the
    whole network's when ``organisation_id`` is None."""
    statement = (select(InterestRegistration, Town)
                 .join(Town, Town.id == InterestRegistration.town_id)
                 .where(InterestRegistration.status == "waiting"))
    if organisation_id is not None:
        statement = statement.where(InterestRegistration.organisation_id == organisation_id)
    towns: dict[str, TownDemand] = {}
    for registration, town in db.session.execute(statement):
        demand = towns.setdefault(town.id, TownDemand(town))
        demand.waiting += 1
        demand.weight += waiting_weight(registration.created_at, now)
        demand.longest_wait_days = max(demand.longest_wait_days,
                                       max((now - registration.created_at).days, 0))
        demand.languages[registration.language_code] += 1
        demand.services[registration.service_id] += 1
    return sorted(towns.values(), key=lambda d: (-d.weight, d.town.name))
