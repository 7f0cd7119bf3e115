"""UI language selection and text direction for ``<html lang dir>``."""

from __future__ import annotations

from babel import Locale
from babel.dates import format_interval, format_skeleton
from babel.lists import format_list
from flask import Flask, current_app, g, request
from flask_babel import format_date, get_locale, get_timezone
from markupsafe import Markup, escape

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """Explicit choice (cookie), else the language of the booking being shown (manage pages),
    else the browser's Accept-Language, else the default."""
    languages = current_app.config["UI_LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if g.get("booking_locale") in languages:
        return g.booking_locale
    return request.accept_languages.best_match(languages) or languages[0]


def text_direction(locale: Locale | str | None = None) -> str:
    """``rtl`` for Arabic, Persian, Dari and Pashto, else ``ltr`` (from CLDR via Babel)."""
    locale = locale or get_locale()
    if isinstance(locale, str):
        locale = Locale.parse(locale)
    return "rtl" if locale.text_direction == "rtl" else "ltr"


def month_label(value) -> str:
    """'Februar 2027' / 'فبراير 2027': the locale's own pattern (CLDR skeleton ``yMMMM``)."""
    return format_skeleton("yMMMM", value, locale=get_locale())


def time_range(start, end) -> str:
    """'09:00–10:30 Uhr', '9:00–10:30 ص', '9:00 تا 10:30': the locale's own interval format,
    24- or 12-hour as the locale prefers, in the booking time zone."""
    locale = get_locale()
    skeleton = "Hm" if "H" in locale.time_formats["short"].pattern else "hm"
    return format_interval(start, end, skeleton, tzinfo=get_timezone(), locale=locale)


def appointment_time_text(start, end) -> str:
    """The full date and the time range joined by the locale's own date-time pattern."""
    pattern = str(get_locale().datetime_formats["full"]).replace("'", "")
    return pattern.replace("{1}", format_date(start, "full")).replace("{0}",
                                                                      time_range(start, end))


def appointment_time(start, end) -> Markup:
    """As ``appointment_time_text``, for pages: the time range does not break across lines."""
    pattern = str(get_locale().datetime_formats["full"]).replace("'", "")
    times = Markup('<span class="nowrap">%s</span>') % time_range(start, end)
    # escape() gives Markup, whose replace() escapes plain strings and keeps Markup as is.
    return escape(pattern).replace("{1}", format_date(start, "full")).replace("{0}", times)


def list_text(items) -> str:
    """Items joined as the reader's language joins a list ("Wismar und Gadebusch", with the
    Arabic comma in Arabic); each item is isolated for mixed-direction text."""
    return format_list([f"\u2068{item}\u2069" for item in items], locale=get_locale())


def init_app(app: Flask) -> None:
    app.add_template_filter(list_text, "list_text")
    app.add_template_global(time_range)
    app.add_template_global(appointment_time)
    app.add_template_filter(month_label, "month_label")
    @app.context_processor
    def inject_locale() -> dict:
        locale = get_locale()
        return {
            "html_lang": str(locale).replace("_", "-"),
            "html_dir": text_direction(locale),
            "locale_code": lambda: str(get_locale()),
            "ui_languages": ui_languages,
        }


def ui_languages() -> list[dict]:
    """The UI languages with their own names, for the language switch."""
    result = []
    for code in current_app.config["UI_LANGUAGES"]:
        own = Locale.parse(code)
        result.append({"code": code, "native_name": own.get_display_name(own).capitalize(),
                       "direction": text_direction(own)})
    return result
