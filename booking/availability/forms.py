"""Forms of the working-hours and absences pages, with every message in the user's language."""

from __future__ import annotations

from datetime import time

from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

EARLIEST, LATEST = time(6), time(22)
MAX_EVERY_N_WEEKS = 12
ABSENCE_REASONS = ("vacation", "illness", "training", "other")


def reason_labels() -> dict[str, str]:
    """Why a counsellor is away, for staff only (clients never see the reason)."""
    return {"vacation": str(_l("Leave")), "illness": str(_l("Illness")),
            "training": str(_l("Training")), "other": str(_l("Other"))}


def weekday_names() -> list[str]:
    """Monday … Sunday in the user's language (CLDR), Monday first as ``date.weekday()``."""
    return [get_locale().days["format"]["wide"][day] for day in range(7)]


class _OwnParseMessage:
    """WTForms words unparsable dates and times in its own catalogue; ours says it. An empty
    value is left to InputRequired/Optional, so a blank field gets one message, not two."""

    def __init__(self, *args, invalid=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid)) from error


class DayField(_OwnParseMessage, DateField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, invalid=_l("Please enter a date such as 2027-03-01."), **kwargs)


class WallTimeField(_OwnParseMessage, TimeField):
    """A local wall-clock time, HH:MM (browsers may add seconds)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%H:%M", "%H:%M:%S"],
                         invalid=_l("Please enter a time such as 09:30."), **kwargs)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class IntChoiceField(SelectField):
    """A select of whole numbers; a value outside the list gets our message, not WTForms'."""

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, coerce=_int_or_none, validate_choice=False, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(str(self.message))


class LocationField(SelectField):
    """Offices and mobile venues (grouped); the view fills the choices it allows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validate_choice=False, **kwargs)

    def allowed(self) -> set[str]:
        groups = self.choices.values() if isinstance(self.choices, dict) else [self.choices]
        return {value for group in groups for value, _label in group}

    def pre_validate(self, form):
        if self.data not in self.allowed():
            raise ValidationError(str(_l("Please choose a place from the list.")))


def _period_check(form) -> None:
    if form.starts_on.data and form.ends_on.data and form.ends_on.data < form.starts_on.data:
        raise ValidationError(str(_l("The last day must not be before the first day.")))


class HoursForm(FlaskForm):
    location = LocationField(_l("Place"))
    weekday = IntChoiceField(_l("Weekday"), message=_l("Please choose a weekday."))
    start_time = WallTimeField(_l("From"), validators=[
        InputRequired(_l("Please enter when the hours begin."))])
    end_time = WallTimeField(_l("Until"), validators=[
        InputRequired(_l("Please enter when the hours end."))])
    starts_on = DayField(_l("Valid from"), validators=[
        InputRequired(_l("Please enter the first day these hours apply."))])
    ends_on = DayField(_l("Valid until"), validators=[Optional()],
                       description=_l("Optional: the last day. Leave empty for no end."))
    every_n_weeks = IntChoiceField(
        _l("Repeat"), default=1, message=_l("Please choose how often the hours repeat."),
        description=_l("Counted from the week of the first day."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = list(enumerate(weekday_names()))
        self.every_n_weeks.choices = [
            (n, ngettext("every week", "every %(num)d weeks", n))
            for n in range(1, MAX_EVERY_N_WEEKS + 1)]

    def validate_start_time(self, field):
        if field.data and not EARLIEST <= field.data < LATEST:
            raise ValidationError(str(_l("Working hours lie between 06:00 and 22:00.")))

    def validate_end_time(self, field):
        if not field.data:
            return
        if not EARLIEST < field.data <= LATEST:
            raise ValidationError(str(_l("Working hours lie between 06:00 and 22:00.")))
        if self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(str(_l("The end must be after the beginning.")))

    def validate_ends_on(self, field):
        _period_check(self)


class AbsenceForm(FlaskForm):
    starts_on = DayField(_l("First day"), validators=[
        InputRequired(_l("Please enter the first day of the absence."))])
    ends_on = DayField(_l("Last day"), validators=[
        InputRequired(_l("Please enter the last day of the absence."))],
        description=_l("Included. For a single day, enter the same date."))
    start_time = WallTimeField(_l("From (time)"), validators=[Optional()],
                               description=_l("Optional: leave empty to be away all day."))
    end_time = WallTimeField(_l("Until (time)"), validators=[Optional()],
                             description=_l("Optional: leave empty to be away until the end "
                                            "of the last day."))
    reason = SelectField(_l("Reason"), validate_choice=False,
                         description=_l("Internal only: clients never see the reason."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = list(reason_labels().items())

    def validate_reason(self, field):
        if field.data not in ABSENCE_REASONS:
            raise ValidationError(str(_l("Please choose a reason from the list.")))

    def validate_ends_on(self, field):
        _period_check(self)

    def validate_end_time(self, field):
        same_day = self.starts_on.data and self.starts_on.data == self.ends_on.data
        if (same_day and field.data and self.start_time.data
                and field.data <= self.start_time.data):
            raise ValidationError(str(_l("The end must be after the beginning.")))
