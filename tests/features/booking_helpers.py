"""Helpers shared by the booking tests: find a free slot, book it through the use case."""

from __future__ import annotations

from datetime import date, timedelta

from booking import clock
from booking.appointments import services
from booking.availability.services import find_free_slots
from booking.catalogue.models import Service
from booking.extensions import db
from booking.network.models import Location


def free_slots(location_id: str = "rostock", service_id: str = "follow-up",
               language: str = "de", day: date = date(2027, 2, 3)):
    service = db.session.get(Service, service_id)
    location = db.session.get(Location, location_id)
    return find_free_slots(service=service, locations=[location], language=language,
                           first_day=day, end_day=day + timedelta(days=1), now=clock.now()).slots


def booking_request(slot, **changes) -> services.BookingRequest:
    values = dict(service_id="follow-up", location_id=slot.location_id, start_at=slot.start,
                  language="de", name="Maria Beispiel", email="maria@example.org",
                  consent=True)
    values.update(changes)
    return services.BookingRequest(**values)


def book(slot, **changes) -> services.Booked:
    booked = services.book_appointment(booking_request(slot, **changes), now=clock.now())
    db.session.commit()
    return booked
