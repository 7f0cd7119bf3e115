"""Forms of the calendar-sync page: a busy-time source, and the CalDAV target."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from booking.calendarsync.fetch import MAX_URL_LENGTH, normalise_url, url_problem

SOURCE_KINDS = ("ics", "caldav")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def kind_labels() -> dict[str, str]:
    return {"ics": str(_l("Calendar file address (ICS, subscription link)")),
            "caldav": str(_l("CalDAV calendar (for example Nextcloud)"))}


def url_message(problem: str) -> str:
    messages = {
        "too_long": _l("The address may be at most %(max)d characters long.",
                       max=MAX_URL_LENGTH),
        "scheme": _l("The address must begin with https:// or http://."),
        "credentials": _l("Please do not put a user name or password into the address; use "
                          "the fields for them."),
        "private": _l("Addresses in a private or local network are not allowed here."),
    }
    return str(messages.get(problem, _l(
        "Please enter a complete web address such as https://calendar.example.org/….")))


class _CalendarUrlField(StringField):
    """A calendar address: webcal:// is read as https://; checked by ``fetch.url_problem``."""

    def __init__(self, label, **kwargs):
        super().__init__(label, filters=[_strip], validators=[
            InputRequired(_l("Please enter the address of the calendar."))], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = normalise_url(self.data)

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data and not self.errors:
            problem = url_problem(self.data)
            if problem:
                raise ValidationError(url_message(problem))


# Username and password have no Optional(): it would stop the chain before the checks that
# make them required for CalDAV.
class SourceForm(FlaskForm):
    kind = SelectField(_l("Kind of calendar"), validate_choice=False, default="ics")
    url = _CalendarUrlField(_l("Address (URL)"), description=_l(
        "The secret address of your calendar, for example the iCal or subscription link, or "
        "the CalDAV address of one calendar."))
    username = StringField(_l("User name"), filters=[_strip], validators=[
        Length(max=200, message=_l("At most 200 characters, please."))],
        description=_l("Only if the calendar asks for a sign-in. Required for CalDAV."))
    password = PasswordField(_l("Password"), validators=[
        Length(max=500, message=_l("At most 500 characters, please."))],
        description=_l("Preferably an app password. It is never shown again."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(kind_labels().items())

    def validate_kind(self, field):
        if field.data not in SOURCE_KINDS:
            raise ValidationError(str(_l("Please choose a kind of calendar from the list.")))

    def validate_username(self, field):
        if self.kind.data == "caldav" and not field.data:
            raise ValidationError(str(_l("Please enter the user name for the CalDAV server.")))

    def validate_password(self, field):
        if self.kind.data == "caldav" and not field.data:
            raise ValidationError(str(_l("Please enter the password for the CalDAV server.")))
        if field.data and not self.username.data:
            raise ValidationError(str(_l("A password needs a user name as well.")))


class TargetForm(FlaskForm):
    """Where appointments are written. ``has_password``: a saved password is kept when the
    field stays empty (passwords are never shown again)."""

    url = _CalendarUrlField(_l("CalDAV address of the calendar"), description=_l(
        "The address of one calendar collection, for example "
        "https://cloud.example.org/remote.php/dav/calendars/name/appointments/."))
    username = StringField(_l("User name"), filters=[_strip], validators=[
        InputRequired(_l("Please enter the user name for the CalDAV server.")),
        Length(max=200, message=_l("At most 200 characters, please."))])
    password = PasswordField(_l("Password"), validators=[
        Length(max=500, message=_l("At most 500 characters, please."))])
    is_active = BooleanField(_l("Write my appointments into this calendar"), default=True)

    def __init__(self, *args, has_password: bool = False, **kwargs):
        super().__init__(*args, prefix="target", **kwargs)
        self.has_password = has_password
        self.password.description = (
            _l("Leave empty to keep the saved password.") if has_password
            else _l("Preferably an app password. It is never shown again."))

    def validate_password(self, field):
        if not field.data and not self.has_password:
            raise ValidationError(str(_l("Please enter the password for the CalDAV server.")))
