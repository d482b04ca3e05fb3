"""Translations (gettext catalogues read with Babel) and the language of the current request.

Message ids are English; ``src/locale/ru/LC_MESSAGES/messages.po`` holds the Russian. Catalogues are compiled
in memory at start-up, so there is no build step and no binary file in the repository.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from src.config import LANGUAGES, get_settings

LOCALE_DIR = Path(__file__).parent / "locale"
_current: ContextVar[str | None] = ContextVar("libspace_language", default=None)


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def current_language() -> str:
    return _current.get() or get_settings().language


def set_language(language: str):
    return _current.set(language if language in LANGUAGES else get_settings().language)


def reset_language(token) -> None:
    _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def pick_language(choice: str | None, accept_language: str | None) -> str:
    """The user's remembered choice, else the best of Accept-Language, else the configured default."""
    if choice in LANGUAGES:
        return choice  # type: ignore[return-value]
    if accept_language:
        ranked: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            tag, _sep, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            ranked.append((quality, tag.strip().lower().split("-")[0]))
        for _quality, tag in sorted(ranked, key=lambda item: -item[0]):
            if tag in LANGUAGES:
                return tag
    return get_settings().language


def fmt_date(value: date, fmt: str = "long") -> str:
    return format_date(value, format=fmt, locale=Locale.parse(current_language()))


def fmt_datetime(value: datetime, fmt: str = "medium") -> str:
    return format_datetime(value, format=fmt, tzinfo=value.tzinfo, locale=Locale.parse(current_language()))


def fmt_time(value, fmt: str = "HH:mm") -> str:
    return format_time(value, format=fmt, locale=Locale.parse(current_language()))


def weekday_name(index: int, width: str = "wide") -> str:
    """0 = Monday, in the current language."""
    return Locale.parse(current_language()).days["format"][width][index]
