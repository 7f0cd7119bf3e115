"""Waiting-list pages: join from the booking flow or from a booked appointment, see or leave
one's place (secret link), take or decline a held time; and the office staff's overview."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from booking import clock
from booking.appointments import services as appointment_services
from booking.appointments.flow import read_state
from booking.appointments.forms import ConfirmForm
from booking.appointments.limits import booking_limits, manage_limits
from booking.appointments.messages import error_message
from booking.appointments.models import Appointment
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.staff.access import ADMIN, STAFF, audit, in_scope, is_admin, roles_required
from booking.waitlist import offers, services
from booking.waitlist.forms import CONSENT_REQUIRED, WaitlistForm
from booking.waitlist.models import ENTRY_STATUSES, SlotHold, WaitlistEntry
from booking.waitlist.notifications import moment_text

bp = Blueprint("waitlist", __name__)
staff_bp = Blueprint("waitlist_staff", __name__, url_prefix="/staff/waitlist")

MESSAGES = {
    "offer_gone": _l("This time is no longer held for you: the offer has run out, or it "
                     "has been taken or declined already."),
    "no_email": _l("We need an e-mail address to tell you about a free time. Please call the "
                   "office."),
    "consent_required": CONSENT_REQUIRED,
}
ENTRY_STATUS_LABELS = {
    "waiting": _l("Waiting"), "offered": _l("Time offered"), "booked": _l("Booked"),
    "withdrawn": _l("Left the list"), "expired": _l("Wished time passed"),
}


def _message(code: str) -> str:
    return str(MESSAGES[code]) if code in MESSAGES else error_message(code)


@bp.app_context_processor
def waitlist_labels() -> dict:
    return {"waitlist_status_label": lambda status: str(ENTRY_STATUS_LABELS.get(status, status)),
            "moment_text": moment_text}


def _records(entry: WaitlistEntry) -> dict:
    return {"location": db.session.get(Location, entry.location_id),
            "service": db.session.get(Service, entry.service_id)}


@bp.route("/book/waitlist", methods=["GET", "POST"])
@booking_limits
def join():
    state = read_state()
    if state.missing_step:
        return redirect(state.url(state.missing_step))
    form, now, errors = WaitlistForm(), clock.now(), {}
    if request.method == "POST" and form.validate_on_submit():
        if form.is_probably_a_bot():
            errors = {"form": error_message("not_a_person")}
        else:
            try:
                joined = services.join_waitlist(services.JoinRequest(
                    service_id=state.service.id, location_id=state.location.id,
                    language=state.language, name=form.name.data, email=form.email.data,
                    phone=form.phone.data, consent=form.consent.data,
                    locale=str(get_locale()), channel=state.channel), now=now)
            except (services.WaitlistError, appointment_services.BookingError) as error:
                db.session.rollback()
                errors = {error.field or "form": _message(error.code)}
            else:
                db.session.commit()
                if joined is None:
                    return render_template("waitlist/already.html", state=state)
                return redirect(url_for("waitlist.status", token=joined[1], joined=1), 303)
    errors = errors or {name: field.errors[0] for name, field in form._fields.items()
                        if field.errors}
    wanted = services.wished_before(state.service, state.location, state.language, now)
    return render_template("waitlist/join.html", state=state, form=form, errors=errors,
                           wanted_text=moment_text(wanted), hold_minutes=_hold_minutes(),
                           back_url=state.url("day", day=None, start=None)
                           ), 400 if errors else 200


def _hold_minutes() -> int:
    return current_app.config["WAITLIST_HOLD_MINUTES"]


def _entry(token: str) -> WaitlistEntry:
    entry = services.find_entry(token)
    if entry is None:
        abort(404)
    g.booking_locale = entry.locale  # these pages speak the language the client chose
    return entry


def _status_page(entry: WaitlistEntry, token: str, status: int = 200, **extra):
    now = clock.now()
    hold = next((h for h in services.open_holds_of(entry) if offers.is_open(h, now)), None)
    return render_template(
        "waitlist/status.html", entry=entry, token=token, hold=hold,
        offer_url=url_for("waitlist.offer", token=services.hold_token(hold)) if hold else None,
        active=entry.status in services.ACTIVE, **_records(entry), **extra), status


@bp.get("/waitlist/<token>")
@manage_limits
def status(token: str):
    return _status_page(_entry(token), token, joined=request.args.get("joined") == "1",
                        notice=request.args.get("done"))


@bp.post("/waitlist/<token>/withdraw")
@manage_limits
def withdraw(token: str):
    entry = _entry(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    offers.withdraw(entry, now=clock.now())
    db.session.commit()
    return redirect(url_for("waitlist.status", token=token, done="withdrawn"), 303)


@bp.route("/waitlist/appointment/<token>", methods=["GET", "POST"])
@manage_limits
def for_appointment(token: str):
    """From a booked appointment's manage page: tell me if an earlier time frees up."""
    appointment = appointment_services.find_by_token(token)
    if appointment is None:
        abort(404)
    g.booking_locale = appointment.locale
    error = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            _entry_row, entry_token = services.join_for_appointment(appointment,
                                                                    now=clock.now())
        except services.WaitlistError as refused:
            db.session.rollback()
            error = _message(refused.code)
        else:
            db.session.commit()
            return redirect(url_for("waitlist.status", token=entry_token, joined=1), 303)
    elif appointment.status != "confirmed" or appointment.start_at <= clock.now():
        error = _message("too_late")
    existing = services.active_entry_for(appointment)
    return render_template(
        "waitlist/from_appointment.html", appointment=appointment, token=token, error=error,
        existing_url=url_for("waitlist.status", token=services.entry_token(existing))
        if existing else None), 409 if error else 200


@bp.route("/waitlist/offer/<token>", methods=["GET", "POST"])
@manage_limits
def offer(token: str):
    hold = services.find_hold(token)
    if hold is None:
        abort(404)
    entry = hold.entry
    g.booking_locale = entry.locale
    now = clock.now()
    if not offers.is_open(hold, now):
        return _offer_gone(entry)
    if request.method == "GET":
        return render_template("waitlist/offer.html", hold=hold, entry=entry, token=token,
                               declining=request.args.get("answer") == "no",
                               moves=_appointment_of(entry), **_records(entry))
    if not ConfirmForm().validate_on_submit() or request.form.get("answer") not in (
            "take", "decline"):
        abort(400)
    entry_token = services.entry_token(entry)
    if request.form["answer"] == "decline":
        offers.decline_offer(hold, now=now)
        db.session.commit()
        return redirect(url_for("waitlist.status", token=entry_token, done="declined"), 303)
    hold_id = hold.id
    try:
        taken = offers.take_offer(hold, now=now)
    except services.WaitlistError:
        db.session.rollback()
        hold = db.session.get(SlotHold, hold_id)
        offers.give_up_hold(hold, now=now)
        db.session.commit()
        return _offer_gone(hold.entry)
    db.session.commit()
    if taken.moved:
        return redirect(url_for("manage.show", token=taken.token, done="moved"), 303)
    return redirect(url_for("manage.show", token=taken.token, booked=1), 303)


def _appointment_of(entry: WaitlistEntry) -> Appointment | None:
    return db.session.get(Appointment, entry.appointment_id) if entry.appointment_id else None


def _offer_gone(entry: WaitlistEntry):
    records = _records(entry)
    booking_url = url_for("booking.day", service=entry.service_id,
                          language=entry.language_code, location=entry.location_id,
                          channel=entry.channel)
    status_url = url_for("waitlist.status", token=services.entry_token(entry)) \
        if entry.status in services.ACTIVE else None
    return render_template("waitlist/offer_gone.html", entry=entry, booking_url=booking_url,
                           status_url=status_url, message=_message("offer_gone"),
                           **records), 410


@staff_bp.get("/")
@roles_required(STAFF, ADMIN)
def index():
    """Counts per office and status; office staff also see who waits and the open holds
    (their organisation's only; administrators see counts, never names)."""
    locations = {loc.id: loc for loc in db.session.scalars(
        in_scope(select(Location), Location.organisation_id))}
    counts: dict[str, dict[str, int]] = {}
    for location_id, status, number in db.session.execute(
            in_scope(select(WaitlistEntry.location_id, WaitlistEntry.status, func.count())
                     .group_by(WaitlistEntry.location_id, WaitlistEntry.status),
                     WaitlistEntry.organisation_id)):
        counts.setdefault(location_id, dict.fromkeys(ENTRY_STATUSES, 0))[status] = number
    holds = db.session.execute(
        in_scope(select(SlotHold, WaitlistEntry, Counsellor)
                 .join(WaitlistEntry, WaitlistEntry.id == SlotHold.entry_id)
                 .join(Counsellor, Counsellor.id == SlotHold.counsellor_id)
                 .where(SlotHold.status == "open", SlotHold.expires_at > clock.now())
                 .order_by(SlotHold.start_at), WaitlistEntry.organisation_id)).all()
    entries = []
    if not is_admin():
        entries = list(db.session.scalars(
            in_scope(select(WaitlistEntry), WaitlistEntry.organisation_id)
            .where(WaitlistEntry.status.in_(services.ACTIVE))
            .order_by(WaitlistEntry.location_id, WaitlistEntry.created_at,
                      WaitlistEntry.id)))
        audit("view", "waitlist", current_user.organisation_id, entries=len(entries))
    services_by_id = {s.id: s for s in db.session.scalars(
        select(Service).options(selectinload(Service.translations)))}
    return render_template("waitlist/staff.html", locations=locations, counts=counts,
                           statuses=ENTRY_STATUSES, entries=entries, holds=holds,
                           services_by_id=services_by_id, show_names=not is_admin())
