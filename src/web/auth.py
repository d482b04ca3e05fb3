"""Who is asking: a bearer token (the JSON API) or the session cookie (pages); and in which language."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send

from src import audit
from src.accounts import service as accounts_service
from src.accounts import sessions
from src.accounts.permissions import Principal
from src.i18n import pick_language, reset_language, set_language
from src.web.vision import VISION_COOKIE, Vision

LANGUAGE_COOKIE = "lang"
SESSION_TOKEN = "sid"  # the secret of the page session's row (src/accounts/sessions.py); the cookie is signed too


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


class AuthMiddleware:
    """Plain ASGI (issue 17): Litestar's ``ASGIMiddleware`` asks its bypass rules on every request and
    ``Headers.from_scope`` builds a case-insensitive multidict; the three headers read here are found in
    one pass over the raw list (ASGI names are lower case; the first of a repeated header counts, as before)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in _CONNECTIONS:
            await self.app(scope, receive, send)
            return
        authorization = cookie = accept_language = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"cookie":
                if cookie is None:
                    cookie = value.decode("latin-1")
            elif name == b"accept-language" and accept_language is None:
                accept_language = value.decode("latin-1")
        principal: Principal | None = None
        if authorization is not None and authorization[:7].lower() == "bearer ":
            principal = await accounts_service.principal_for_token(authorization[7:].strip())
        elif not is_api_path(scope["path"]):
            session = scope.get("session") or {}
            secret = session.get(SESSION_TOKEN) if isinstance(session, dict) else None
            if isinstance(secret, str) and secret:
                principal = await accounts_service.principal_for_token(secret, sessions.SESSION)
        scope["user"] = principal
        cookies = _cookies(cookie) if cookie else _NO_COOKIES
        language = pick_language(cookies.get(LANGUAGE_COOKIE) or (principal.language if principal else None), accept_language)
        scope.setdefault("state", {})["language"] = language
        scope["vision"] = Vision.from_cookie(cookies.get(VISION_COOKIE))  # the version for the visually impaired
        token = set_language(language)
        acting = audit.acting_as(principal)  # the audit log's "who" for this request
        try:
            await self.app(scope, receive, send)
        finally:
            audit.stop_acting(acting)
            reset_language(token)


_CONNECTIONS = frozenset({"http", "websocket"})
_NO_COOKIES: dict[str, str] = {}


# What a visitor did before logging in that stays theirs after (the survey's answers; nothing that grants rights)
CARRIED_THROUGH_LOG_IN = ("survey_answers",)


async def start_session(request: Request, principal: Principal) -> None:
    """Log a person in: a new server-side session (a fresh secret, so a planted cookie is worth nothing)."""
    token, _expires_at = await accounts_service.start_session(principal)
    carried = {key: request.session[key] for key in CARRIED_THROUGH_LOG_IN if key in request.session} if "session" in request.scope else {}
    request.clear_session()
    request.set_session({SESSION_TOKEN: token, **carried})


async def end_session(request: Request) -> None:
    """Log out: the session's row is deleted, so a copy of the cookie stops working on every worker."""
    secret = session_token(request)
    if secret:
        await sessions.revoke(secret)
    request.clear_session()


def bearer_token(request: Request) -> str:
    authorization = request.headers.get("authorization", "")
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""


def session_token(request: Request) -> str | None:
    session = request.scope.get("session") or {}
    secret = session.get(SESSION_TOKEN) if isinstance(session, dict) else None
    return secret if isinstance(secret, str) and secret else None


def _cookies(header: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name:
            result[name] = value
    return result


def language_cookie(language: str, secure: bool) -> Cookie:
    return Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 24 * 3600, httponly=True, samesite="lax", secure=secure, path="/")


def client_address(connection) -> str | None:
    """The client's address for throttles: see src/web/client.py (X-Forwarded-For only from trusted proxies)."""
    from src.web.client import client_address as address

    return address(connection)
