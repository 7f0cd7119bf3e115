"""The staff "Calendar sync" page: a counsellor's own calendars as busy-time sources, and the
CalDAV calendar their appointments are written into.

Counsellors manage their own; office staff pick a counsellor of their organisation with
``?counsellor=``. Passwords are never shown again; addresses only in part (a subscription
link is itself a secret).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from booking import clock
from booking.calendarsync import busy
from booking.calendarsync.fetch import MAX_BYTES, TIMEOUT_SECONDS
from booking.calendarsync.forms import SourceForm, TargetForm, kind_labels
from booking.calendarsync.models import CalDavTarget, ExternalCalendar
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.staff.access import (
    COUNSELLOR,
    STAFF,
    audit,
    calendar_record_or_404,
    counsellor_from_query,
    roles_required,
)
from booking.staff.forms import first_errors

bp = Blueprint("calsync", __name__, url_prefix="/staff")


# -- presentation helpers -------------------------------------------------------------------

def error_text(code: str | None) -> str:
    """A fetch failure in the reader's language (``last_error`` holds a short code)."""
    if not code:
        return ""
    code, _sep, detail = code.partition(":")
    if code == "http_status":
        return _("The calendar server answered with an error (HTTP %(status)s).", status=detail)
    return _error_messages().get(code, _("The calendar server reported a problem."))


def error_detail(text: str | None) -> str:
    """A target's ``last_error`` that is no code of ours (caldav_out writes a short text,
    free of passwords): shown as it is, under the general message."""
    if not text or text.partition(":")[0] in _error_messages() | {"http_status": ""}:
        return ""
    return text


def _error_messages() -> dict[str, str]:
    return {
        "timeout": _("The calendar did not answer within %(seconds)d seconds.",
                     seconds=TIMEOUT_SECONDS),
        "connection": _("The calendar server could not be reached."),
        "auth": _("The calendar server refused the user name or password."),
        "not_found": _("There is no calendar at this address (any more)."),
        "too_large": _("The calendar is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20),
        "too_many": _("The calendar has too many entries in the booking period."),
        "unparsable": _("The answer is no calendar data (iCalendar) that can be read."),
        "blocked_host": _("The address points into a private or local network, which is not "
                          "allowed here."),
        "invalid_url": _("The address is not valid."),
        "redirects": _("The address redirects too often."),
        "protocol": _("The CalDAV server gave an answer that could not be understood."),
    }


def short_url(url: str) -> str:
    """'calendar.example.org/…/basic.ics': enough to recognise a calendar, without the secret
    parts of a subscription link (path tokens, query)."""
    parts = urlsplit(url)
    last = [segment for segment in parts.path.split("/") if segment]
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if not last:
        return host
    return f"{host}/…/{last[-1]}" if len(last) > 1 else f"{host}/{last[-1]}"


@bp.context_processor
def _helpers() -> dict:
    return {"sync_error_text": error_text, "sync_error_detail": error_detail,
            "short_url": short_url,
            "source_kind_labels": kind_labels()}


def _page(counsellor: Counsellor | None, team: list[Counsellor], *,
          source_form: SourceForm | None = None, target_form: TargetForm | None = None,
          source_errors: dict | None = None, target_errors: dict | None = None,
          status: int = 200):
    sources = busy.sources_of(counsellor) if counsellor else []
    target = busy.target_of(counsellor) if counsellor else None
    if counsellor is not None and source_form is None:
        source_form = SourceForm(formdata=None)
    if counsellor is not None and target_form is None:
        target_form = TargetForm(formdata=None, obj=target, has_password=bool(
            target and target.password))
    return render_template(
        "calsync/settings.html", counsellor=counsellor, team=team, sources=sources,
        counts=busy.upcoming_busy_counts(sources, clock.now()), target=target,
        source_form=source_form, target_form=target_form, source_errors=source_errors or {},
        target_errors=target_errors or {}), status


def _errors(form) -> dict[str, str]:
    """First messages keyed by the fields' full names: the target form's fields carry the
    prefix ``target-`` so both forms' controls have their own ids on the one page."""
    return {form[name].name: message for name, message in first_errors(form).items()}


def _page_url(counsellor: Counsellor) -> str:
    return url_for("calsync.settings", counsellor=counsellor.id)


def _flash_fetch(source: ExternalCalendar, ok: bool) -> None:
    if ok:
        count = busy.upcoming_busy_counts([source], clock.now())[source.id]
        flash(ngettext("The calendar was read: %(num)d busy time ahead.",
                       "The calendar was read: %(num)d busy times ahead.", count), "success")
    else:
        flash(_("The calendar could not be read: %(reason)s Busy times read before are kept.",
                reason=error_text(source.last_error)), "warning")


# -- the page -------------------------------------------------------------------------------

@bp.get("/calendar-sync")
@roles_required(STAFF, COUNSELLOR)
def settings():
    counsellor, team = counsellor_from_query()
    return _page(counsellor, team)


@bp.post("/calendar-sync/sources")
@roles_required(STAFF, COUNSELLOR)
def add_source():
    counsellor, team = counsellor_from_query(required=True)
    form = SourceForm()
    if not form.validate_on_submit():
        return _page(counsellor, team, source_form=form, source_errors=_errors(form),
                     status=422)
    try:
        source = busy.add_source(counsellor, kind=form.kind.data, url=form.url.data,
                                 username=form.username.data, password=form.password.data)
    except busy.SourceRefused as refused:
        message = (_("This calendar is connected already.") if refused.code == "duplicate"
                   else _("At most %(num)d calendars can be connected.", num=busy.MAX_SOURCES))
        return _page(counsellor, team, source_form=form, source_errors={"url": message},
                     status=422)
    audit("create", "external_calendar", source.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id, kind=source.kind)
    # Read it at once, so the counsellor sees whether address and password work.
    ok = busy.refresh_source(source, clock.now())
    db.session.commit()
    flash(_("The calendar is connected."), "success")
    _flash_fetch(source, ok)
    return redirect(_page_url(counsellor), 303)


@bp.post("/calendar-sync/sources/<int:calendar_id>/delete")
@roles_required(STAFF, COUNSELLOR)
def remove_source(calendar_id: int):
    source, counsellor = calendar_record_or_404(ExternalCalendar, calendar_id)
    busy.remove_source(source)
    audit("delete", "external_calendar", calendar_id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    db.session.commit()
    flash(_("The calendar is removed; its busy times no longer block appointments."),
          "success")
    return redirect(_page_url(counsellor), 303)


@bp.post("/calendar-sync/sources/<int:calendar_id>/fetch")
@roles_required(STAFF, COUNSELLOR)
def fetch_now(calendar_id: int):
    source, counsellor = calendar_record_or_404(ExternalCalendar, calendar_id)
    ok = busy.refresh_source(source, clock.now())
    audit("fetch", "external_calendar", source.id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id, ok=ok)
    db.session.commit()
    _flash_fetch(source, ok)
    return redirect(_page_url(counsellor), 303)


# -- the CalDAV target ----------------------------------------------------------------------

@bp.post("/calendar-sync/target")
@roles_required(STAFF, COUNSELLOR)
def save_target():
    counsellor, team = counsellor_from_query(required=True)
    existing = busy.target_of(counsellor)
    form = TargetForm(has_password=bool(existing and existing.password))
    if not form.validate_on_submit():
        return _page(counsellor, team, target_form=form, target_errors=_errors(form),
                     status=422)
    target = busy.save_target(counsellor, url=form.url.data, username=form.username.data,
                              password=form.password.data, is_active=form.is_active.data)
    audit("update" if existing else "create", "caldav_target", target.id,
          organisation_id=counsellor.organisation_id, counsellor_id=counsellor.id,
          is_active=target.is_active, password_changed=bool(form.password.data))
    db.session.commit()
    flash(_("The calendar for appointments is saved."), "success")
    return redirect(_page_url(counsellor), 303)


@bp.post("/calendar-sync/targets/<int:target_id>/delete")
@roles_required(STAFF, COUNSELLOR)
def remove_target(target_id: int):
    target, counsellor = calendar_record_or_404(CalDavTarget, target_id)
    busy.remove_target(target)
    audit("delete", "caldav_target", target_id, organisation_id=counsellor.organisation_id,
          counsellor_id=counsellor.id)
    db.session.commit()
    flash(_("Appointments are no longer written into that calendar."), "success")
    return redirect(_page_url(counsellor), 303)
