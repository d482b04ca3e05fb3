"""Who is asking: a bearer token (the JSON API) or the session cookie (pages); and in which language."""

from __future__ import annotations

from litestar.datastructures import Cookie, Headers
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from src import audit
from src.accounts import service as accounts_service
from src.accounts.permissions import Principal
from src.i18n import pick_language, reset_language, set_language
from src.web.vision import VISION_COOKIE, Vision

LANGUAGE_COOKIE = "lang"
SESSION_USER = "uid"
SESSION_VERSION = "v"


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
            user_id = session.get(SESSION_USER) if isinstance(session, dict) else None
            if isinstance(user_id, int):
                principal = await accounts_service.load_principal(user_id)
                if principal is not None and principal.auth_version != session.get(SESSION_VERSION):
                    principal = None  # the password changed since this session began
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
    """The client's address for throttles (issue 11 puts the trusted-proxy rule here)."""
    return connection.client.host if connection.client else None
