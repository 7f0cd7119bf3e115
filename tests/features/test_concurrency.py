"""Fifty clients race for one slot through the API: exactly one wins, on SQLite and PostgreSQL."""

import threading
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from booking.appointments.models import Appointment
from booking.extensions import db
from tests.features.booking_helpers import free_slots

THREADS = 50


def test_fifty_threads_book_one_slot_exactly_one_wins(app, demo):
    # Wednesday 09:00 in Rostock: only one counsellor works then, so there is one seat.
    slot = next(s for s in free_slots(day=date(2027, 2, 3)) if s.start.hour == 8)
    barrier = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        client = app.test_client()
        body = {"service": "follow-up", "location": "rostock", "start": slot.start.isoformat(),
                "language": "de", "name": f"Client {i}", "email": f"client{i}@example.org",
                "consent": True}
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/bookings", json=body)
            results.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 - report every failure in the thread
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert Counter(results) == {201: 1, 409: THREADS - 1}, Counter(results)
    db.session.expire_all()
    booked = db.session.scalar(select(func.count(Appointment.id)).where(
        Appointment.start_at == slot.start, Appointment.status == "confirmed"))
    assert booked == 1
