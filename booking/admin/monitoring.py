"""The audit log (administrators; filtered, paged, CSV export) and the messages that could not
be delivered (office staff for their organisation, administrators without client data)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from booking.admin.forms import AuditFilterForm
from booking.admin.logs import (
    PAGE_SIZE,
    AuditFilter,
    audit_actions,
    audit_csv,
    audit_page,
    details_text,
    message_rows,
    messages_statement,
)
from booking.admin.views import (
    all_organisations,
    bp,
    form_errors,
    organisation_choices,
    organisation_filter,
)
from booking.availability.services import local_today
from booking.extensions import db
from booking.outbox.models import OutboxMessage
from booking.outbox.services import requeue
from booking.staff.access import (
    ADMIN,
    STAFF,
    audit,
    in_scope,
    is_admin,
    own_organisation_id,
    roles_required,
)


def _audit_filter() -> tuple[AuditFilterForm, AuditFilter, dict[str, str]]:
    """The filter from the query string; a field with a bad value is reported and ignored."""
    form = AuditFilterForm(formdata=request.args)
    form.organisation.choices = organisation_choices(_("All organisations"))
    form.action.choices = [("", _("All actions"))] + [(a, a) for a in audit_actions()]
    errors = {} if form.validate() else form_errors(form)

    def value(name: str):
        return None if name in errors else (getattr(form, name).data or None)

    return form, AuditFilter(organisation_id=value("organisation"), action=value("action"),
                             actor=value("actor"), start_on=value("start"),
                             end_on=value("end")), errors


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


@bp.get("/audit", endpoint="audit")
@roles_required(ADMIN)
def audit_log():
    form, where, errors = _audit_filter()
    page = _page_number()
    entries, has_next = audit_page(where, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html", form=form, errors=errors, entries=entries, page=page,
        page_size=PAGE_SIZE, details_text=details_text,
        previous_url=url_for("admin.audit", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("admin.audit", **args, page=page + 1) if has_next else None,
        export_url=url_for("admin.audit_csv", **args),
        organisation_names={org.id: org.short_name for org in all_organisations()},
    ), 422 if errors else 200


@bp.get("/audit/export.csv", endpoint="audit_csv")
@roles_required(ADMIN)
def audit_export():
    _form, where, errors = _audit_filter()
    if errors:
        abort(400)
    text, rows = audit_csv(where)
    # Exporting the log is itself recorded, with the filter (ids and dates only).
    audit("export", "audit_log", "csv", rows=rows, **where.as_details())
    db.session.commit()
    filename = f"audit-log-{local_today().isoformat()}.csv"
    return Response("\ufeff" + text, mimetype="text/csv",  # BOM: spreadsheets read UTF-8
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/messages")
@roles_required(STAFF, ADMIN)
def messages():
    organisation_id = organisation_filter(request.args.get("organisation"))
    statement = in_scope(messages_statement(), OutboxMessage.organisation_id)
    if organisation_id:
        statement = statement.where(OutboxMessage.organisation_id == organisation_id)
    case_worker = not is_admin()  # administrators see no appointment (client data)
    rows = message_rows(statement, with_client_links=case_worker)
    return render_template("admin/messages.html", rows=rows, organisation_id=organisation_id,
                           with_links=case_worker,
                           organisations=all_organisations() if is_admin() else [])


@bp.post("/messages/<int:message_id>/retry")
@roles_required(STAFF, ADMIN)
def retry_message(message_id):
    message = db.session.get(OutboxMessage, message_id)
    if message is None or own_organisation_id() not in (None, message.organisation_id):
        abort(404)
    if requeue([message]):
        audit("retry", "outbox_message", message.id, organisation_id=message.organisation_id)
        db.session.commit()
        flash(_("The message is queued again; it goes out within the next minute."),
              "success")
    else:
        flash(_("This message needs no retry: it was sent or is being sent right now."),
              "warning")
    return redirect(url_for("admin.messages"), 303)
