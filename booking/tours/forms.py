"""Forms of the tour pages: plan a tour (with a fixed number of stop rows, so it works without
JavaScript, and an optional recurrence), cancel one, and correct a drive time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from booking.admin.forms import WholeNumberField
from booking.appointments.forms import _plain_text, _strip
from booking.availability.forms import DayField, IntChoiceField, LocationField, WallTimeField
from booking.availability.services import local_today
from booking.tours.services import MAX_OCCURRENCES, MAX_STOPS

FIRST_ROWS = 4  # stop rows on a fresh form; "More stops" adds more, up to MAX_STOPS
MORE_ROWS = 4
DEFAULT_MINUTES = 120
_TOO_LONG = _l("Please use at most %(max)d characters.")


def _between(low: int, high: int) -> NumberRange:
    return NumberRange(low, high, message=_l("Please enter a number from %(min)s to %(max)s."))


class StopRowForm(Form):
    """One stop: a town (empty: the row is not used), how long, optional time bounds."""

    venue = LocationField(_l("Town"), default="")
    minutes = WholeNumberField(_l("Counselling (minutes)"), default=DEFAULT_MINUTES,
                               validators=[Optional(), _between(15, 600)])
    earliest_start = WallTimeField(_l("Not before"), validators=[Optional()])
    latest_end = WallTimeField(_l("Done by"), validators=[Optional()])

    def validate_minutes(self, field):
        if self.venue.data and field.data is None and not field.errors:
            raise ValidationError(str(_l("Please enter how long the counselling lasts.")))

    def validate_latest_end(self, field):
        if field.data and self.earliest_start.data and field.data <= self.earliest_start.data:
            raise ValidationError(str(_l("The end must be after the beginning.")))


class TourForm(FlaskForm):
    counsellor = IntChoiceField(_l("Counsellor"), message=_l("Please choose a counsellor."))
    day = DayField(_l("Day"), validators=[InputRequired(_l("Please enter the day of the tour."))])
    start_office = LocationField(_l("Leave from"))
    end_office = LocationField(_l("Return to"))
    setup_minutes = WholeNumberField(
        _l("Setting up at each stop (minutes)"), default=15,
        validators=[InputRequired(_l("Please enter a number of minutes.")), _between(0, 120)])
    public_note = TextAreaField(
        _l("Note for clients (optional)"), filters=[_strip],
        description=_l("Shown with the advice day, for example the room or the entrance. "
                       "No personal data."),
        validators=[Optional(), Length(max=500, message=_TOO_LONG), _plain_text])
    stops = FieldList(FormField(StopRowForm), min_entries=FIRST_ROWS, max_entries=MAX_STOPS)
    repeat = SelectField(_l("Repeat"), default="none", choices=[
        ("none", _l("Only this day")),
        ("monthly", _l("Every month on the same weekday")),
        ("weekly", _l("Every few weeks on the same weekday"))])
    nth = IntChoiceField(_l("Which one in the month"), default=1,
                         message=_l("Please choose from the list."))
    every_n_weeks = IntChoiceField(_l("Every … weeks"), default=4,
                                   message=_l("Please choose from the list."))
    count = IntChoiceField(_l("Number of days"), default=6,
                           message=_l("Please choose from the list."),
                           description=_l("The days are planned one by one; holidays and "
                                          "days that cannot be planned are skipped."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.repeat.choices = [(value, str(label)) for value, label in self.repeat.choices]
        self.nth.choices = [(1, _l("the first")), (2, _l("the second")), (3, _l("the third")),
                            (4, _l("the fourth")), (-1, _l("the last"))]
        self.every_n_weeks.choices = [
            (n, ngettext("every week", "every %(num)d weeks", n)) for n in range(1, 13)]
        self.count.choices = [(n, str(n)) for n in range(2, MAX_OCCURRENCES + 1)]

    def validate_day(self, field):
        if field.data and field.data < local_today():
            raise ValidationError(str(_l("The day lies in the past.")))

    def validate_repeat(self, field):
        if field.data not in ("none", "monthly", "weekly"):
            raise ValidationError(str(_l("Please choose from the list.")))

    def set_place_choices(self, offices: list[tuple[str, str]],
                          venues: list[tuple[str, str]]) -> None:
        self.start_office.choices = offices
        self.end_office.choices = offices
        for row in self.stops:
            row.venue.choices = [("", str(_l("– no stop –"))), *venues]

    def add_rows(self) -> None:
        for _ in range(MORE_ROWS):
            if len(self.stops) < MAX_STOPS:
                self.stops.append_entry()

    def chosen_rows(self) -> list[StopRowForm]:
        return [row.form for row in self.stops if row.venue.data]


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (for the team; clients do not see it)"), filters=[_strip],
        validators=[Optional(), Length(max=500, message=_TOO_LONG), _plain_text])


class TravelTimeForm(FlaskForm):
    from_place = LocationField(_l("From"))
    to_place = LocationField(_l("To"))
    minutes = WholeNumberField(_l("Drive time (minutes)"), validators=[
        InputRequired(_l("Please enter the drive time in minutes.")), _between(1, 600)])
    road_km = WholeNumberField(_l("Road distance (km, optional)"),
                               validators=[Optional(), _between(0, 1000)])
    both_ways = BooleanField(_l("The same time for the way back"), default=True)

    def set_choices(self, places: list[tuple[str, str]]) -> None:
        self.from_place.choices = places
        self.to_place.choices = places

    def validate_to_place(self, field):
        if field.data and field.data == self.from_place.data:
            raise ValidationError(str(_l("Please choose two different places.")))
