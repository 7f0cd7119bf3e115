"""Statistics for reports to funders: appointment counts grouped in SQL, never personal data.

Every figure counts the appointments whose start falls into the chosen local months (Europe/
Berlin), optionally of one organisation. The months are cut in Python into UTC instants (DST
correct on every database) and the database only compares ``start_at`` with them, so the
``(organisation_id, start_at)`` index answers and every figure is one ``GROUP BY`` query over a
derived table, whatever the size of the table.

Definitions (shown on the page as well):

- *per month*: all appointments, stacked by status (attended, no-show, cancelled, booked, i.e.
  still upcoming or not yet marked);
- *per place, service, language, channel, source, interpreter*: the same four statuses per key;
- *no-show rate*: no-show / (attended + no-show), overall and per month; None without either;
- *interpreter share*: appointments with an interpreter among those not cancelled;
- *lead time*: whole days from booking (``created_at``) to start (``start_at``) of appointments
  not cancelled; median and buckets 0–2, 3–7, 8–14, 15–30 and more than 30 days.

CSV export (``export_rows``): one tidy row per month × organisation × place × service ×
consultation language × channel × source × interpreter × status with its ``count``; only
combinations that occur are listed, so summing ``count`` over any columns gives every figure of
the page. Codes are stable (``status`` attended|no_show|cancelled|confirmed, ``channel``
in_person|phone|video, ``source`` online|api|desk, ``interpreter`` 0|1); the ``*_label`` columns
repeat them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Integer, case, cast, func, literal_column, select

from booking.appointments.models import Appointment
from booking.availability.services import booking_timezone
from booking.domain.calendar_rules import local_to_utc
from booking.extensions import db
from booking.network.models import Location

STATUS_ORDER = ("attended", "no_show", "cancelled", "confirmed")
NOT_CANCELLED = ("attended", "no_show", "confirmed")
MAX_MONTHS = 36
# (first day, last day or None) of each lead-time bucket, in whole days.
LEAD_TIME_BUCKETS = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))
DIMENSIONS = ("month", "location", "service", "language", "channel", "source", "interpreter")


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months ``first`` … ``last`` spans, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


@dataclass(frozen=True)
class Filters:
    """Months ``first_month`` … ``last_month`` (first days, both included) and an organisation
    (None: the whole network)."""

    first_month: date
    last_month: date
    organisation_id: str | None = None

    @property
    def months(self) -> list[date]:
        return [add_months(self.first_month, n)
                for n in range(months_between(self.first_month, self.last_month))]

    def boundaries(self) -> list[datetime]:
        """UTC instants of local midnight on the first day of each month and after the last."""
        tz = booking_timezone()
        return [local_to_utc(month, time(0), tz)
                for month in [*self.months, add_months(self.last_month, 1)]]


def default_filters(today: date, organisation_id: str | None = None) -> Filters:
    """The last 12 full months: the current month is not over yet."""
    current = today.replace(day=1)
    return Filters(add_months(current, -12), add_months(current, -1), organisation_id)


@dataclass
class Row:
    """Counts per status for one key of a dimension (a month, a place, a language …)."""

    key: str
    counts: dict[str, int] = field(default_factory=dict)
    label: str = ""
    detail: str = ""  # e.g. "office" or "mobile" for places

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def held_or_booked(self) -> int:
        return sum(self.count(status) for status in NOT_CANCELLED)

    @property
    def no_show_rate(self) -> float | None:
        return no_show_rate(self.count("attended"), self.count("no_show"))


def no_show_rate(attended: int, no_show: int) -> float | None:
    return no_show / (attended + no_show) if attended + no_show else None


def _facts(filters: Filters):
    """The appointments in the filters' window with the columns the figures group by."""
    bounds = filters.boundaries()
    # Month numbers inline (not bound parameters), so PostgreSQL knows they are integers.
    month = literal_column("0")
    if len(bounds) > 2:
        month = case(*[(Appointment.start_at < bound, literal_column(str(index)))
                       for index, bound in enumerate(bounds[1:-1])],
                     else_=literal_column(str(len(bounds) - 2)))
    place_key = case((Location.kind == "office", Location.id), else_=Location.town)
    place_label = case((Location.kind == "office", Location.name), else_=Location.town)
    statement = (
        select(month.label("month"), Appointment.organisation_id.label("organisation"),
               Location.kind.label("place_kind"), place_key.label("location"),
               place_label.label("place_label"), Appointment.service_id.label("service"),
               Appointment.language_code.label("language"),
               Appointment.channel.label("channel"), Appointment.source.label("source"),
               cast(Appointment.is_interpreter_needed, Integer).label("interpreter"),
               Appointment.status.label("status"), _lead_days().label("lead_days"))
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.start_at >= bounds[0], Appointment.start_at < bounds[-1])
    )
    if filters.organisation_id is not None:
        statement = statement.where(Appointment.organisation_id == filters.organisation_id)
    return statement.subquery("facts")


def _lead_days():
    """Whole days from booking to start, in the database's own date arithmetic."""
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Appointment.start_at - Appointment.created_at)
        return cast(func.floor(seconds / 86400), Integer)
    # SQLite: whole seconds since the epoch, then integer division (no floating-point days).
    seconds = (cast(func.strftime("%s", Appointment.start_at), Integer)
               - cast(func.strftime("%s", Appointment.created_at), Integer))
    return seconds // 86400


def breakdown(filters: Filters, dimension: str) -> list[Row]:
    """Counts per status for every key of ``dimension``; months in order and all present,
    other keys by total, largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    facts = _facts(filters)
    key = facts.c[dimension]
    extra = [facts.c.place_kind, facts.c.place_label] if dimension == "location" else []
    statement = (select(key, *extra, facts.c.status, func.count().label("n"))
                 .group_by(key, *extra, facts.c.status))
    rows: dict[str, Row] = {}
    for result in db.session.execute(statement):
        name = str(result[0])
        row = rows.setdefault(name, Row(name))
        if dimension == "location":
            row.detail, row.label = result.place_kind, result.place_label
        row.counts[result.status] = row.count(result.status) + result.n
    if dimension == "month":
        ordered = [rows.get(str(index), Row(str(index))) for index in range(len(filters.months))]
        for row, month in zip(ordered, filters.months, strict=True):
            row.key = month.strftime("%Y-%m")
        return ordered
    return sorted(rows.values(), key=lambda row: (-row.total, row.key))


@dataclass(frozen=True)
class LeadTimes:
    """Lead times of the appointments not cancelled: median and counts per bucket."""

    median_days: float | None
    buckets: list[tuple[tuple[int, int | None], int]]
    count: int


def lead_times(filters: Filters) -> LeadTimes:
    facts = _facts(filters)
    statement = (select(facts.c.lead_days, func.count().label("n"))
                 .where(facts.c.status.in_(NOT_CANCELLED)).group_by(facts.c.lead_days))
    # Booked "after the fact" at the desk can give a negative lead time; that is zero days.
    histogram: dict[int, int] = {}
    for days, n in db.session.execute(statement):
        histogram[max(int(days or 0), 0)] = histogram.get(max(int(days or 0), 0), 0) + n
    buckets = [((low, high), sum(n for days, n in histogram.items()
                                 if days >= low and (high is None or days <= high)))
               for low, high in LEAD_TIME_BUCKETS]
    count = sum(histogram.values())
    return LeadTimes(_median(histogram, count), buckets, count)


def _median(histogram: dict[int, int], count: int) -> float | None:
    """The median of the values a histogram counts, without expanding it."""
    if not count:
        return None
    wanted = sorted({(count - 1) // 2, count // 2})  # the middle one or the middle two
    values, seen = [], 0
    for days in sorted(histogram):
        seen += histogram[days]
        while wanted and wanted[0] < seen:
            values.append(days)
            wanted.pop(0)
    return sum(values) / len(values)


@dataclass(frozen=True)
class Summary:
    total: int
    by_status: dict[str, int]
    no_show_rate: float | None
    interpreter: int
    interpreter_share: float | None


def summarise(months: list[Row], interpreter: list[Row]) -> Summary:
    """Headline figures from the per-month and interpreter breakdowns (no further query)."""
    by_status = {status: sum(row.count(status) for row in months) for status in STATUS_ORDER}
    with_interpreter = sum(row.held_or_booked for row in interpreter if row.key == "1")
    not_cancelled = sum(row.held_or_booked for row in interpreter)
    return Summary(sum(by_status.values()), by_status,
                   no_show_rate(by_status["attended"], by_status["no_show"]), with_interpreter,
                   with_interpreter / not_cancelled if not_cancelled else None)


EXPORT_COLUMNS = ("month", "organisation", "location", "place_kind", "place_label", "service",
                  "language", "channel", "source", "interpreter", "status")


def export_rows(filters: Filters) -> Iterator[dict]:
    """The tidy table of the CSV export (see the module docstring), month by month."""
    facts = _facts(filters)
    columns = [facts.c[name] for name in EXPORT_COLUMNS]
    statement = (select(*columns, func.count().label("count")).group_by(*columns)
                 .order_by(*columns))
    months = filters.months
    for result in db.session.execute(statement):
        row = dict(result._mapping)
        row["month"] = months[int(row["month"])].strftime("%Y-%m")
        yield row
