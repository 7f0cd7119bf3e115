"""Forms of the administration pages: organisations, locations, services, users, the team and
the audit-log filter. Choices that come from the database are filled in by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from booking.appointments.forms import _plain_text, _strip
from booking.auth.services import MIN_PASSWORD_LENGTH

ROLE_LABELS = {"admin": _l("Network administrator"), "staff": _l("Office staff"),
               "counsellor": _l("Counsellor")}
KIND_LABELS = {"office": _l("Office"), "mobile": _l("Mobile advice venue")}
_TOO_LONG = _l("Please use at most %(max)d characters.")
_EMAIL = Email(message=_l("Please enter an e-mail address like name@example.org."),
               check_deliverability=False)
_PHONE = Regexp(r"^\+?[0-9][0-9 ()/.-]{4,28}[0-9]$",
                message=_l("Please enter a phone number using digits, spaces and +."))


def _between(low: int, high: int) -> NumberRange:
    return NumberRange(low, high, message=_l("Please enter a number from %(min)s to %(max)s."))


class WholeNumberField(IntegerField):
    """An integer field whose parse error is in the catalogue (WTForms' own is English)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError as error:
                raise ValueError(str(_l("Please enter a whole number."))) from error


class DecimalNumberField(FloatField):
    """A decimal number; a German decimal comma is accepted as well as a point."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = float(valuelist[0].strip().replace(",", "."))
            except ValueError as error:
                raise ValueError(str(_l("Please enter a number like 53.62."))) from error


class DayField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Please enter a date like 2027-02-01."))) from error


def _text(label, *, required: str | None = None, max_length: int = 200, **kwargs):
    validators = [DataRequired(message=required) if required else Optional(),
                  Length(max=max_length, message=_TOO_LONG), _plain_text]
    return StringField(label, filters=[_strip], validators=validators, **kwargs)


class OrganisationForm(FlaskForm):
    name = _text(_l("Name"), required=_l("Please enter the name."))
    short_name = _text(_l("Short name"), required=_l("Please enter a short name."),
                       max_length=64)
    region = _text(_l("Region"), max_length=300)
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[Optional(), Length(max=254, message=_TOO_LONG), _EMAIL])
    phone = TelField(_l("Phone number"), filters=[_strip], validators=[Optional(), _PHONE])
    website = URLField(_l("Website"), filters=[_strip], validators=[
        Optional(), Length(max=300, message=_TOO_LONG),
        URL(message=_l("Please enter an address like https://www.example.org."))])
    retention_days = WholeNumberField(
        _l("Keep client data for (days)"),
        description=_l("Personal data of past appointments is anonymised after this many "
                       "days (30 to 3650)."),
        validators=[InputRequired(message=_l("Please enter a number of days.")),
                    _between(30, 3650)])


class LocationForm(FlaskForm):
    id = StringField(_l("Short id (optional)"), filters=[_strip],
                     description=_l("Lower-case letters, digits and hyphens; used in links. "
                                    "Made from the town when left empty."),
                     validators=[Optional(), Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$", message=_l(
                         "Please use 2 to 64 lower-case letters, digits and hyphens."))])
    organisation = SelectField(_l("Organisation"), choices=[])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    name = _text(_l("Name"), required=_l("Please enter the name."))
    town = _text(_l("Town"), required=_l("Please enter the town."), max_length=120)
    address = _text(_l("Street and number"))
    postcode = StringField(_l("Postcode"), filters=[_strip], validators=[
        Optional(), Regexp(r"^[0-9]{5}$", message=_l("Please enter a five-digit postcode."))])
    phone = TelField(_l("Phone number"), filters=[_strip], validators=[Optional(), _PHONE])
    lat = DecimalNumberField(_l("Latitude (optional)"), validators=[
        Optional(), NumberRange(-90, 90, message=_l("Please enter a number from %(min)s to "
                                                    "%(max)s."))])
    lon = DecimalNumberField(_l("Longitude (optional)"), validators=[
        Optional(), NumberRange(-180, 180, message=_l("Please enter a number from %(min)s to "
                                                      "%(max)s."))])
    is_active = BooleanField(_l("Bookable (active)"), default=True)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (self.lat.data is None) != (self.lon.data is None) and not (
                self.lat.errors or self.lon.errors):
            self.lon.errors = [*self.lon.errors,
                               _l("Please enter both latitude and longitude, or neither.")]
            return False
        return valid


class ServiceForm(FlaskForm):
    duration_minutes = WholeNumberField(_l("Duration (minutes)"), validators=[
        InputRequired(message=_l("Please enter the duration.")), _between(5, 480)])
    buffer_minutes = WholeNumberField(
        _l("Buffer after the appointment (minutes)"),
        validators=[InputRequired(message=_l("Please enter a number of minutes.")),
                    _between(0, 240)])
    interpreter_extra_minutes = WholeNumberField(
        _l("Extra time with an interpreter (minutes)"),
        validators=[InputRequired(message=_l("Please enter a number of minutes.")),
                    _between(0, 240)])
    offers_in_person = BooleanField(_l("In person"))
    offers_phone = BooleanField(_l("By phone"))
    offers_video = BooleanField(_l("Video call"))
    sort_order = WholeNumberField(_l("Position in lists"), validators=[
        InputRequired(message=_l("Please enter a number.")), _between(0, 999)])
    is_active = BooleanField(_l("Bookable (active)"))
    name_de = _text(_l("Name in German"), required=_l("Please enter the German name."))
    description_de = TextAreaField(_l("Description in German"), filters=[_strip],
                                   validators=[Length(max=4000, message=_TOO_LONG)])
    name_en = _text(_l("Name in English"), required=_l("Please enter the English name."))
    description_en = TextAreaField(_l("Description in English"), filters=[_strip],
                                   validators=[Length(max=4000, message=_TOO_LONG)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.offers_in_person.data or self.offers_phone.data or self.offers_video.data):
            self.offers_in_person.errors = [
                *self.offers_in_person.errors,
                _l("Please offer at least one way to take part.")]
            return False
        return valid


class _UserFields(FlaskForm):
    display_name = _text(_l("Name"), required=_l("Please enter the name."))
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()))
    organisation = SelectField(
        _l("Organisation"), choices=[],
        description=_l("Administrators work for the whole network and need none."))
    counsellor = SelectField(
        _l("Counsellor record"), choices=[],
        description=_l("Counsellor accounts only: whose calendar this account manages "
                       "(a counsellor of the same organisation)."))


class UserCreateForm(_UserFields):
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[
        DataRequired(message=_l("Please enter the e-mail address.")),
        Length(max=254, message=_TOO_LONG), _EMAIL])
    password = PasswordField(
        _l("Initial password"),
        description=_l("At least %(num)d characters. Tell it to the person on a separate "
                       "channel; they can change it after signing in.", num=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(message=_l("Please enter a password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=1024, message=_l(
                        "The password needs at least %(num)d characters.",
                        num=MIN_PASSWORD_LENGTH))])


class UserEditForm(_UserFields):
    is_enabled = BooleanField(_l("Account enabled"), description=_l(
        "A disabled account cannot sign in; its open sessions end at once."))


class PasswordResetForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Please enter a new password.")),
        Length(min=MIN_PASSWORD_LENGTH, max=1024, message=_l(
            "The new password needs at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))],
        description=_l("At least %(num)d characters. The person is signed out everywhere.",
                       num=MIN_PASSWORD_LENGTH))
    repeat = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Please repeat the new password.")),
        EqualTo("new", _l("The two new passwords are not the same."))])


class CounsellorForm(FlaskForm):
    display_name = _text(_l("Name"), required=_l("Please enter the name."))
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[
        DataRequired(message=_l("Please enter the e-mail address.")),
        Length(max=254, message=_TOO_LONG), _EMAIL])
    organisation = SelectField(_l("Organisation"), choices=[])
    home_location = SelectField(_l("Home office"), choices=[])
    languages = StringField(
        _l("Consultation languages"), filters=[_strip],
        description=_l("Language codes separated by commas, e.g. de, en, uk, ar, fa, prs."),
        validators=[DataRequired(message=_l("Please enter at least one language code.")),
                    Length(max=200, message=_TOO_LONG)])
    is_active = BooleanField(_l("Active (can be booked)"), default=True)


class AuditFilterForm(FlaskForm):
    """Read from the query string: a bookmarkable, shareable filter without CSRF."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), choices=[], default="")
    action = SelectField(_l("Action"), choices=[], default="")
    actor = StringField(_l("User (e-mail)"), filters=[_strip],
                        validators=[Optional(), Length(max=254, message=_TOO_LONG)])
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("Until"), validators=[Optional()])
