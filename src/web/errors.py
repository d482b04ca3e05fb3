"""The one mapping from errors to answers: JSON ``{"detail", "errors"}`` for the API, localized pages otherwise."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from src.exceptions import AppError, FieldError
from src.i18n import _
from src.web.auth import is_api_path
from src.web.templating import page

log = logging.getLogger("libspace")
_MISSING = re.compile(r"missing required field `([^`]+)`(?: - at `\$\.([^`]+)`)?")


def _field_of(key: str) -> str:
    return key.removeprefix("$.").strip("`") or "body"


def from_litestar(exc: HTTPException) -> AppError:
    if isinstance(exc, ValidationException):
        errors = []
        extra = exc.extra if isinstance(exc.extra, list) else []
        for item in extra:
            if isinstance(item, dict):
                missing = _MISSING.search(str(item.get("message", "")))
                if missing:  # msgspec names a missing field in its message, not in the key
                    field = ".".join(part for part in (missing.group(2), missing.group(1)) if part)
                    errors.append(FieldError(field, _("This field is required")))
                    continue
                field = _field_of(str(item.get("key") or item.get("source") or "body"))
                errors.append(FieldError(field, _("This value is not valid: %(reason)s", reason=item.get("message", ""))))
        detail = exc.detail if not errors else _("Some values are missing or not valid")
        if "JSON is malformed" in str(exc.detail) or "malformed" in str(exc.detail).lower():
            detail = _("The request body is not valid JSON")
        return AppError(detail=detail, errors=errors, status_code=422)
    status = exc.status_code
    messages = {
        401: _("Please log in"),
        403: _("You are not allowed to do this"),
        404: _("Page not found"),
        405: _("This method is not allowed here"),
        429: _("Too many requests, please try again later"),
    }
    detail = messages.get(status, exc.detail)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        detail = _("The form has expired. Please reload the page and try again.")
    headers = dict(exc.headers or {})
    return AppError(detail=detail, status_code=status, headers=headers)


def _render(request: Request, error: AppError) -> Response:
    accept = request.headers.get("accept", "")
    if is_api_path(request.url.path) or ("application/json" in accept and "text/html" not in accept):
        body = {"detail": error.detail, "errors": [{"field": e.field, "message": e.message} for e in error.errors], **error.extra}
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
    }
    template = page(
        request,
        "error.html",
        status_code=error.status_code,
        title=titles.get(error.status_code, _("Something went wrong")),
        detail=error.detail,
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
