"""Translated messages for booking error codes, shared by pages and the JSON API."""

from flask_babel import lazy_gettext as _l

ERROR_MESSAGES = {
    "slot_taken": _l("Sorry, this time was booked by someone else a moment ago. "
                     "These are the nearest free times."),
    "consent_required": _l("Please agree to the privacy notice, otherwise we cannot book the "
                           "appointment."),
    "unknown_service": _l("Please choose what the appointment is about."),
    "unknown_location": _l("Please choose where you would like to meet."),
    "unknown_language": _l("Please choose the language of the consultation."),
    "channel_not_offered": _l("This kind of appointment is not offered for this service."),
    "invalid_start": _l("Please choose a time from the list."),
    "already_cancelled": _l("This appointment has already been cancelled."),
    "too_late": _l("This appointment can no longer be changed online. Please call the office."),
    "not_a_person": _l("The form could not be sent. Please try again."),
}


def error_message(code: str) -> str:
    return str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["not_a_person"]))
