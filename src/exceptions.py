"""Domain errors, and the one place that turns them (and Litestar's) into HTTP answers.

Services raise these with messages a person can read (wrapped in ``_`` so they are translated when shown);
controllers never build error responses themselves. The defaults below are marked with ``N_`` and translated
where the answer is written (src/web/errors.py), so an error raised without a message of its own speaks the
caller's language too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from src.i18n import N_


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class AppError(Exception):
    detail: str = N_("Request failed")
    errors: list[FieldError] = field(default_factory=list)
    status_code: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.detail)


class NotFound(AppError):
    def __init__(self, detail: str = N_("Not found"), **kw: Any) -> None:
        super().__init__(detail=detail, status_code=404, **kw)


class Forbidden(AppError):
    def __init__(self, detail: str = N_("You are not allowed to do this"), **kw: Any) -> None:
        super().__init__(detail=detail, status_code=403, **kw)


class NotAuthenticated(AppError):
    def __init__(self, detail: str = N_("Please log in"), **kw: Any) -> None:
        super().__init__(detail=detail, status_code=401, **kw)


class Conflict(AppError):
    def __init__(self, detail: str = N_("Conflict"), **kw: Any) -> None:
        super().__init__(detail=detail, status_code=409, **kw)


class Gone(AppError):
    """Something that existed and is used up or expired (a one-time link): 410."""

    def __init__(self, detail: str = N_("This is no longer available"), **kw: Any) -> None:
        super().__init__(detail=detail, status_code=410, **kw)


class Invalid(AppError):
    """Input that parses but breaks a rule: 422 with the fields at fault."""

    def __init__(self, detail: str = N_("Please correct the errors below"), errors: list[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(detail=detail, errors=errors or [], status_code=422, **kw)

    @classmethod
    def one(cls, field_name: str, message: str) -> "Invalid":
        return cls(detail=message, errors=[FieldError(field_name, message)])


class RateLimited(AppError):
    def __init__(self, retry_after: int, detail: str = N_("Too many attempts, please try again later")) -> None:
        super().__init__(detail=detail, status_code=429, headers={"Retry-After": str(retry_after)})


class DatabaseBusy(AppError):
    """The database did not answer in time (a lock held elsewhere, a long statement, every connection busy)."""

    def __init__(self, retry_after: int = 5) -> None:
        from src.i18n import _

        super().__init__(
            detail=_("The library system is busy right now. Please try again in a few seconds."),
            status_code=503,
            headers={"Retry-After": str(retry_after)},
        )
