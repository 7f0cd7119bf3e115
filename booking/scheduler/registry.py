"""The schedule is code: each feature's ``jobs.py`` lists its periodic jobs here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    """A job the worker runs every ``seconds``; what is due is data, so re-running is harmless."""

    name: str
    func: Callable[[], object]
    seconds: int


def all_jobs() -> list[PeriodicJob]:
    """Every periodic job of every feature, in a fixed order."""
    jobs: list[PeriodicJob] = []
    for module in _job_modules():
        jobs.extend(module.JOBS)
    return jobs


def _job_modules() -> list:
    """Features with periodic work; reminders first, so a tick queues and then delivers."""
    from booking.appointments import jobs as appointment_jobs
    from booking.calendarsync import jobs as calendarsync_jobs
    from booking.outbox import jobs as outbox_jobs
    from booking.waitlist import jobs as waitlist_jobs

    return [appointment_jobs, calendarsync_jobs, waitlist_jobs, outbox_jobs]
