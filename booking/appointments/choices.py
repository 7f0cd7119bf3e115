"""What a client can choose from at each step: places, days of a month, times of a day.
Booking and moving an appointment share these, so both offer exactly the same times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select, union
from sqlalchemy.orm import joinedload

from booking import clock
from booking.availability.models import WeeklyHours
from booking.availability.services import (
    DayWithSlots,
    bookable_range,
    days_with_slots,
    find_free_slots,
    local_date,
    local_today,
)
from booking.catalogue.models import Service
from booking.domain.slots import Slot
from booking.extensions import db
from booking.network.models import Location
from booking.tours.models import Tour, TourStop


@dataclass(frozen=True)
class MonthChoices:
    month: date
    days: list[DayWithSlots]
    previous_month: date | None
    next_month: date | None
    # When the month has no free day: the first free day after it within the horizon (None:
    # there is none, which is when the flow offers to register interest).
    next_free_day: date | None = None


def places(organisation_id: str | None = None) -> tuple[list[Location], list[Location]]:
    """Offices, and mobile venues that have advice days (weekly hours or published tours)
    from today on; only one organisation's when ``organisation_id`` is given (the desk)."""
    today = local_today()
    mine = [Location.organisation_id == organisation_id] if organisation_id else []
    offices = db.session.scalars(
        select(Location).where(Location.kind == "office", Location.is_active, *mine)
        .options(joinedload(Location.organisation)).order_by(Location.town)).all()
    with_days = union(
        select(WeeklyHours.location_id).where(
            or_(WeeklyHours.ends_on.is_(None), WeeklyHours.ends_on >= today)),
        select(TourStop.location_id).join(Tour, Tour.id == TourStop.tour_id)
        .where(Tour.status == "published", Tour.day >= today))
    mobile = db.session.scalars(
        select(Location).where(Location.kind == "mobile", Location.is_active,
                               Location.id.in_(with_days), *mine)
        .options(joinedload(Location.organisation)).order_by(Location.town)).all()
    return list(offices), list(mobile)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def month_choices(service: Service, location: Location, language: str, month: date | None,
                  *, ignore_appointment_id: int | None = None,
                  min_notice: timedelta | None = None) -> MonthChoices:
    """``min_notice`` overrides the configured notice (the office desk passes 0 for walk-ins)."""
    now = clock.now()
    today = local_date(now)
    last_day = local_date(bookable_range(now, min_notice)[1] - timedelta(seconds=1))
    month = _month_start(month or today)
    month = min(max(month, _month_start(today)), _month_start(last_day))
    first = max(month, today)
    end = min(_next_month(month), last_day + timedelta(days=1))
    search = find_free_slots(service=service, locations=[location], language=language,
                             first_day=first, end_day=end, now=now,
                             ignore_appointment_id=ignore_appointment_id, min_notice=min_notice)
    previous_month = month - timedelta(days=1) if month > _month_start(today) else None
    next_month = _next_month(month) if _next_month(month) <= last_day else None
    days = days_with_slots(search.slots)
    next_free_day = None
    if not days and next_month is not None:  # one more search, only for an empty month
        later = find_free_slots(service=service, locations=[location], language=language,
                                first_day=next_month, end_day=last_day + timedelta(days=1),
                                now=now, ignore_appointment_id=ignore_appointment_id,
                                min_notice=min_notice)
        next_free_day = min((local_date(s.start) for s in later.slots), default=None)
    return MonthChoices(month, days, _month_start(previous_month) if previous_month else None,
                        next_month, next_free_day)


def day_choices(service: Service, location: Location, language: str, day: date,
                *, ignore_appointment_id: int | None = None,
                min_notice: timedelta | None = None) -> list[Slot]:
    search = find_free_slots(service=service, locations=[location], language=language,
                             first_day=day, end_day=day + timedelta(days=1), now=clock.now(),
                             ignore_appointment_id=ignore_appointment_id, min_notice=min_notice)
    return sorted(search.slots, key=lambda s: s.start)
