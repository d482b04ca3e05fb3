"""Translations (gettext catalogues read with Babel) and the language of the current request.

Message ids are English; ``src/locale/ru/LC_MESSAGES/messages.po`` holds the Russian. Catalogues are compiled
in memory at start-up, so there is no build step and no binary file in the repository.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.units import format_unit
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from src import clock
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


def nest_quotes(text: str) -> str:
    """Quotes inside quotes in the Russian manner: «…„…“…» (a title with «» put into a message's «%(title)s»).
    Only the quote marks change, so HTML-safe text (``Markup``) stays safe."""
    if text.count("«") < 2:
        return text
    out, depth = [], 0
    for char in text:
        if char == "«":
            out.append("„" if depth % 2 else "«")
            depth += 1
        elif char == "»" and depth:
            depth -= 1
            out.append("“" if depth % 2 else "»")
        else:
            out.append(char)
    return type(text)("".join(out)) if type(text) is not str else "".join(out)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).gettext(message)
    return nest_quotes(text % variables) if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return nest_quotes(text % {"num": n, **variables})


_ = gettext


def N_(message: str) -> str:
    """Marks a message id for extraction where it is defined; translate it with ``_`` where it is shown."""
    return message


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


# Babel parses the pattern and walks the locale's data on every call (about 0.1 ms): a page of events formats
# the same few days and times many times, so the texts are kept per (value, pattern, language).
@lru_cache(maxsize=8192)
def _date_text(value: date, fmt: str, language: str) -> str:
    return format_date(value, format=fmt, locale=Locale.parse(language))


@lru_cache(maxsize=8192)
def _time_text(wall, zone, fold: int, fmt: str, language: str) -> str:
    # keyed by the wall time and its zone: equal instants in two zones are equal (and hash alike) as datetimes
    value = wall.replace(tzinfo=zone, fold=fold) if isinstance(wall, datetime) else wall
    return format_time(value, format=fmt, locale=Locale.parse(language))


def fmt_date(value: date, fmt: str = "long") -> str:
    if isinstance(value, datetime):
        value = value.date()  # what Babel formats of a datetime (its own wall date)
    return _date_text(value, fmt, current_language())


def fmt_datetime(value: datetime, fmt: str = "medium") -> str:
    return format_datetime(value, format=fmt, tzinfo=value.tzinfo, locale=Locale.parse(current_language()))


def fmt_time(value, fmt: str = "HH:mm") -> str:
    if isinstance(value, datetime):
        return _time_text(value.replace(tzinfo=None), value.tzinfo, value.fold, fmt, current_language())
    return _time_text(value, None, 0, fmt, current_language())


def weekday_name(index: int, width: str = "wide") -> str:
    """0 = Monday, in the current language."""
    return Locale.parse(current_language()).days["format"][width][index]


# --- the one date style in prose ----------------------------------------------------------------------------
# Prose says "9 декабря, среда" (English "Wednesday, 9 December"); the year only when it is not this year.
# Numeric dates (``fmt_date(value, "dd.MM.yyyy")``) belong in tables and form fields only.
_DAY_PATTERNS = {
    "ru": ("d MMMM, EEEE", "d MMMM y, EEEE"),
    "en": ("EEEE, d MMMM", "EEEE, d MMMM y"),
}


def _as_day(value: date | datetime, tz: tzinfo | None) -> date:
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if tz is not None and value.tzinfo is not None else value.date()
    return value


def fmt_day(value: date | datetime, tz: tzinfo | None = None, this_year: int | None = None) -> str:
    """"9 декабря, среда": a day in prose, with the year when it is not ``this_year`` (default: the year now)."""
    day = _as_day(value, tz)
    year = this_year if this_year is not None else clock.now().astimezone(tz).year
    language = current_language()
    short, with_year = _DAY_PATTERNS.get(language, _DAY_PATTERNS["en"])
    return _date_text(day, short if day.year == year else with_year, language)


def fmt_day_time(value: datetime, tz: tzinfo | None = None, this_year: int | None = None) -> str:
    """"9 декабря, среда, 18:00": a moment in prose, in the given zone."""
    moment = value.astimezone(tz) if tz is not None and value.tzinfo is not None else value
    return gettext("%(day)s, %(time)s", day=fmt_day(moment, None, this_year), time=fmt_time(moment))


def fmt_until(starts_at: datetime, ends_at: datetime, tz: tzinfo) -> str:
    """The end of something that starts at ``starts_at``: "17:00" the same day, "10 декабря, четверг, 09:00" another."""
    end = ends_at.astimezone(tz)
    return fmt_time(end) if starts_at.astimezone(tz).date() == end.date() else fmt_day_time(end)


def fmt_ahead(delta: timedelta) -> str:
    """How long before something, in words: "за неделю", "за 3 дня", "за 2 часа" (never "за 168 часов")."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    weeks, days, hours = minutes // (7 * 24 * 60), minutes // (24 * 60), minutes // 60
    if minutes and minutes % (7 * 24 * 60) == 0:
        return gettext("a week before") if weeks == 1 else ngettext("%(num)s week before", "%(num)s weeks before", weeks)
    if minutes and minutes % (24 * 60) == 0:
        return gettext("a day before") if days == 1 else ngettext("%(num)s day before", "%(num)s days before", days)
    if minutes and minutes % 60 == 0:
        return gettext("an hour before") if hours == 1 else ngettext("%(num)s hour before", "%(num)s hours before", hours)
    return ngettext("%(num)s minute before", "%(num)s minutes before", minutes)


def fmt_duration(delta: timedelta) -> str:
    """A length of time in words through CLDR units: "1 час 30 минут", "3 дня", "2 недели"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    locale = Locale.parse(current_language())
    if minutes and minutes % (7 * 24 * 60) == 0:
        return format_unit(minutes // (7 * 24 * 60), "duration-week", length="long", locale=locale)
    if minutes and minutes % (24 * 60) == 0:
        return format_unit(minutes // (24 * 60), "duration-day", length="long", locale=locale)
    hours, rest = divmod(minutes, 60)
    parts = [format_unit(hours, "duration-hour", length="long", locale=locale)] if hours else []
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="long", locale=locale))
    return " ".join(parts)
