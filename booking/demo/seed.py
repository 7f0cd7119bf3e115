"""``seed_demo``: bring the database to the demo network; running it twice changes nothing."""

from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import select

from booking.availability.models import WeeklyHours
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.demo import network
from booking.demo.accounts import seed_demo_accounts
from booking.demo.service_texts import SERVICE_TEXTS
from booking.extensions import db
from booking.network.models import Location, Organisation, Town
from booking.tours.travel import seed_travel_times


def _assign(obj, values: dict) -> None:
    """Set only the attributes that differ, so an unchanged row is never written again."""
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _upsert(model, key: dict, values: dict):
    obj = db.session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key, **values)
        db.session.add(obj)
    else:
        _assign(obj, values)
    return obj


def read_towns() -> list[dict]:
    """The mobile-advice towns copied from the shared reference data (``mv_towns.csv``)."""
    text = resources.files("booking.network").joinpath("data/mv_towns.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def seed_demo() -> dict[str, int]:
    """Create or update the demo network; returns how many records of each kind it covers."""
    for org in network.ORGANISATIONS:
        _upsert(Organisation, {"id": org["id"]}, {k: v for k, v in org.items() if k != "id"})
    db.session.flush()

    for office in network.OFFICES:
        _upsert(Location, {"id": office["id"]},
                {**{k: v for k, v in office.items() if k != "id"}, "kind": "office"})
    db.session.flush()

    towns = read_towns()
    for row in towns:
        _upsert(Town, {"id": row["town_id"]}, {
            "name": row["name"], "district_code": row["district_code"],
            "district": row["district"], "organisation_id": row["provider"],
            "base_office_id": row["base_office"], "lat": float(row["lat"]),
            "lon": float(row["lon"]), "population": int(row["population_approx"]),
            "island": row["island"] or None, "in_iq_atlas": row["in_iq_atlas"] or None,
        })
    db.session.flush()
    for row in towns:
        # One mobile venue per town; the concrete room is announced with each advice day.
        _upsert(Location, {"id": row["town_id"]}, {
            "organisation_id": row["provider"], "kind": "mobile",
            "name": f"Mobile Beratung {row['name']}", "town": row["name"],
            "town_id": row["town_id"], "lat": float(row["lat"]), "lon": float(row["lon"]),
        })

    for spec in network.SERVICES:
        values = {k: v for k, v in spec.items() if k != "id"}
        _upsert(Service, {"id": spec["id"]}, values)
        db.session.flush()
        for locale, (name, description, bring) in SERVICE_TEXTS[spec["id"]].items():
            _upsert(ServiceTranslation, {"service_id": spec["id"], "locale": locale},
                    {"name": name, "description": description, "what_to_bring": bring})

    hours_count = 0
    for spec in network.COUNSELLORS:
        counsellor = _upsert(Counsellor, {"email": spec["email"]}, {
            "display_name": spec["display_name"], "organisation_id": spec["organisation_id"],
            "home_location_id": spec["home"],
        })
        db.session.flush()
        _sync_languages(counsellor, spec["languages"])
        for rule in spec["hours"]:
            hours_count += 1
            _upsert(WeeklyHours, {
                "counsellor_id": counsellor.id, "location_id": rule["location_id"],
                "weekday": rule["weekday"], "start_time": rule["start_time"],
            }, {
                "organisation_id": counsellor.organisation_id, "end_time": rule["end_time"],
                "starts_on": network.RULES_START, "ends_on": None,
                "every_n_weeks": rule["every_n_weeks"],
            })
    db.session.flush()
    accounts = seed_demo_accounts()
    seed_travel_times()
    return {
        "organisations": len(network.ORGANISATIONS), "offices": len(network.OFFICES),
        "mobile venues": len(towns), "services": len(network.SERVICES),
        "counsellors": len(network.COUNSELLORS), "weekly hours": hours_count,
        "staff accounts": accounts,
    }


def _sync_languages(counsellor: Counsellor, codes: list[str]) -> None:
    have = set(counsellor.language_codes)
    for code in sorted(set(codes) - have):
        counsellor.languages.append(CounsellorLanguage(language_code=code))
