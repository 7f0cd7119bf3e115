"""Periodic work of calendar sync: read the counsellors' busy-time sources that are due."""

from __future__ import annotations

from booking import clock
from booking.calendarsync import busy
from booking.calendarsync.models import ExternalCalendar
from booking.extensions import db
from booking.scheduler.registry import PeriodicJob


def refresh_due_sources() -> int:
    """Read every active source not read for ``busy.DUE_AFTER``; returns how many were read.

    Each source is committed on its own: a slow or failing calendar server neither holds a
    transaction for the others nor loses what they brought."""
    now = clock.now()
    ids = busy.due_source_ids(now)
    db.session.commit()  # end the read transaction before the first download
    for source_id in ids:
        source = db.session.get(ExternalCalendar, source_id)
        if source is None:  # removed on the staff page meanwhile
            continue
        busy.refresh_source(source, now)
        db.session.commit()
    return len(ids)


JOBS = [PeriodicJob("refresh_busy_times", refresh_due_sources, seconds=15 * 60)]
