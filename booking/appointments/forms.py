"""The client's details form; the JSON API validates with the same form (without CSRF)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

# Control characters and bidirectional overrides have no place in a name or a phone number.
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _plain_text(form, field) -> None:
    if field.data and _UNSAFE_TEXT.search(field.data):
        raise ValidationError(_l("Please use letters, digits and ordinary punctuation only."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ContactForm(FlaskForm):
    name = StringField(
        _l("Your name"), filters=[_strip],
        validators=[DataRequired(message=_l("Please enter your name.")),
                    Length(max=120, message=_l("Please use at most %(max)d characters.")),
                    _plain_text],
    )
    email = EmailField(
        _l("E-mail address"), filters=[_strip],
        description=_l("We send the confirmation and reminders here."),
        validators=[DataRequired(message=_l("Please enter your e-mail address.")),
                    Length(max=254, message=_l("Please use at most %(max)d characters.")),
                    Email(message=_l("Please enter an e-mail address like name@example.org."),
                          check_deliverability=False)],
    )
    phone = TelField(
        _l("Phone number (optional)"), filters=[_strip],
        description=_l("Only if we may call you, for example if the appointment has to move."),
        validators=[Optional(),
                    Regexp(r"^\+?[0-9][0-9 ()/.-]{4,28}[0-9]$",
                           message=_l("Please enter a phone number using digits, spaces and +."))],
    )
    interpreter = BooleanField(_l("I would like an interpreter to join the consultation."))
    consent = BooleanField(
        _l("I agree that my details are stored to arrange this appointment, as described in "
           "the privacy notice."),
        validators=[DataRequired(message=_l("Please agree to the privacy notice, otherwise we "
                                            "cannot book the appointment."))],
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field they find.
    website = StringField(_l("Leave this field empty"))

    def is_probably_a_bot(self) -> bool:
        return bool(self.website.data)


class BookingApiForm(ContactForm):
    class Meta:
        csrf = False

    service = StringField(validators=[DataRequired(message=_l("This field is required."))])
    location = StringField(validators=[DataRequired(message=_l("This field is required."))])
    start = StringField(validators=[DataRequired(message=_l("This field is required."))])
    language = StringField(validators=[DataRequired(message=_l("This field is required."))])
    counsellor = HiddenField()
    channel = StringField(default="in_person")


class ConfirmForm(FlaskForm):
    """A button-only form (cancel, move): it carries the CSRF token and nothing else."""
