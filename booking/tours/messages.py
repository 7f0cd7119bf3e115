"""What a refused tour plan, publication or cancellation says to office staff: one text per
reason code (the planner's ``RefusalCode`` values and the services' own), in the user's
language. Texts with ``%(place)s`` name the stop; each code has a variant without a place."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# (text naming the place, text without a place)
TEXTS = {
    "no_stops": (None, _l("Please choose at least one town to visit.")),
    "too_many_stops": (None, _l("A tour can visit at most 12 towns.")),
    "duplicate_stop": (
        _l("%(place)s is in the tour twice. Please visit each town once."),
        _l("A town is in the tour twice. Please visit each town once.")),
    "unknown_place": (
        _l("There is no drive time to or from %(place)s yet. Please enter one on the travel "
           "times page."),
        _l("A drive time is missing. Please enter it on the travel times page.")),
    "stop_window": (
        _l("The counselling in %(place)s cannot end by the time you set. Start earlier, "
           "shorten the counselling or drop a stop."),
        _l("A stop's counselling cannot end by the time you set.")),
    "over_legal_limit": (
        _l("The day would be longer than 10 working hours including the drives (Working "
           "Hours Act), first at %(place)s. Drop a stop or shorten the counselling."),
        _l("The day would be longer than 10 working hours including the drives back (Working "
           "Hours Act). Drop a stop or shorten the counselling.")),
    "outside_working_hours": (
        _l("The tour does not fit into the counsellor's working hours that day, first at "
           "%(place)s. Drop a stop, shorten the counselling or choose another day."),
        _l("The counsellor would be back after the end of their working hours that day. "
           "Drop a stop, shorten the counselling or choose another day.")),
    "not_a_venue": (
        _l("%(place)s is not an active mobile advice venue."),
        _l("Please choose the towns from the list.")),
    "not_an_office": (
        _l("%(place)s is not an active office."),
        _l("Please choose the offices from the list.")),
    "other_organisation": (
        _l("%(place)s belongs to another organisation than the counsellor."),
        _l("The counsellor and all places of a tour must belong to one organisation.")),
    "not_draft": (None, _l("Only a draft can be published.")),
    "in_the_past": (None, _l("The tour lies in the past.")),
    "public_holiday": (None, _l("The day is a public holiday in Mecklenburg-Vorpommern.")),
    "other_tour": (None, _l("The counsellor already has a published tour that day.")),
    "absence": (None, _l("The counsellor is recorded as absent during the tour.")),
    "stranded_appointments": (None, _l(
        "The counsellor has booked appointments that day outside the tour's counselling "
        "times. Publishing removes the office hours of that day, so move or cancel these "
        "appointments first:")),
    "already_cancelled": (None, _l("The tour is cancelled already.")),
}


def problem_text(code: str, place: str | None = None) -> str:
    """The message for a reason code, naming ``place`` when the code has such a text."""
    with_place, without = TEXTS.get(code, (None, _l("The tour cannot be planned.")))
    if place and with_place is not None:
        return str(with_place) % {"place": place}
    return str(without)


def place_text(location) -> str:
    """An office by its name, a mobile venue by its town (as the tour pages name places)."""
    if location is None:
        return ""
    return location.name if location.kind == "office" else location.town


def problem_message(problem) -> str:
    """The text of a ``booking.tours.checks.Problem``, naming its place."""
    return problem_text(problem.code, place_text(problem.location) or None)


def day_text(day) -> str:
    """'Di., 2. Feb. 2027': a tour's day, short, in the locale's own form."""
    return format_skeleton("yMMMEd", day, locale=get_locale())
