"""Who is asking: a bearer token (the JSON API) or the session cookie (pages); and in which language."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie, Headers
from litestar.middleware import ASGIMiddleware
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


class AuthMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        principal: Principal | None = None
        authorization = headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            principal = await accounts_service.principal_for_token(authorization[7:].strip())
        elif not is_api_path(scope["path"]):
            session = scope.get("session") or {}
            secret = session.get(SESSION_TOKEN) if isinstance(session, dict) else None
            if isinstance(secret, str) and secret:
                principal = await accounts_service.principal_for_token(secret, sessions.SESSION)
        scope["user"] = principal
        cookies = _cookies(headers)
        language = pick_language(cookies.get(LANGUAGE_COOKIE) or (principal.language if principal else None), headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language
        scope["vision"] = Vision.from_cookie(cookies.get(VISION_COOKIE))  # the version for the visually impaired
        token = set_language(language)
        acting = audit.acting_as(principal)  # the audit log's "who" for this request
        try:
            await next_app(scope, receive, send)
        finally:
            audit.stop_acting(acting)
            reset_language(token)


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


def _cookies(headers: Headers) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
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
