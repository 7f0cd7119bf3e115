"""The statistics filter: a period of whole months and, for administrators, an organisation."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from booking.reports.services import MAX_MONTHS, Filters, default_filters, months_between

MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
MONTH_ATTRS = {"type": "month", "placeholder": "2026-03", "pattern": r"\d{4}-\d{2}",
               "min": "2000-01", "max": "2099-12", "inputmode": "numeric"}


class StatisticsFilterForm(FlaskForm):
    """A GET form: it only chooses what to count, so it needs no CSRF token."""

    class Meta:
        csrf = False

    first_month = StringField(_l("From (month)"), name="from", render_kw=MONTH_ATTRS,
                              description=_l("Year and month, e.g. 2026-03"))
    last_month = StringField(_l("To (month)"), name="to", render_kw=MONTH_ATTRS,
                             description=_l("Year and month, e.g. 2027-02"))
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` as the first day of that month; None when it is not one (2000–2099)."""
    match = MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def read_filters(form: StatisticsFilterForm, *, today: date,
                 organisation_id: str | None) -> tuple[Filters | None, dict[str, str]]:
    """The filters the form asks for, or the errors to show (field name -> message). Empty
    fields take the default period, the last 12 full months."""
    default = default_filters(today)
    errors: dict[str, str] = {}
    months = {}
    for field, fallback in ((form.first_month, default.first_month),
                            (form.last_month, default.last_month)):
        if not (field.data or "").strip():
            field.data = fallback.strftime("%Y-%m")
        months[field.name] = parse_month(field.data)
        if months[field.name] is None:
            errors[field.name] = str(_l("Enter a month as year and month, e.g. 2026-03."))
    first, last = months["from"], months["to"]
    if not errors and last < first:
        errors["to"] = str(_l("The end month must not be before the start month."))
    elif not errors and months_between(first, last) > MAX_MONTHS:
        errors["to"] = str(_l("Choose at most %(count)d months.", count=MAX_MONTHS))
    if errors:
        return None, errors
    form.first_month.data, form.last_month.data = first.strftime("%Y-%m"), last.strftime("%Y-%m")
    return Filters(first, last, organisation_id), {}
