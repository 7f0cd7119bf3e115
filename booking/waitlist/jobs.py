"""Periodic work on the waiting list: run-out holds pass their time on, past wishes expire."""

from __future__ import annotations

from booking import clock
from booking.scheduler.registry import PeriodicJob
from booking.waitlist.offers import expire_holds_and_entries


def expire_waitlist_holds() -> int:
    """Idempotent: what is due is data (``expires_at``, ``wanted_before``, statuses)."""
    return expire_holds_and_entries(clock.now())


JOBS = [PeriodicJob("expire_waitlist_holds", expire_waitlist_holds, seconds=300)]
