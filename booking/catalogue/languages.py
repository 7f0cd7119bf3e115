"""Consultation languages: names in the reader's language, native names and writing direction."""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# Babel (CLDR) has no locale for Dari; it is Persian as written in Afghanistan.
_OVERRIDES = {
    "prs": {"name": _l("Dari"), "native_name": "دری", "direction": "rtl"},
}
_CODE = re.compile(r"^[a-z]{2,3}$")


def is_known_language(code: str) -> bool:
    if code in _OVERRIDES:
        return True
    if not _CODE.match(code or ""):
        return False
    return code in Locale("en").languages


def describe_language(code: str, reader: Locale | None = None) -> dict:
    """``{"code", "name", "native_name", "direction"}``; ``name`` in the reader's language."""
    reader = reader or get_locale()
    if code in _OVERRIDES:
        o = _OVERRIDES[code]
        return {"code": code, "name": str(o["name"]), "native_name": o["native_name"],
                "direction": o["direction"]}
    name = reader.languages.get(code) or Locale("en").languages.get(code, code)
    try:
        own = Locale.parse(code)
        native = own.get_display_name(own) or name
        direction = own.text_direction
    except (UnknownLocaleError, ValueError):
        native, direction = name, "ltr"
    return {"code": code, "name": name, "native_name": native, "direction": direction}
