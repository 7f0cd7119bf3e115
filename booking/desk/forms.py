"""Office desk forms: the appointment search and the client's details taken on the phone or at
the counter (e-mail optional, the client's language for the confirmation, consent as told)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from booking.appointments.forms import ContactForm, _plain_text, _strip
from booking.desk.services import MIN_SEARCH_LENGTH


class SearchForm(FlaskForm):
    """Find appointments by reference, or part of the client's name or e-mail address."""

    q = StringField(
        _l("Reference, name or e-mail address"), filters=[_strip],
        description=_l("At least two characters; only your organisation's appointments."),
        validators=[DataRequired(message=_l("Please enter what you are looking for.")),
                    Length(min=MIN_SEARCH_LENGTH, max=100,
                           message=_l("Please enter between %(min)d and %(max)d characters.")),
                    _plain_text],
    )


class DeskClientForm(ContactForm):
    """The public contact form as staff fill it in for a client: the phone validation and the
    text rules stay the same; e-mail is optional, and nobody needs a honeypot here."""

    website = None  # removes the honeypot field

    name = StringField(
        _l("Client's name"), filters=[_strip],
        validators=[DataRequired(message=_l("Please enter the client's name.")),
                    Length(max=120, message=_l("Please use at most %(max)d characters.")),
                    _plain_text],
    )
    email = EmailField(
        _l("E-mail address (optional)"), filters=[_strip],
        description=_l("With an address the client gets the calendar invitation and "
                       "reminders. Without one, print the confirmation."),
        validators=[Optional(),
                    Length(max=254, message=_l("Please use at most %(max)d characters.")),
                    Email(message=_l("Please enter an e-mail address like name@example.org."),
                          check_deliverability=False)],
    )
    client_locale = SelectField(
        _l("Language of the confirmation"),
        description=_l("E-mails and the printed confirmation are written in this language."),
        validators=[DataRequired(message=_l("Please choose a language."))],
    )
    interpreter = BooleanField(_l("An interpreter is needed."))
    consent = BooleanField(
        _l("The client has been told about the privacy notice and agrees"),
        validators=[DataRequired(message=_l("Please confirm that the client has been told "
                                            "about the privacy notice and agrees."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_locale.choices = list(current_app.config["UI_LANGUAGES"])

    @property
    def email_or_none(self) -> str | None:
        return self.email.data or None
