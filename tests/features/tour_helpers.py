"""Helpers shared by the tour tests: the demo counsellor, the planning form's fields, and a
draft planned through the use cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.tours.models import Tour
from booking.tours.services import StopWish, plan_tour_for, save_draft
from tests.conftest import COUNSELLOR_VSP

# Tuesday 9 February 2027: Katrin Beispiel works in Schwerin 09:00–16:00.
TOUR_DAY = date(2027, 2, 9)


def katrin() -> Counsellor:
    return db.session.scalar(select(Counsellor).where(Counsellor.email == COUNSELLOR_VSP))


def tour_form(counsellor_id: int, day: str = TOUR_DAY.isoformat(),
              stops: list[tuple] = (("wismar", 120), ("grevesmuehlen", 120)),
              action: str = "preview", **fields) -> dict:
    """The planning form's fields: ``stops`` are (venue, minutes[, not before, done by])."""
    data = {"counsellor": str(counsellor_id), "day": day, "start_office": "schwerin",
            "end_office": "schwerin", "setup_minutes": "15", "public_note": "",
            "repeat": "none", "nth": "1", "every_n_weeks": "4", "count": "6",
            "action": action}
    for index, stop in enumerate(stops):
        venue, minutes, *times = (*stop, "", "")
        data.update({f"stops-{index}-venue": venue, f"stops-{index}-minutes": str(minutes),
                     f"stops-{index}-earliest_start": times[0],
                     f"stops-{index}-latest_end": times[1]})
    data.update(fields)
    return data


def draft_tour(day: date = TOUR_DAY, stops=(("wismar", 120), ("grevesmuehlen", 120)),
               counsellor: Counsellor | None = None) -> Tour:
    """A draft planned and saved through the use cases (committed), from and back to the
    counsellor's home office."""
    counsellor = counsellor or katrin()
    office = counsellor.home_location_id
    plan = plan_tour_for(counsellor, day, office, office,
                         [StopWish(venue, minutes) for venue, minutes in stops])
    assert plan.is_feasible, plan.refusal
    tour = save_draft(plan)
    db.session.commit()
    return tour
