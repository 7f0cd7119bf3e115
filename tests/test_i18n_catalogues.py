"""Every user-visible string is in the catalogue and translated into every UI language."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from booking.i18n import text_direction
from config import Config

PROJECT_DIR = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_DIR / "booking" / "translations"
METHOD_MAP = [("booking/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def _source_messages() -> set:
    ids = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(PROJECT_DIR), METHOD_MAP, keywords=KEYWORDS
    ):
        ids.add((message if isinstance(message, str) else tuple(message), context))
    return ids


@pytest.fixture(scope="module")
def source_messages():
    messages = _source_messages()
    assert len(messages) > 10  # the extraction itself works
    return messages


@pytest.mark.parametrize("language", Config.UI_LANGUAGES)
def test_every_message_is_translated(language, source_messages):
    po_path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    assert po_path.exists(), f"no catalogue for UI language {language}"
    with po_path.open("rb") as f:
        catalog = read_po(f)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" not in message.flags and all(strings):
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            translated[(key, message.context)] = True
    missing = sorted(str(m) for m in source_messages if m not in translated)
    assert not missing, f"{language} misses {len(missing)} translation(s): {missing[:10]}"


def test_right_to_left_languages_are_detected():
    assert text_direction("ar") == "rtl"
    assert text_direction("fa") == "rtl"
    assert text_direction("de") == "ltr"
    assert text_direction("uk") == "ltr"
