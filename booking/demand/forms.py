"""The interest form: town, service, consultation language, contact and consent.

Name, e-mail, phone and the honeypot are the booking form's own fields (same checks, same
messages); the choices are filled in by the view from the current catalogue and towns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, ValidationError

from booking.appointments.forms import ContactForm
from booking.appointments.messages import ERROR_MESSAGES as BOOKING_ERRORS

TOWN_FROM_LIST = _l("Please choose your town from the list.")
CONSENT_REQUIRED = _l("Please agree to the privacy notice, otherwise we cannot register your "
                      "interest.")
# The use case's refusals (booking.demand.services.InterestError codes), for the page.
ERROR_MESSAGES = {"unknown_town": TOWN_FROM_LIST, "consent_required": CONSENT_REQUIRED}


def _one_of_the_choices(message):
    def check(form, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(message)
    return check


class InterestForm(ContactForm):
    interpreter = None  # asked when the actual appointment is booked
    town = SelectField(
        _l("Your town"), validate_choice=False,
        description=_l("We come to these towns with mobile advice days."),
        validators=[DataRequired(message=_l("Please choose your town.")),
                    _one_of_the_choices(TOWN_FROM_LIST)],
    )
    service = SelectField(
        _l("What is the appointment about?"), validate_choice=False,
        validators=[DataRequired(message=BOOKING_ERRORS["unknown_service"]),
                    _one_of_the_choices(BOOKING_ERRORS["unknown_service"])],
    )
    language = SelectField(
        _l("In which language would you like to talk?"), validate_choice=False,
        description=_l("If nobody at the office speaks your language, we arrange an "
                       "interpreter for free."),
        validators=[DataRequired(message=BOOKING_ERRORS["unknown_language"]),
                    _one_of_the_choices(BOOKING_ERRORS["unknown_language"])],
    )
    consent = BooleanField(
        _l("I agree that my details are stored so that you can invite me to an advice day, "
           "as described in the privacy notice."),
        validators=[DataRequired(message=CONSENT_REQUIRED)],
    )
