"""Periodic work of the outbox: deliver due messages every few seconds."""

from booking.outbox.delivery import deliver_due_messages
from booking.scheduler.registry import PeriodicJob

JOBS = [PeriodicJob("deliver_outbox", deliver_due_messages, seconds=5)]
