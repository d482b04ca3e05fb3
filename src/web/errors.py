"""The one mapping from errors to answers: JSON ``{"detail", "errors"}`` for the API, localized pages otherwise."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from src.bounds import FIELD_SEPARATOR
from src.db import busy_error
from src.exceptions import AppError, FieldError
from src.i18n import N_, _
from src.web.auth import is_api_path
from src.web.templating import page

log = logging.getLogger("libspace")
_MISSING = re.compile(r"missing required field `([^`]+)`(?: - at `\$\.([^`]+)`)?")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")


def _field_of(key: str) -> str:
    return key.removeprefix("$.").strip("`") or "body"


_KINDS = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("nothing (null)"),
    "datetime": N_("a date and time"),
    "date": N_("a date"),
    "time": N_("a time"),
}
_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Expected `str` of length <= (\d+)"), lambda m: _("At most %(n)s characters", n=m[1])),
    (re.compile(r"Expected `str` of length >= (\d+)"), lambda m: _("At least %(n)s characters", n=m[1])),
    (re.compile(r"Expected `(?:array|object)` of length <= (\d+)"), lambda m: _("At most %(n)s items", n=m[1])),
    (re.compile(r"Expected `(?:array|object)` of length >= (\d+)"), lambda m: _("At least %(n)s items", n=m[1])),
    (re.compile(r"Expected `(?:int|float)` <= (\S+)"), lambda m: _("At most %(n)s", n=m[1])),
    (re.compile(r"Expected `(?:int|float)` >= (\S+)"), lambda m: _("At least %(n)s", n=m[1])),
    (re.compile(r"Expected `(?:int|float)` < (\S+)"), lambda m: _("Less than %(n)s", n=m[1])),
    (re.compile(r"Expected `(?:int|float)` > (\S+)"), lambda m: _("More than %(n)s", n=m[1])),
    (re.compile(r"Expected `str` matching regex '(.*)'"), lambda m: _control_or_format(m[1])),
    (re.compile(r"Expected `datetime` with a timezone component"), lambda m: _("Give the time with an offset, such as 2026-12-03T16:00:00+09:00")),
    (re.compile(r"Invalid RFC3339 encoded datetime|Expected `datetime`"), lambda m: _("Enter a date and time in ISO 8601, such as 2026-12-03T16:00:00+09:00")),
    (re.compile(r"Invalid RFC3339 encoded date|Expected `date`"), lambda m: _("Enter a date as YYYY-MM-DD")),
    (re.compile(r"Invalid RFC3339 encoded time|Expected `time`"), lambda m: _("Enter a time as HH:MM")),
    (re.compile(r"Invalid enum value"), lambda m: _("This is not one of the allowed values")),
    (re.compile(r"Expected `([a-z]+)`(?: \| `[a-z]+`)*, got `([a-z]+)`"), lambda m: _("Expected %(kind)s", kind=_(_KINDS.get(m[1], m[1])))),
    (re.compile(r"Object contains unknown field"), lambda m: _("There is no such field")),
]


def _control_or_format(pattern: str) -> str:
    from src import bounds

    unescaped = pattern.replace("\\\\", "\\")
    if unescaped == bounds.ONE_LINE_PATTERN:
        return bounds.control_message(False)
    if unescaped == bounds.MULTI_LINE_PATTERN:
        return bounds.control_message(True)
    return _("This value does not have the expected form")


def reason(message: str) -> str:
    """msgspec's English reason for a bad value, said in the caller's language."""
    for pattern, say in _REASONS:
        match = pattern.search(message)
        if match:
            return say(match)
    return _("This value is not valid")


def _field_error(item: dict) -> FieldError:
    message = str(item.get("message", ""))
    key = str(item.get("key") or "")
    if item.get("source") == "body":  # Litestar names the body "data"; clients know only its fields
        key = "" if key == "data" else key.removeprefix("data.")
    missing = _MISSING.search(message)
    if missing:  # msgspec names a missing field in its message, not in the key
        where = missing.group(2) or (key if key not in ("", "$", "body") else "")
        field = ".".join(part for part in (where, missing.group(1)) if part)
        return FieldError(field, _("This field is required"))
    unknown = _UNKNOWN.search(message)
    if unknown:
        return FieldError(".".join(part for part in (key, unknown.group(1)) if part), _("There is no such field"))
    if FIELD_SEPARATOR in message:  # a date window checked in bounds.Input.__post_init__
        field, _sep, text = message.partition(FIELD_SEPARATOR)
        text = text.rsplit(" - at `", 1)[0]
        return FieldError(".".join(part for part in (key, field) if part), text)
    return FieldError(_field_of(key or str(item.get("source") or "body")), reason(message))


def from_litestar(exc: HTTPException) -> AppError:
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        items = [item for item in extra if isinstance(item, dict)]
        if items and all(item.get("source") == "path" for item in items):
            return AppError(detail=_("Page not found"), status_code=404)  # /visits/18446744073709551615 names nothing
        errors = [_field_error(item) for item in items]
        if errors:
            detail = _("Some values are missing or not valid")
        elif "malformed" in str(exc.detail).lower():
            detail = _("The request body is not valid JSON")
        else:
            detail = _("Please correct the errors below")
        return AppError(detail=detail, errors=errors, status_code=422)
    status = exc.status_code
    messages = {
        401: _("Please log in"),
        403: _("You are not allowed to do this"),
        404: _("Page not found"),
        405: _("This method is not allowed here"),
        413: _("The request is too large"),
        429: _("Too many requests, please try again later"),
    }
    detail = messages.get(status, exc.detail)
    if status == 400 and "malformed" in str(exc.detail).lower():
        detail = _("The request body is not valid JSON")
    elif status == 400:
        detail = _("The request could not be read")
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        detail = _("The form has expired. Please reload the page and try again.")
    headers = dict(exc.headers or {})
    return AppError(detail=detail, status_code=status, headers=headers)


def _render(request: Request, error: AppError) -> Response:
    detail = _(error.detail)  # a default detail (src/exceptions.py) is an English message id; a translated one stays as it is
    accept = request.headers.get("accept", "")
    if is_api_path(request.url.path) or ("application/json" in accept and "text/html" not in accept):
        body = {"detail": detail, "errors": [{"field": e.field, "message": e.message} for e in error.errors], **error.extra}
        return Response(content=body, status_code=error.status_code, headers=error.headers, media_type=MediaType.JSON)
    if error.status_code == 401 and request.method == "GET":
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/login?next={quote(back, safe='')}")
    titles = {
        401: _("Please log in"),
        403: _("Access denied"),
        404: _("Page not found"),
        409: _("Conflict"),
        422: _("Please check what you entered"),
        429: _("Too many attempts"),
        503: _("Please try again in a moment"),
    }
    template = page(
        request,
        "error.html",
        status_code=error.status_code,
        title=titles.get(error.status_code, _("Something went wrong")),
        detail=detail,
        errors=error.errors,
        code=error.status_code,
    )
    return template


def app_error_handler(request: Request, exc: AppError) -> Response:
    return _render(request, exc)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException):
        return _render(request, AppError(detail=_("Please log in"), status_code=401))
    return _render(request, from_litestar(exc))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    busy = busy_error(exc)
    if busy is not None:  # a lock, a statement or the pool timed out: the client may retry, the worker goes on
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        return _render(request, busy)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _render(
        request,
        AppError(detail=_("Something went wrong on our side. The error has been logged; please try again."), status_code=HTTP_500_INTERNAL_SERVER_ERROR),
    )


EXCEPTION_HANDLERS = {
    AppError: app_error_handler,
    HTTPException: http_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
    Exception: internal_error_handler,
}
