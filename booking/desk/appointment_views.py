"""Office desk pages for one appointment: move it to another time at the same place, and the
printable confirmation in the client's language (for clients without e-mail)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from booking import clock, i18n
from booking.appointments import services, tokens
from booking.appointments.choices import day_choices, month_choices
from booking.appointments.flow import parse_day, parse_month
from booking.appointments.forms import ConfirmForm
from booking.appointments.messages import error_message
from booking.availability.services import local_date
from booking.catalogue.languages import describe_language
from booking.desk.services import move_refusal, qr_code_svg
from booking.desk.views import WALK_IN_NOTICE, bp
from booking.extensions import db
from booking.staff.access import COUNSELLOR, STAFF, appointment_or_404, audit, roles_required

# -- printable confirmation -------------------------------------------------------------------

@bp.get("/appointments/<reference>/print")
@roles_required(STAFF, COUNSELLOR)
def print_confirmation(reference: str):
    appointment = appointment_or_404(reference)
    staff_locale = str(get_locale())
    # Autoescaped template output, so safe to embed in the sheet.
    toolbar = Markup(render_template(  # noqa: S704
        "desk/_print_toolbar.html", appointment=appointment, staff_locale=staff_locale,
        staff_dir=i18n.text_direction(staff_locale),
        client_language=describe_language(appointment.locale)["name"]))
    token = tokens.manage_token(appointment.ical_uid)
    manage_url = tokens.manage_url(token)
    audit("print", "appointment", appointment.id)
    db.session.commit()
    # The sheet goes home with the client: their language, whatever the staff member reads.
    with force_locale(appointment.locale):
        return render_template(
            "desk/print.html", appointment=appointment, toolbar=toolbar,
            manage_url=manage_url, qr_code=qr_code_svg(manage_url, _("Keep this link")),
            text=appointment.service.text(appointment.locale),
            language=describe_language(appointment.language_code),
            organisation=appointment.location.organisation)


# -- moving an appointment --------------------------------------------------------------------

def _refused(appointment, reason: str):
    message = (_("This appointment has been cancelled, so it cannot be moved. Book a new "
                 "appointment instead.") if reason == "cancelled" else
               _("This appointment is in the past, so it cannot be moved."))
    return render_template("desk/move_refused.html", appointment=appointment,
                           message=message), 409


def _time_page(appointment, day, slots, status=200, error=None):
    return render_template("desk/move_time.html", appointment=appointment, day=day,
                           slots=slots, error=error, form=ConfirmForm()), status


@bp.get("/appointments/<reference>/move")
@roles_required(STAFF, COUNSELLOR)
def move(reference: str):
    appointment = appointment_or_404(reference)
    reason = move_refusal(appointment, clock.now())
    if reason:
        return _refused(appointment, reason)
    day = parse_day(request.args.get("day"))
    if not request.args:  # opened (with the client's name); paging through days is not logged
        audit("view", "appointment", appointment.id)
        db.session.commit()
    if day is not None and day >= local_date(clock.now()):
        slots = day_choices(appointment.service, appointment.location,
                            appointment.language_code, day,
                            ignore_appointment_id=appointment.id, min_notice=WALK_IN_NOTICE)
        return _time_page(appointment, day, slots)
    choices = month_choices(appointment.service, appointment.location,
                            appointment.language_code, parse_month(request.args.get("month")),
                            ignore_appointment_id=appointment.id, min_notice=WALK_IN_NOTICE)
    return render_template(
        "desk/move_day.html", appointment=appointment, choices=choices,
        day_url=lambda d: url_for("desk.move", reference=reference, day=d.isoformat()),
        month_url=lambda m: url_for("desk.move", reference=reference,
                                    month=m.strftime("%Y-%m")))


@bp.post("/appointments/<reference>/move")
@roles_required(STAFF, COUNSELLOR)
def move_to(reference: str):
    appointment = appointment_or_404(reference)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = clock.now()
    reason = move_refusal(appointment, now)
    if reason:
        return _refused(appointment, reason)
    new_start = _parse_start(request.form.get("start", ""))
    if new_start is None:
        return redirect(url_for("desk.move", reference=reference), code=303)
    try:
        services.reschedule_appointment(appointment, new_start, now=now,
                                        actor=current_user.email, user_id=current_user.id,
                                        min_notice=WALK_IN_NOTICE)
    except services.SlotTaken as taken:
        db.session.rollback()
        appointment = appointment_or_404(reference)
        return _time_page(appointment, local_date(new_start), taken.alternatives, 409,
                          error_message("slot_taken"))
    except services.BookingError as error:
        db.session.rollback()
        return _refused(appointment_or_404(reference), "cancelled"
                        if error.code == "already_cancelled" else "past")
    db.session.commit()
    if appointment.client_email:
        flash(_("The appointment has been moved. The client receives the new time by "
                "e-mail."), "success")
    else:
        flash(_("The appointment has been moved. The client has no e-mail address: please "
                "tell them the new time, for example with a printed confirmation."), "warning")
    return redirect(url_for("agenda.appointment", reference=appointment.reference), code=303)


def _parse_start(raw: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return start if start.tzinfo is not None else None
