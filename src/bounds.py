"""Input bounds: how long, how large, how far from today and which characters any input may be.

Every value that comes in (API body, query and path parameter, page form, CSV or .ics import) is bounded by a
type or a check from this module, so that nothing reaches the database, a feed or an e-mail header that
could overflow it, break it or inject into it. A value out of bounds is a 422 naming the field, in the
caller's language (``src/web/errors.py`` words msgspec's and Litestar's own messages).

How to use it
-------------
**API bodies**: subclass :class:`Input` (a msgspec Struct that forbids unknown fields and checks date windows)
and give every field a type from here::

    from src import bounds

    class EventCreate(bounds.Input):
        title: bounds.Line                               # one line, 1..200 characters, no control characters
        description: bounds.text(20000) = ""             # tab and line breaks allowed, nothing else below U+0020
        zone_id: bounds.Id | None = None                 # 1 .. 2**31-1, the engines' integer range
        seats: bounds.count(1, 100) = 1                  # any other integer range
        starts_at: bounds.ScheduleAt                     # with offset, from 1 day ago to 3 years ahead
        visit_at: bounds.ScheduleLocal                   # the same window; without offset = the branch's local time
        career_fields: bounds.items(bounds.line(60), 20) = []   # at most 20 items

Windows: ``ScheduleAt``/``ScheduleLocal``/``ScheduleDate`` (bookings, events, visits, consultations: 1 day in
the past to 3 years ahead), ``BirthDate`` (1900-01-01 to today), ``FilterDate``/``FilterAt`` (1970 to 2100).
Only an :class:`Input` checks windows (in ``__post_init__``); the other bounds hold in any msgspec Struct.

**Query and path parameters**: the same types: ``zone: FromQuery[bounds.Id]``, ``event_id: FromPath[bounds.Id]``,
``q: FromQuery[bounds.line(100)] = ""``. An optional integer is ``FromQuery[bounds.OptionalId] = None`` (Litestar
loses the bounds inside ``X | None`` in parameters). A date filter is ``start: FromQuery[bounds.OptionalFilterDate]``
followed by ``bounds.check(start, bounds.FILTER, "start")`` in the handler (Litestar cannot check a date range).

**Page forms**: :class:`src.web.forms.Form` reads with the same bounds: ``form.str(name, 200)`` (one line),
``form.text(name, 2000)`` (multi-line), ``form.int(name, minimum=, maximum=)`` (engine range by default),
``form.date(name, window=bounds.BIRTH)``, ``form.local_datetime(name, tz, window=bounds.SCHEDULE)``.

**Anywhere else** (CSV rows, .ics files, services): ``bounds.check(value, window, field)`` raises
:class:`~src.exceptions.Invalid`; ``bounds.window_problem(value, window)`` returns the message or None;
``bounds.control_problem(text, multi_line=False)`` the same for characters; ``bounds.clean_line(text)`` turns
control characters into spaces where text must be accepted as it is (names from an outside file).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Optional

import msgspec
from dateutil.relativedelta import relativedelta
from litestar.params import Parameter

from src.exceptions import Invalid
from src.i18n import _

INT32_MAX = 2**31 - 1  # PostgreSQL integer and serial: every id and count column
INT64_MAX = 2**63 - 1

# Everything below U+0020, DEL, the C1 controls (U+0085 NEL among them) and the Unicode line and paragraph
# separators: each of these ends a line somewhere (str.splitlines, e-mail headers, iCalendar) or is invisible.
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
# Multi-line text keeps tab, line feed and carriage return.
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]*$"
_ONE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


# --- text --------------------------------------------------------------------------------------------------


def line(max_length: int = 200, min_length: int = 0, description: str | None = None) -> Any:
    """One line of text: no control characters at all."""
    meta = {"max_length": max_length, "pattern": ONE_LINE_PATTERN}
    if min_length:
        meta["min_length"] = min_length
    return Annotated[str, msgspec.Meta(**meta, description=description), Parameter(**meta, description=description)]


def text(max_length: int = 5000, description: str | None = None) -> Any:
    """Several lines: tab and line breaks are allowed, other control characters are not."""
    meta = {"max_length": max_length, "pattern": MULTI_LINE_PATTERN}
    return Annotated[str, msgspec.Meta(**meta, description=description), Parameter(**meta, description=description)]


def optional_line(max_length: int = 200, description: str | None = None) -> Any:
    """For an optional query parameter (``FromQuery[bounds.OptionalLine] = None``)."""
    return Annotated[Optional[str], Parameter(max_length=max_length, pattern=ONE_LINE_PATTERN, description=description, required=False)]


Line = line(200)
ShortLine = line(64)
OptionalLine = optional_line(200)
Text = text(5000)
Secret = Annotated[str, msgspec.Meta(max_length=256), Parameter(max_length=256)]  # passwords: any character, bounded


def control_problem(value: str, multi_line: bool = False) -> str | None:
    """The message for text with a character that may not be there, else None."""
    if (_MULTI_LINE_BAD if multi_line else _ONE_LINE_BAD).search(value):
        return control_message(multi_line)
    return None


def control_message(multi_line: bool = False) -> str:
    if multi_line:
        return _("Remove the control characters from this text")
    return _("This must be one line without tabs, line breaks or other control characters")


def clean_line(value: str) -> str:
    """Control characters become spaces (for text that must be taken as it is, such as a calendar file's summary)."""
    return _ONE_LINE_BAD.sub(" ", value)


def clean_text(value: str) -> str:
    return _MULTI_LINE_BAD.sub(" ", value)


# --- numbers and lists --------------------------------------------------------------------------------------


def count(minimum: int = 0, maximum: int = INT32_MAX, description: str | None = None) -> Any:
    """An integer in [minimum, maximum] (never past the engines' 32-bit integer columns unless you say so)."""
    return Annotated[
        int, msgspec.Meta(ge=minimum, le=maximum, description=description), Parameter(ge=minimum, le=maximum, description=description)
    ]


def optional_count(minimum: int = 0, maximum: int = INT32_MAX, description: str | None = None) -> Any:
    """For an optional query parameter (``FromQuery[optional_count(…)] = None``)."""
    return Annotated[Optional[int], Parameter(ge=minimum, le=maximum, description=description, required=False)]


Id = count(1, INT32_MAX)
Int = count(-INT32_MAX - 1, INT32_MAX)
OptionalId = optional_count(1, INT32_MAX)
OptionalInt = optional_count(-INT32_MAX - 1, INT32_MAX)


def items(item_type: Any, max_items: int, description: str | None = None) -> Any:
    """A list of at most ``max_items``."""
    return Annotated[list[item_type], msgspec.Meta(max_length=max_items, description=description), Parameter(max_items=max_items)]


# --- dates and times ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A range of dates that input may name, relative to today (``past``/``ahead``) or fixed (``first``/``last``)."""

    name: str
    past: relativedelta | None = None
    ahead: relativedelta | None = None
    first: date | None = None
    last: date | None = None  # None with ahead None: today

    def dates(self, today: date) -> tuple[date, date]:
        first = self.first if self.first is not None else today - (self.past or relativedelta())
        if self.last is not None:
            last = self.last
        else:
            last = today + (self.ahead or relativedelta())
        return first, last


SCHEDULE = Window("schedule", past=relativedelta(days=1), ahead=relativedelta(years=3))
BIRTH = Window("birth", first=date(1900, 1, 1))
FILTER = Window("filter", first=date(1970, 1, 1), last=date(2100, 12, 31))


def _today() -> date:
    from src.config import get_settings
    from src.timeutil import today_in

    return today_in(get_settings().tz)


def _city_tz():
    from src.config import get_settings

    return get_settings().tz


def window_problem(value: date | datetime | None, window: Window, today: date | None = None) -> str | None:
    """The message for a date or time outside the window, else None. A naive time is read in the city's zone."""
    if value is None or value is msgspec.UNSET:
        return None
    first, last = window.dates(today or _today())
    if isinstance(value, datetime):
        if window is SCHEDULE:
            from src.timeutil import now_utc

            now = now_utc()
            instant = value if value.tzinfo is not None else value.replace(tzinfo=_city_tz())
            lowest, highest = now - timedelta(days=1), now + (window.ahead or relativedelta())
            ok = lowest <= instant <= highest
        else:
            day = (value if value.tzinfo is None else value.astimezone(_city_tz())).date()
            ok = first <= day <= last
    else:
        ok = first <= value <= last
    if ok:
        return None
    return window_message(window, first, last)


def within(value: date | datetime | None, window: Window) -> bool:
    return window_problem(value, window) is None


def parse_date(text: str | None, window: Window = FILTER) -> date | None:
    """An ISO date inside the window, else None (for pages that fall back to a default on a bad value)."""
    try:
        value = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return value if within(value, window) else None


def window_message(window: Window, first: date, last: date) -> str:
    if window is SCHEDULE:
        return _("Choose a date from %(first)s to %(last)s (at most three years ahead)", first=first.isoformat(), last=last.isoformat())
    if window is BIRTH:
        return _("Check the birth date: it must lie between %(first)s and today", first=first.isoformat())
    return _("Choose a date from %(first)s to %(last)s", first=first.isoformat(), last=last.isoformat())


def check(value: date | datetime | None, window: Window, field: str) -> None:
    """Raise :class:`Invalid` (422 naming the field) for a date or time outside the window."""
    problem = window_problem(value, window)
    if problem:
        raise Invalid.one(field, problem)


_AWARE = "ISO 8601 with an offset, e.g. 2026-12-03T16:00:00+09:00"
_LOCAL = "ISO 8601; without an offset it is the branch's local time"
ScheduleAt = Annotated[datetime, msgspec.Meta(tz=True, description=f"{_AWARE}; from 1 day ago to 3 years ahead"), SCHEDULE]
ScheduleLocal = Annotated[datetime, msgspec.Meta(description=f"{_LOCAL}; from 1 day ago to 3 years ahead"), SCHEDULE]
ScheduleDate = Annotated[date, msgspec.Meta(description="YYYY-MM-DD, from yesterday to 3 years ahead"), SCHEDULE]
BirthDate = Annotated[date, msgspec.Meta(description="YYYY-MM-DD, from 1900-01-01 to today"), BIRTH]
FilterDate = Annotated[date, msgspec.Meta(description="YYYY-MM-DD, 1970 to 2100"), FILTER]
FilterAt = Annotated[datetime, msgspec.Meta(description="ISO 8601, 1970 to 2100"), FILTER]
OptionalFilterDate = Annotated[Optional[date], Parameter(description="YYYY-MM-DD, 1970 to 2100", required=False)]
# The one convention of the API's list filters named start and end (issue 16): a date or a date-time with an
# offset. Read with moment() (an instant) or filter_day() (the day it falls on in the given zone).
FilterMoment = optional_line(40, description="A date (2026-12-09) or a date-time with an offset (2026-12-09T18:00+09:00); 1970 to 2100")


def moment(value: str, tz: Any, field: str, end_of_day: bool = False) -> datetime:
    """A query-string instant: ISO 8601 with or without an offset (then local to ``tz``), or a date (its local
    midnight; with ``end_of_day``, the midnight after it, so ``end=2026-12-07`` includes that day). A '+' of an
    offset that arrived unencoded (as a space) is put back. Outside 1970 to 2100, or unreadable: 422 naming it."""
    text = value.strip()
    if len(text) > 10 and text[-6] == " ":
        text = text[:-6] + "+" + text[-5:]
    try:
        if len(text) == 10:
            on = date.fromisoformat(text)
            check(on, FILTER, field)
            return datetime.combine(on + timedelta(days=1 if end_of_day else 0), datetime.min.time(), tzinfo=tz)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid.one(field, _("Give a date (2026-12-01) or a date and time (2026-12-01T10:00+09:00)")) from None
    check(instant, FILTER, field)
    return instant.replace(tzinfo=tz) if instant.tzinfo is None else instant


def filter_day(value: str | date | None, tz: Any, field: str) -> date | None:
    """A ``start``/``end`` day filter given as a date or a date-time with an offset: the day it falls on in ``tz``
    (a page that has parsed a date already passes the date)."""
    if isinstance(value, date):
        check(value, FILTER, field)
        return value
    if value is None or not value.strip():
        return None
    return moment(value, tz, field).astimezone(tz).date()


# --- the Struct base -------------------------------------------------------------------------------------------

FIELD_SEPARATOR = "\x1f"  # between the field and the message of a window error (read back in src/web/errors.py)
_window_fields: dict[type, list[tuple[str, Window]]] = {}


def _window_of(annotation: Any) -> Window | None:
    if typing.get_origin(annotation) is Annotated:
        for extra in annotation.__metadata__:
            if isinstance(extra, Window):
                return extra
        return _window_of(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _window_of(arg)
            if found is not None:
                return found
    if typing.get_origin(annotation) is list:
        return _window_of(typing.get_args(annotation)[0])
    return None


def _windows(cls: type) -> list[tuple[str, Window]]:
    known = _window_fields.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        known = [(name, window) for name, hint in hints.items() if not name.startswith("_") and (window := _window_of(hint)) is not None]
        _window_fields[cls] = known
    return known


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every API input: unknown fields are refused and dates must lie in their windows."""

    def __post_init__(self) -> None:
        for name, window in _windows(type(self)):
            value = getattr(self, name)
            for each in value if isinstance(value, list) else [value]:
                problem = window_problem(each, window)
                if problem:
                    raise ValueError(f"{name}{FIELD_SEPARATOR}{problem}")

