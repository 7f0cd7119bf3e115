"""Demo sign-ins: one administrator, office staff per organisation, every demo counsellor.

They all share ``DEMO_PASSWORD`` (printed by ``seed-demo`` and named in the README). They are
demo data like the rest: never run ``seed-demo`` on a production database.
"""

from __future__ import annotations

from sqlalchemy import select

from booking.auth.models import User
from booking.auth.services import create_user
from booking.counsellors.models import Counsellor
from booking.demo import network
from booking.extensions import db

DEMO_PASSWORD = "demo-passwort"  # noqa: S105 - demo data, documented in the README
ADMIN_EMAIL = "admin@iq-mv.example.org"


def demo_staff() -> list[dict]:
    """Who can sign in to the demo, as ``create_user`` arguments."""
    accounts = [{"email": ADMIN_EMAIL, "role": "admin", "display_name": "Netzwerk-Admin"}]
    for org in network.ORGANISATIONS:
        accounts.append({"email": f"buero@{org['id']}.example.org", "role": "staff",
                         "organisation_id": org["id"],
                         "display_name": f"Büro {org['short_name']}"})
    for spec in network.COUNSELLORS:
        accounts.append({"email": spec["email"], "role": "counsellor",
                         "organisation_id": spec["organisation_id"],
                         "display_name": spec["display_name"]})
    return accounts


def seed_demo_accounts() -> int:
    """Create the demo accounts that are missing; existing ones (and their passwords) stay."""
    counsellors = {c.email: c.id for c in db.session.scalars(select(Counsellor))}
    existing = set(db.session.scalars(select(User.email)))
    for account in demo_staff():
        if account["email"] in existing:
            continue
        create_user(password=DEMO_PASSWORD, counsellor_id=counsellors.get(account["email"])
                    if account["role"] == "counsellor" else None, **account)
    return len(demo_staff())
