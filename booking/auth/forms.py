"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from booking.auth.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=1024)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=1024)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please enter a new password.")),
        Length(min=MIN_PASSWORD_LENGTH, max=1024,
               message=_l("The new password needs at least %(num)d characters.",
                          num=MIN_PASSWORD_LENGTH))],
        description=_l("At least %(num)d characters. A few unrelated words are easy to "
                       "remember and hard to guess.", num=MIN_PASSWORD_LENGTH))
    repeat = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Please repeat the new password.")),
        EqualTo("new", _l("The two new passwords are not the same."))])
