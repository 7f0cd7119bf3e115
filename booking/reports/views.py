"""Statistics pages for reports to funders: figures with charts and data tables, CSV export.

Office staff see their own organisation only (``?organisation=`` naming another answers 404);
administrators see the whole network or one organisation. Every number is an aggregate: no
page, chart or export here shows a client's name, contact or appointment. The CSV format is
described in ``booking/reports/services.py``.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from booking.availability.services import local_today
from booking.catalogue.languages import describe_language
from booking.catalogue.services import service_names
from booking.extensions import db
from booking.network.models import Organisation
from booking.reports import figures
from booking.reports.charts import render_png
from booking.reports.forms import StatisticsFilterForm, read_filters
from booking.reports.services import EXPORT_COLUMNS, Filters, export_rows
from booking.staff.access import (
    ADMIN,
    STAFF,
    audit,
    is_admin,
    organisation_or_404,
    own_organisation_id,
    roles_required,
)
from booking.staff.labels import source_label

bp = Blueprint("reports", __name__, url_prefix="/staff/statistics")


def _filters() -> tuple[StatisticsFilterForm, Filters | None, dict[str, str]]:
    """The form and the filters of this request. The organisation is checked first: one out
    of the user's reach is a 404 whatever else the request says."""
    chosen = request.args.get("organisation", "").strip()
    if chosen:
        organisation_or_404(chosen)  # unknown, or another organisation for office staff
    organisation_id = (chosen or None) if is_admin() else own_organisation_id()
    form = StatisticsFilterForm(formdata=request.args)
    if is_admin():
        organisations = db.session.scalars(select(Organisation).order_by(Organisation.name))
        form.organisation.choices = [("", _("All organisations"))] + [
            (o.id, o.short_name) for o in organisations]
        form.organisation.data = organisation_id or ""
    filters, errors = read_filters(form, today=local_today(), organisation_id=organisation_id)
    return form, filters, errors


def _query(filters: Filters) -> dict[str, str]:
    """The filters as query parameters, for chart and export links."""
    query = {"from": filters.first_month.strftime("%Y-%m"),
             "to": filters.last_month.strftime("%Y-%m")}
    if is_admin() and filters.organisation_id:
        query["organisation"] = filters.organisation_id
    return query


@bp.get("")
@roles_required(STAFF, ADMIN)
def statistics():
    form, filters, errors = _filters()
    if errors:
        return render_template("reports/statistics.html", form=form, errors=errors,
                               report=None), 422
    report = figures.Report(filters)
    query = _query(filters)
    scope = (db.session.get(Organisation, filters.organisation_id).name
             if filters.organisation_id else _("All organisations"))
    return render_template(
        "reports/statistics.html", form=form, errors={}, report=report, filters=filters,
        figures=report.figures(), summary=report.summary(), lead=report.lead_times(),
        scope=scope, query=query, chart_url=lambda name: url_for(".chart", chart=name, **query),
        export_url=url_for(".export", **query), first=figures.month_name(filters.first_month),
        last=figures.month_name(filters.last_month), fmt=figures)


@bp.get("/chart/<chart>.png")
@roles_required(STAFF, ADMIN)
def chart(chart: str):
    if chart not in figures.CHARTS:
        abort(404)
    _form, filters, errors = _filters()
    if errors:
        abort(422)
    png = render_png(figures.Report(filters).figure(chart).spec)
    return Response(png, mimetype="image/png")


@bp.get("/export.csv")
@roles_required(STAFF, ADMIN)
def export():
    _form, filters, errors = _filters()
    if errors:
        abort(422)
    rows = list(export_rows(filters))
    text = _csv_text(rows)
    audit("export", "statistics", "-", organisation_id=filters.organisation_id,
          period=f"{filters.first_month:%Y-%m}..{filters.last_month:%Y-%m}",
          organisation=filters.organisation_id or "all", rows=len(rows))
    db.session.commit()
    name = f"statistics-{filters.first_month:%Y-%m}-{filters.last_month:%Y-%m}"
    name += f"-{filters.organisation_id}" if filters.organisation_id else ""
    # A byte-order mark, so Excel reads the file as UTF-8 (umlauts, Cyrillic, Arabic).
    return Response(("\ufeff" + text).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _csv_text(rows: list[dict]) -> str:
    """Codes and, next to the coded columns, their labels in the reader's language."""
    from booking.appointments.views import booking_labels

    labels = booking_labels()
    statuses = figures.status_labels()
    services = service_names(str(get_locale()))
    languages: dict[str, str] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*EXPORT_COLUMNS[:5], "service", "service_label", "language",
                     "language_label", "channel", "channel_label", "source", "source_label",
                     "interpreter", "status", "status_label", "count"])
    for row in rows:
        if row["language"] not in languages:
            languages[row["language"]] = describe_language(row["language"])["name"]
        writer.writerow([_cell(value) for value in [
            row["month"], row["organisation"], row["location"], row["place_kind"],
            row["place_label"], row["service"], services.get(row["service"], row["service"]),
            row["language"], languages[row["language"]], row["channel"],
            labels["channel_label"](row["channel"]),
            row["source"], source_label(row["source"]),
            int(row["interpreter"]), row["status"], statuses.get(row["status"], row["status"]),
            row["count"]]])
    return buffer.getvalue()


def _cell(value):
    """Text that a spreadsheet would run as a formula (names are editable) stays text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

