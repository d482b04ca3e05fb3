"""Reading HTML forms: values as strings, with parse errors collected as FieldErrors for re-rendering."""

from __future__ import annotations

from datetime import date, datetime, time
import time as time_module
from typing import Annotated, Any
from zoneinfo import ZoneInfo
from urllib.parse import urlsplit

from litestar import Request
from litestar.params import QueryParameter
from litestar.response import Redirect

from src import bounds
from src.exceptions import FieldError
from src.i18n import _


# ``?next=``: where to go back to (always through safe_next)
NextQuery = Annotated[str, QueryParameter(name="next", required=False, max_length=2000, pattern=bounds.ONE_LINE_PATTERN)]


class Form:
    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    @classmethod
    async def read(cls, request: Request) -> "Form":
        form = await request.form()
        return cls({key: str(value) for key, value in form.items() if isinstance(value, str)})

    def str(self, name: str, max_length: int = 300) -> str:
        """One line of text: refused (and reported) with a tab, line break or other control character."""
        return self._text(name, max_length, multi_line=False)

    def text(self, name: str, max_length: int = 5000) -> str:
        """Several lines (a textarea): tabs and line breaks are kept, other control characters refused."""
        return self._text(name, max_length, multi_line=True)

    def _text(self, name: str, max_length: int, multi_line: bool) -> str:
        value = self.data.get(name, "").strip()
        if multi_line:
            value = value.replace("\r\n", "\n")  # browsers send CRLF from a textarea
        if len(value) > max_length:
            self.errors.append(FieldError(name, _("This is too long (at most %(n)s characters)", n=max_length)))
        problem = bounds.control_problem(value, multi_line)
        if problem:
            self.errors.append(FieldError(name, problem))
            value = (bounds.clean_text if multi_line else bounds.clean_line)(value)
        return value[:max_length]

    def has(self, name: str) -> bool:
        """Whether the form carried the field at all (an absent field must not blank a stored value)."""
        return name in self.data

    def bool(self, name: str) -> bool:
        return self.data.get(name, "") in ("on", "1", "true", "yes")

    def _parsed(self, name: str, required: bool, parse, problem: str):
        value = self.data.get(name, "").strip()
        if not value:
            if required:
                self.errors.append(FieldError(name, _("This field is required")))
            return None
        try:
            return parse(value)
        except ValueError:
            self.errors.append(FieldError(name, problem))
            return None

    def within(self, name: str, value, window: bounds.Window):
        """The value when it lies in the window; else None and the error recorded."""
        problem = bounds.window_problem(value, window)
        if problem:
            self.errors.append(FieldError(name, problem))
            return None
        return value

    def date(self, name: str, required: bool = True, window: bounds.Window = bounds.FILTER) -> date | None:
        """A date within the window (bounds.SCHEDULE, bounds.BIRTH; 1970 to 2100 unless said)."""
        return self.within(name, self._parsed(name, required, date.fromisoformat, _("Enter a date as YYYY-MM-DD")), window)

    def time(self, name: str, required: bool = True) -> time | None:
        return self._parsed(name, required, time.fromisoformat, _("Enter a time as HH:MM"))

    def local_datetime(self, name: str, tz: ZoneInfo, required: bool = True, window: bounds.Window = bounds.FILTER) -> datetime | None:
        """A ``datetime-local`` input (``2026-12-03T16:00``), read in the given time zone, within the window."""
        parsed = self._parsed(name, required, datetime.fromisoformat, _("Enter a date and time, such as 2026-12-03 16:00"))
        parsed = parsed.replace(tzinfo=tz) if parsed is not None and parsed.tzinfo is None else parsed
        return self.within(name, parsed, window)

    def int(self, name: str, required: bool = True, minimum: int = -bounds.INT32_MAX - 1, maximum: int = bounds.INT32_MAX) -> int | None:
        """A whole number in [minimum, maximum] (the engines' integer range unless said)."""
        number = self._parsed(name, required, _whole_number, _("Enter a whole number"))
        if number is None:
            return None
        if number < minimum or number > maximum:
            self.errors.append(FieldError(name, _("Enter a number from %(a)s to %(b)s", a=minimum, b=maximum)))
            return None
        return number


def _whole_number(text: str) -> int:
    if len(text) > 20:  # int() of a huge string is slow and no bounded number is that long
        raise ValueError(text[:20])
    return int(text)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never redirect a user to another site after log-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# --- the error pattern --------------------------------------------------------------------------------------
KEPT_FORM = "kept_form"
_NOT_KEPT = ("password", "_csrf_token")
_KEPT_VALUE_LENGTH = 4000
_KEPT_SECONDS = 600


def back_with_errors(request: Request, errors: list[FieldError], values: dict[str, Any], to: str | None = None, extra: dict[str, Any] | None = None) -> Redirect:
    """A failed form post: keep what was typed (never passwords) and the errors for one look, and go back with
    a 303 to the form's own address (``to``, default: the address posted to), so the address bar shows the form
    and a refresh does not post again. The form page shows the error summary at its top, focused, each error
    linked to its field (``page()`` fills ``values``, ``errors`` and ``error_list``). ``extra``: more for the page
    to show with the errors (plain JSON values, such as the taken times of a clash already written out)."""
    target = to or (request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    kept_values = {
        key: str(value)[:_KEPT_VALUE_LENGTH]
        for key, value in values.items()
        if value is not None and not any(secret in key for secret in _NOT_KEPT)
    }
    request.session[KEPT_FORM] = {
        "path": target.split("?", 1)[0], "at": time_module.time(), "values": kept_values, "errors": [[e.field, e.message] for e in errors],
        "extra": extra or {},
    }
    return Redirect(path=target, status_code=303)


def take_kept_form(request: Request) -> tuple[dict[str, Any], list[FieldError]] | None:
    """The values and errors kept by :func:`back_with_errors` for this page, once (then they are gone)."""
    kept = take_kept(request)
    return None if kept is None else (kept[0], kept[1])


def take_kept(request: Request) -> tuple[dict[str, Any], list[FieldError], dict[str, Any]] | None:
    """The form kept by :func:`back_with_errors` for this page with its ``extra``, once (then it is gone)."""
    if "session" not in request.scope:
        return None
    kept = request.session.get(KEPT_FORM)
    if not isinstance(kept, dict) or kept.get("path") != request.url.path:
        return None
    request.session.pop(KEPT_FORM, None)
    if time_module.time() - float(kept.get("at") or 0) > _KEPT_SECONDS:
        return None  # an old failed post: the person has moved on
    errors = [FieldError(str(name), str(message)) for name, message in kept.get("errors", [])]
    return dict(kept.get("values") or {}), errors, dict(kept.get("extra") or {})
