"""The waiting-list form: the booking's contact fields, with a consent about being told."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

from booking.appointments.forms import ContactForm

CONSENT_REQUIRED = _l("Please agree to the privacy notice, otherwise we cannot put you on "
                      "the waiting list.")


class WaitlistForm(ContactForm):
    interpreter = None  # the offer says whether the freed time comes with an interpreter
    consent = BooleanField(
        _l("I agree that my details are stored to tell me when an earlier time becomes free, "
           "as described in the privacy notice."),
        validators=[DataRequired(message=CONSENT_REQUIRED)],
    )
