"""The statistics' figures in the reader's language: chart specs, alt texts and data tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from booking.catalogue.languages import describe_language
from booking.catalogue.services import service_names
from booking.reports import services
from booking.reports.charts import ChartSpec, Series
from booking.reports.services import STATUS_ORDER, Filters, Row
from booking.staff.labels import source_label, staff_status_label

# chart name -> the dimension its counts are grouped by (lead time has its own query)
CHARTS = {"by_month": "month", "no_show_rate": "month", "by_location": "location",
          "by_service": "service", "by_language": "language", "by_channel": "channel",
          "by_source": "source", "interpreter": "interpreter", "lead_time": None}
CHART_ROWS = 12  # bars in a chart; the table next to it has every row


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]  # the first names the row headers, the others hold numbers
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ReportFigure:
    name: str
    spec: ChartSpec
    alt: str
    note: str
    table: Table


class Report:
    """The figures of one set of filters; each query runs at most once, when first needed."""

    def __init__(self, filters: Filters):
        self.filters = filters
        self._rows: dict[str, list[Row]] = {}
        self._lead: services.LeadTimes | None = None

    def rows(self, dimension: str) -> list[Row]:
        if dimension not in self._rows:
            rows = services.breakdown(self.filters, dimension)
            _label(dimension, rows)
            self._rows[dimension] = rows
        return self._rows[dimension]

    def lead_times(self) -> services.LeadTimes:
        if self._lead is None:
            self._lead = services.lead_times(self.filters)
        return self._lead

    def summary(self) -> services.Summary:
        return services.summarise(self.rows("month"), self.rows("interpreter"))

    def figure(self, name: str) -> ReportFigure:
        if name == "lead_time":
            return _lead_time_figure(self.lead_times())
        if name == "no_show_rate":
            return _no_show_figure(self.rows("month"))
        return _status_figure(name, self.rows(CHARTS[name]))

    def figures(self) -> list[ReportFigure]:
        return [self.figure(name) for name in CHARTS]


# -- labels ---------------------------------------------------------------------------------

def status_labels() -> dict[str, str]:
    return {status: staff_status_label(status) for status in STATUS_ORDER}


def month_name(month, short: bool = False) -> str:
    return format_skeleton("yMMM" if short else "yMMMM", month, locale=get_locale())


def _label(dimension: str, rows: list[Row]) -> None:
    from booking.appointments.views import booking_labels

    if dimension == "service":
        names = service_names(str(get_locale()))
    for row in rows:
        if dimension == "month":
            row.label = month_name(_month(row.key))
        elif dimension == "location":
            row.label = row.label if row.detail == "office" else _(
                "%(town)s (mobile)", town=row.label)
        elif dimension == "service":
            row.label = names.get(row.key, row.key)
        elif dimension == "language":
            row.label = describe_language(row.key)["name"]
        elif dimension == "channel":
            row.label = booking_labels()["channel_label"](row.key)
        elif dimension == "source":
            row.label = source_label(row.key)
        elif dimension == "interpreter":
            row.label = _("With interpreter") if row.key == "1" else _("Without interpreter")


def number(value: float) -> str:
    return format_decimal(value, format="#,##0", locale=get_locale())


def percent(share: float | None) -> str:
    """One decimal where it matters ("10.8 %"), in the locale's own pattern; "–" for none."""
    if share is None:
        return "–"
    return format_percent(round(share, 3), locale=get_locale(), decimal_quantization=False)


def days(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.#", locale=get_locale())


# -- figures --------------------------------------------------------------------------------

def _titles() -> dict[str, tuple[str, str, str]]:
    """Chart name -> (title, heading of the table's first column, what the figure counts)."""
    return {
        "by_month": (_("Appointments per month"), _("Month"), _(
            "All appointments by the month they were booked for, by status. “Booked” means "
            "upcoming, or not yet marked as taken place or missed.")),
        "by_location": (_("Appointments per office or mobile town"), _("Place"),
                      _("Mobile advice days count per town.")),
        "by_service": (_("Appointments per service"), _("Service"), ""),
        "by_language": (_("Appointments per consultation language"), _("Language"), ""),
        "by_channel": (_("Appointments per channel"), _("Channel"), ""),
        "by_source": (_("Appointments per booking source"), _("Booked via"), ""),
        "interpreter": (_("Interpreter use"), _("Interpreter"), _(
            "The share counts appointments that were not cancelled.")),
    }


def _status_figure(name: str, rows: list[Row]) -> ReportFigure:
    title, key_heading, note = _titles()[name]
    labels = status_labels()
    drawn = rows if name == "by_month" else _top_rows(rows)
    spec = ChartSpec(
        kind="columns_by_status" if name == "by_month" else "bars_by_status", title=title,
        labels=tuple(month_name(_month(row.key), short=True) if name == "by_month" else row.label
                     for row in drawn),
        series=tuple(Series(status, labels[status], tuple(row.count(status) for row in drawn))
                     for status in STATUS_ORDER))
    columns = [key_heading, _("Total"), *labels.values()]
    share_column = name == "interpreter"
    not_cancelled = sum(row.held_or_booked for row in rows)
    if share_column:
        columns.append(_("Share"))
    body = []
    for row in rows:
        cells = [row.label, number(row.total), *(number(row.count(s)) for s in STATUS_ORDER)]
        if share_column:
            cells.append(percent(row.held_or_booked / not_cancelled if not_cancelled else None))
        body.append(tuple(cells))
    total = sum(row.total for row in rows)
    footer = [_("Total"), number(total),
              *(number(sum(row.count(s) for row in rows)) for s in STATUS_ORDER)]
    if share_column:
        footer.append(percent(1.0 if not_cancelled else None))
    return ReportFigure(name, spec, _status_alt(name, title, rows, total), note,
                        Table(title, tuple(columns), tuple(body), tuple(footer)))


def _top_rows(rows: list[Row]) -> list[Row]:
    """At most ``CHART_ROWS`` bars: the largest groups, the rest together in one (the table
    lists them all)."""
    if len(rows) <= CHART_ROWS:
        return rows
    others = len(rows) - CHART_ROWS + 1
    rest = Row("", label=ngettext("%(num)d other (see the table)",
                                  "%(num)d others (see the table)", others))
    for row in rows[CHART_ROWS - 1:]:
        for status, n in row.counts.items():
            rest.counts[status] = rest.count(status) + n
    return [*rows[:CHART_ROWS - 1], rest]


def _month(key: str) -> date:
    year, month = map(int, key.split("-"))
    return date(year, month, 1)


def _status_alt(name: str, title: str, rows: list[Row], total: int) -> str:
    if not total:
        return _("%(title)s: no appointments in this period.", title=title)
    top = max(rows, key=lambda row: row.total)
    if name == "by_month":
        text = _("Stacked bar chart of the appointments per month from %(first)s to %(last)s, "
                 "by status: %(total)s in total, most in %(month)s (%(count)s).",
                 first=rows[0].label, last=rows[-1].label, total=number(total),
                 month=top.label, count=number(top.total))
    else:
        text = _("Bar chart: %(title)s, by status. %(total)s appointments; the largest group "
                 "is %(label)s with %(count)s.", title=title, total=number(total),
                 label=top.label, count=number(top.total))
    return _with_table_hint(text)


def _with_table_hint(text: str) -> str:
    return " ".join((text, _("The table next to the chart lists every number.")))


def _no_show_figure(rows: list[Row]) -> ReportFigure:
    title = _("No-show rate per month")
    rate_label = _("No-show rate")
    labels = status_labels()
    spec = ChartSpec(kind="rate", title=title,
                     labels=tuple(month_name(_month(row.key), short=True) for row in rows),
                     series=(Series("no_show", rate_label,
                                    tuple(row.no_show_rate for row in rows)),))
    body = tuple((row.label, number(row.count("attended")), number(row.count("no_show")),
                  percent(row.no_show_rate)) for row in rows)
    attended = sum(row.count("attended") for row in rows)
    no_show = sum(row.count("no_show") for row in rows)
    overall = services.no_show_rate(attended, no_show)
    rates = [row.no_show_rate for row in rows if row.no_show_rate is not None]
    if overall is None:
        alt = _("%(title)s: no appointments in this period.", title=title)
    else:
        alt = _("Line chart of the no-show rate per month, between %(low)s and %(high)s; "
                "%(rate)s over the whole period.", low=percent(min(rates)),
                high=percent(max(rates)), rate=percent(overall))
        alt = _with_table_hint(alt)
    note = _("Missed appointments as a share of those that took place or were missed.")
    table = Table(title, (_("Month"), labels["attended"], labels["no_show"], rate_label), body,
                  (_("Total"), number(attended), number(no_show), percent(overall)))
    return ReportFigure("no_show_rate", spec, alt, note, table)


def bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("more than %(days)s days", days=low - 1)
    return _("%(low)s–%(high)s days", low=low, high=high)


def _lead_time_figure(lead: services.LeadTimes) -> ReportFigure:
    title = _("Lead time from booking to appointment")
    labels = tuple(bucket_label(low, high) for (low, high), _n in lead.buckets)
    counts = tuple(n for _bucket, n in lead.buckets)
    median = _("Median: %(days)s days", days=days(lead.median_days))
    spec = ChartSpec(kind="columns", title=title, labels=labels,
                     series=(Series("all", _("Appointments"), counts),),
                     note=median if lead.count else "")
    if lead.count:
        top = max(range(len(counts)), key=counts.__getitem__)
        alt = _("Bar chart of the lead times of %(total)s appointments in five ranges; median "
                "%(days)s days; most often %(label)s (%(count)s).", total=number(lead.count),
                days=days(lead.median_days), label=labels[top], count=number(counts[top]))
        alt = _with_table_hint(alt)
    else:
        alt = _("%(title)s: no appointments in this period.", title=title)
    body = tuple((label, number(n), percent(n / lead.count if lead.count else None))
                 for label, n in zip(labels, counts, strict=True))
    table = Table(f"{title} ({median})" if lead.count else title,
                  (_("Days"), _("Appointments"), _("Share")), body,
                  (_("Total"), number(lead.count), percent(1.0 if lead.count else None)))
    note = _("Whole days from booking to the appointment, for appointments not cancelled.")
    return ReportFigure("lead_time", spec, alt, note, table)
