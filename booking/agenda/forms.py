"""Forms of the agenda pages: the follow-up series (step 1, carried on through the preview)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import InputRequired, ValidationError

from booking.catalogue.models import CHANNELS, Service
from booking.domain.series import MAX_COUNT, MAX_EVERY_N_WEEKS
from booking.network.models import Location

CHANNEL_LABELS = {"in_person": _l("In person"), "phone": _l("By phone"), "video": _l("Video call")}
# WTForms' own parse errors are English and technical; these say what to type.
PARSE_MESSAGES = {
    "first_on": _l("Please enter the date of the first appointment, for example 15.03.2027."),
    "start_time": _l("Please enter the start time, for example 10:00."),
}


class FollowUpForm(FlaskForm):
    first_on = DateField(_l("Date of the first appointment"),
                         validators=[InputRequired(PARSE_MESSAGES["first_on"])])
    start_time = TimeField(_l("Start time"), description=_l("German time"),
                           validators=[InputRequired(PARSE_MESSAGES["start_time"])])
    service = SelectField(_l("Service"), validators=[InputRequired()])
    location = SelectField(_l("Place"), validators=[InputRequired()])
    channel = SelectField(_l("Kind of appointment"), default="in_person",
                          choices=list(CHANNEL_LABELS.items()))
    every_n_weeks = SelectField(
        _l("Repeat"), coerce=int, default=2,
        choices=[(n, lazy_ngettext("every week", "every %(num)d weeks", n))
                 for n in range(1, MAX_EVERY_N_WEEKS + 1)])
    count = SelectField(_l("Number of appointments"), coerce=int, default=1,
                        choices=[(n, str(n)) for n in range(1, MAX_COUNT + 1)])

    def setup(self, services: list[Service], locations: list[Location], locale: str,
              today: date, last_day: date) -> FollowUpForm:
        """Choices of this request; the dates a first appointment may have."""
        self.service.choices = [(s.id, s.name_in(locale))
                                for s in services]
        self.location.choices = [(loc.id, f"{loc.name} ({loc.town})" if loc.kind == "office"
                                  else loc.name) for loc in locations]
        self._services = {s.id: s for s in services}
        self._locations = {loc.id: loc for loc in locations}
        self._today, self._last_day = today, last_day
        return self

    def chosen_service(self) -> Service:
        return self._services[self.service.data]

    def chosen_location(self) -> Location:
        return self._locations[self.location.data]

    def validate_first_on(self, field) -> None:
        if field.data is None:
            return  # unreadable: PARSE_MESSAGES says what to type
        if field.data < self._today:
            raise ValidationError(_("The first appointment cannot be in the past."))
        if field.data > self._last_day:
            raise ValidationError(_("Appointments can be booked up to %(day)s.",
                               day=format_date(self._last_day, "long")))

    def validate_channel(self, field) -> None:
        service = self._services.get(self.service.data)
        if field.data not in CHANNELS or (service and field.data not in service.channels):
            raise ValidationError(_("This kind of appointment is not offered for this service."))

    def error_messages(self) -> dict[str, str]:
        """The first message per field, parse errors replaced by a helpful one."""
        errors = {}
        for name, messages in self.errors.items():
            if name in PARSE_MESSAGES and getattr(self, name).data is None:
                errors[name] = str(PARSE_MESSAGES[name])
            else:
                errors[name] = str(messages[0])
        return errors

    def raw_values(self) -> dict[str, str]:
        """The submitted step-1 values, carried through the preview in hidden fields."""
        values = {name: str(self[name].data) for name in
                  ("service", "location", "channel", "every_n_weeks", "count")}
        return {"first_on": self.first_on.data.isoformat(),
                "start_time": self.start_time.data.strftime("%H:%M"), **values}
