"""The pure domain core: time ranges, slot computation, tour planning, iCalendar building.

Frozen dataclasses in, values out. The current time and the travel-time function are
arguments. Nothing here imports Flask, SQLAlchemy, Flask-Babel or APScheduler; the
import-linter contract in pyproject.toml enforces that.
"""
