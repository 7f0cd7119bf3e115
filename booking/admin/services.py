"""Administration use cases: edit organisations, locations and services, manage staff accounts
and counsellors. Services flush, the views commit; a refused change raises ``AdminError``."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from booking.appointments.models import Appointment
from booking.auth import services as accounts
from booking.auth.models import User
from booking.availability.models import Closure, WeeklyHours
from booking.catalogue.languages import is_known_language
from booking.catalogue.models import Service, ServiceTranslation
from booking.counsellors.models import Counsellor, CounsellorLanguage
from booking.extensions import db
from booking.network.models import Location, Town

# Path words next to the record ids: a location may not be called like them.
RESERVED_IDS = {"new"}

ERRORS = {
    "organisation_in_use": _l("This place has appointments, hours or counsellors; it cannot "
                              "move to another organisation. Deactivate it and add a new one."),
    "location_id_taken": _l("A location with this id exists already."),
    "counsellor_needed": _l("Please choose the counsellor whose calendar this account "
                            "manages."),
    "counsellor_elsewhere": _l("Please choose a counsellor of the same organisation."),
    "counsellor_linked": _l("This counsellor already has an account."),
    "organisation": _l("Office staff and counsellors need an organisation."),
    "role": _l("Please choose a role."),
    "email_taken": _l("An account with this e-mail address exists already."),
    "counsellor_email_taken": _l("A counsellor with this e-mail address exists already."),
    "password_short": _l("The password needs at least %(num)d characters.",
                         num=accounts.MIN_PASSWORD_LENGTH),
    "self_disable": _l("You cannot disable your own account."),
    "self_demote": _l("You cannot take the administrator role from yourself."),
    "self_password": _l("Change your own password on the password page; it asks for the "
                        "current one."),
    "home_elsewhere": _l("Please choose an office of the counsellor's organisation."),
    "unknown_languages": _l("Unknown language code(s): %(codes)s. Use codes like de, en, uk, "
                            "ar, fa, prs."),
}


class AdminError(ValueError):
    """A refused change: ``field`` is the form field the message belongs to."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(code)
        self.field, self.code, self.params = field, code, params

    @property
    def message(self) -> str:
        return str(ERRORS[self.code]) % self.params if self.params else str(ERRORS[self.code])


def apply_changes(record, values: dict) -> list[str]:
    """Set the attributes that differ; returns the names of the changed ones (for the audit
    log, which records which fields changed but never their values)."""
    changed = []
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


# -- locations ----------------------------------------------------------------------------

def slugify(text: str) -> str:
    """'Güstrow Jobcenter' → 'guestrow-jobcenter' (German umlauts spelled out)."""
    text = text.lower()
    for umlaut, spelled in {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}.items():
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:56] or "location"


def _free_location_id(wanted: str) -> str:
    candidate, n = wanted, 1
    while candidate in RESERVED_IDS or db.session.get(Location, candidate) is not None:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def location_has_appointments(location: Location) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Appointment.location_id == location.id))))


def location_in_use(location: Location) -> bool:
    """Anything that names this location and its organisation together (foreign keys)."""
    checks = (exists().where(Appointment.location_id == location.id),
              exists().where(WeeklyHours.location_id == location.id),
              exists().where(Counsellor.home_location_id == location.id),
              exists().where(Closure.location_id == location.id),
              exists().where(Town.base_office_id == location.id))
    return any(db.session.scalar(select(check)) for check in checks)


def create_location(values: dict, wanted_id: str | None) -> Location:
    if wanted_id and (wanted_id in RESERVED_IDS or db.session.get(Location, wanted_id)):
        raise AdminError("id", "location_id_taken")
    location_id = wanted_id or _free_location_id(slugify(values["town"] if values["kind"] ==
                                                         "mobile" else values["name"]))
    location = Location(id=location_id, **values)
    db.session.add(location)
    db.session.flush()
    return location


def update_location(location: Location, values: dict) -> list[str]:
    if values["organisation_id"] != location.organisation_id and location_in_use(location):
        raise AdminError("organisation", "organisation_in_use")
    changed = apply_changes(location, values)
    db.session.flush()
    return changed


def remove_location(location: Location) -> str:
    """Delete a location nobody refers to; one with appointments (or hours) stays for the
    records and is only deactivated. Returns "deleted" or "deactivated"."""
    if not location_in_use(location):
        try:
            with db.session.begin_nested():  # a reference added by a later feature refuses it
                db.session.delete(location)
            return "deleted"
        except IntegrityError:
            pass
    location.is_active = False
    db.session.flush()
    return "deactivated"


# -- services -----------------------------------------------------------------------------

def update_service(service: Service, values: dict, texts: dict[str, dict]) -> list[str]:
    """Settings and the texts per locale (``{"de": {"name", "description"}, …}``)."""
    changed = apply_changes(service, values)
    by_locale = {t.locale: t for t in service.translations}
    for locale, text in texts.items():
        translation = by_locale.get(locale)
        if translation is None:
            translation = ServiceTranslation(locale=locale, name=text["name"])
            service.translations.append(translation)
            changed.append(f"text_{locale}")
        elif apply_changes(translation, text):
            changed.append(f"text_{locale}")
    db.session.flush()
    return changed


# -- staff accounts -----------------------------------------------------------------------

def _account_error(error: accounts.AccountError) -> AdminError:
    field = {"email_taken": "email", "password_short": "password",
             "organisation": "organisation", "role": "role"}.get(error.code, "form")
    return AdminError(field, error.code)


def _check_counsellor_link(role: str, organisation_id: str | None, counsellor_id: int | None,
                           user: User | None = None) -> int | None:
    """The counsellor a counsellor account manages: of the same organisation, and not linked
    to another account. Other roles manage no calendar of their own."""
    if role != "counsellor":
        return None
    counsellor = db.session.get(Counsellor, counsellor_id) if counsellor_id else None
    if counsellor is None:
        raise AdminError("counsellor", "counsellor_needed")
    if counsellor.organisation_id != organisation_id:
        raise AdminError("counsellor", "counsellor_elsewhere")
    holder = db.session.scalar(select(User).where(User.counsellor_id == counsellor.id))
    if holder is not None and holder is not user:
        raise AdminError("counsellor", "counsellor_linked")
    return counsellor.id


def create_staff_user(*, email: str, display_name: str, role: str,
                      organisation_id: str | None, counsellor_id: int | None,
                      password: str) -> User:
    organisation_id = None if role == "admin" else organisation_id
    if role != "admin" and not organisation_id:
        raise AdminError("organisation", "organisation")
    counsellor_id = _check_counsellor_link(role, organisation_id, counsellor_id)
    try:
        return accounts.create_user(email=email, password=password, role=role,
                                    organisation_id=organisation_id,
                                    display_name=display_name, counsellor_id=counsellor_id)
    except accounts.AccountError as error:
        raise _account_error(error) from error


def update_staff_user(user: User, acting: User, *, display_name: str, role: str,
                      organisation_id: str | None, counsellor_id: int | None,
                      is_enabled: bool) -> list[str]:
    """Change an account. An administrator cannot lock themself out (disable or demote their
    own account); disabling an account also ends its open sessions."""
    if user.id == acting.id and not is_enabled:
        raise AdminError("is_enabled", "self_disable")
    if user.id == acting.id and role != "admin":
        raise AdminError("role", "self_demote")
    organisation_id = None if role == "admin" else organisation_id
    if role != "admin" and not organisation_id:
        raise AdminError("organisation", "organisation")
    counsellor_id = _check_counsellor_link(role, organisation_id, counsellor_id, user)
    changed = apply_changes(user, {
        "display_name": display_name, "role": role, "organisation_id": organisation_id,
        "counsellor_id": counsellor_id, "is_enabled": is_enabled})
    if "is_enabled" in changed and not is_enabled:
        # Flask-Login does not re-check is_active for a running session: end it explicitly.
        user.session_version += 1
    db.session.flush()
    return changed


def reset_password(user: User, acting: User, password: str) -> None:
    """A new password set by an administrator; every session of the user ends."""
    if user.id == acting.id:
        raise AdminError("new", "self_password")
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise AdminError("new", "password_short") from error


# -- counsellors --------------------------------------------------------------------------

def parse_language_codes(text: str) -> list[str]:
    """'de, EN uk' → ['de', 'en', 'uk']; unknown codes are refused, naming them."""
    codes = list(dict.fromkeys(c for c in re.split(r"[\s,;/]+", text.strip().lower()) if c))
    unknown = [c for c in codes if not is_known_language(c)]
    if unknown:
        raise AdminError("languages", "unknown_languages", codes=", ".join(unknown))
    return codes


def save_counsellor(counsellor: Counsellor | None, *, organisation_id: str, display_name: str,
                    email: str, home_location_id: str | None, languages: str,
                    is_active: bool) -> tuple[Counsellor, list[str]]:
    """Create (``counsellor`` None) or change a counsellor of ``organisation_id``."""
    email = email.strip().lower()
    same_email = select(Counsellor).where(func.lower(Counsellor.email) == email)
    if counsellor is not None:
        same_email = same_email.where(Counsellor.id != counsellor.id)
    if db.session.scalar(same_email) is not None:
        raise AdminError("email", "counsellor_email_taken")
    if home_location_id:
        home = db.session.get(Location, home_location_id)
        if home is None or home.organisation_id != organisation_id:
            raise AdminError("home_location", "home_elsewhere")
    codes = parse_language_codes(languages)
    if counsellor is None:
        counsellor = Counsellor(organisation_id=organisation_id, display_name=display_name,
                                email=email)
        db.session.add(counsellor)
        changed = ["created"]
    else:
        changed = []
    changed += apply_changes(counsellor, {"display_name": display_name, "email": email,
                                          "home_location_id": home_location_id or None,
                                          "is_active": is_active})
    if codes != counsellor.language_codes:
        kept = [lang for lang in counsellor.languages if lang.language_code in codes]
        new = [CounsellorLanguage(language_code=c) for c in codes
               if c not in counsellor.language_codes]
        counsellor.languages = sorted(kept + new, key=lambda lang: lang.language_code)
        changed.append("languages")
    db.session.flush()
    return counsellor, [c for c in changed if c != "created"]


def office_choices(organisation_id: str | None = None) -> list[Location]:
    """Offices a counsellor can have as home, of one organisation or of all."""
    statement = select(Location).where(Location.kind == "office").order_by(Location.name)
    if organisation_id:
        statement = statement.where(Location.organisation_id == organisation_id)
    return list(db.session.scalars(statement))


def counsellors_for_linking() -> list[Counsellor]:
    return list(db.session.scalars(select(Counsellor).order_by(
        Counsellor.organisation_id, Counsellor.display_name)))


def users_list(organisation_id: str | None, role: str | None) -> list[User]:
    statement = select(User).order_by(User.role, User.organisation_id, User.display_name)
    if organisation_id:
        statement = statement.where(User.organisation_id == organisation_id)
    if role:
        statement = statement.where(User.role == role)
    return list(db.session.scalars(statement))


def counsellors_list(organisation_id: str | None) -> list[Counsellor]:
    statement = (select(Counsellor).options(selectinload(Counsellor.languages))  # listed
                 .order_by(Counsellor.organisation_id, Counsellor.display_name))
    if organisation_id:
        statement = statement.where(Counsellor.organisation_id == organisation_id)
    return list(db.session.scalars(statement))


def linked_accounts(counsellor_ids: list[int]) -> dict[int, User]:
    if not counsellor_ids:
        return {}
    return {u.counsellor_id: u for u in db.session.scalars(
        select(User).where(User.counsellor_id.in_(counsellor_ids)))}
