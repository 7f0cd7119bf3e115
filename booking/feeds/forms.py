"""The form of the feed settings page: whether a feed shows client names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PrivacyForm(FlaskForm):
    """One per feed on the page, told apart by ``prefix`` (``feed<id>``), so every checkbox
    has its own id and label."""

    shows_client_details = BooleanField(
        _l("Show client names and contact details in this feed"),
        description=_l("Your calendar provider (Google, Microsoft, Apple …) then stores "
                       "clients' personal data on its servers. Leave this off unless your "
                       "organisation has agreed to it."))
