"""Sessions and tokens kept on the server, and the throttles in front of log-in and registration.

**Sessions.** A page session and an API bearer token are both a row of ``api_token`` (``kind`` ``session`` or
``api``) holding only the SHA-256 of a random secret; the cookie (signed) or the ``Authorization`` header
carries the secret. The row is looked up with its account in one query on every request, so deleting it ends
the session at once on every worker. Log-out deletes its own row; :func:`end_sessions` deletes every row of an
account (a password reset, a deactivation, an erasure), optionally keeping the one in use::

    from src.accounts import sessions
    async with write_transaction(engine_finder()):
        ...                                                   # the change itself
        await sessions.end_sessions(account_id)               # every session and token of the account
        await sessions.end_sessions(account_id, keep=token)   # ... but the caller's own

**Log-in throttling** is keyed on the account the login names, normalised (an e-mail case-folded, a card
number without spaces and dashes), together with the client address (:func:`src.web.client.client_address`):
the first ``LIBSPACE_LOGIN_ATTEMPTS`` failures of an (address, account) pair in
``LIBSPACE_LOGIN_WINDOW_SECONDS`` are free, after that each failure doubles the wait before the next try
(1 s, 2 s, 4 s, ... up to the window), answered 429 with ``Retry-After``. Nobody can lock an account for its
owner from another address; one address has a ceiling of ten times as many failures across all accounts.
Registration is throttled per address (``LIBSPACE_REGISTRATIONS_PER_HOUR``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from src.accounts import rules
from src.accounts.tables import ApiToken, LoginAttempt
from src.config import get_settings
from src.exceptions import RateLimited
from src.i18n import _
from src.timeutil import aware, now_utc

API = "api"
SESSION = "session"
SESSION_DAYS = 14
IP_CEILING_FACTOR = 10
MAX_DELAY_EXPONENT = 20


# --- tokens ---------------------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(account_id: int, kind: str = API) -> tuple[str, datetime]:
    """A new secret for the account (returned once; only its hash is kept) and when it expires."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    lifetime = timedelta(days=SESSION_DAYS) if kind == SESSION else timedelta(days=get_settings().token_ttl_days)
    await ApiToken.insert(ApiToken(account=account_id, kind=kind, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime))
    return token, now + lifetime


async def revoke(token: str) -> None:
    """End one session or token (log-out)."""
    if token:
        await ApiToken.delete().where(ApiToken.token_hash == token_hash(token))


async def end_sessions(account_id: int, keep: str | None = None) -> None:
    """End every session and API token of an account, except the one whose secret is ``keep``.
    Call it inside the transaction of the change that demands it."""
    condition = ApiToken.account == account_id
    if keep:
        condition &= ApiToken.token_hash != token_hash(keep)
    await ApiToken.delete().where(condition)


# --- throttles ------------------------------------------------------------------------------------------------


def login_key(login: str) -> str:
    """The account a login names, however it is typed: e-mails case-folded, card numbers without separators."""
    text = login.strip()
    if "@" in text:
        return "mail:" + text.casefold()
    return "card:" + rules.normalize_card(text)


def _pair_key(client: str | None, login: str) -> str:
    # hashed: the table must not become a list of e-mail addresses, and keys stay short
    return "pair:" + hashlib.sha256(f"{client or '-'}|{login_key(login)}".encode()).hexdigest()[:40]


def _address_key(client: str | None) -> str:
    return f"ip:{client or '-'}"


async def _recent(key: str, since: datetime, limit: int) -> list[datetime]:
    rows = await LoginAttempt.select(LoginAttempt.at).where((LoginAttempt.key == key) & (LoginAttempt.at > since)).order_by(LoginAttempt.at, ascending=False).limit(limit)
    return [aware(row["at"]) for row in rows]


async def check_login(login: str, client: str | None) -> None:
    """Raise 429 when this address must wait before trying this account (or any account) again."""
    settings = get_settings()
    now = now_utc()
    window = timedelta(seconds=settings.login_window_seconds)
    free = settings.login_attempts
    failures = await _recent(_pair_key(client, login), now - window, free + MAX_DELAY_EXPONENT)
    if len(failures) >= free:
        delay = min(timedelta(seconds=2 ** (len(failures) - free)), window)
        wait = failures[0] + delay - now
        if wait > timedelta(0):
            raise RateLimited(retry_after=math.ceil(wait.total_seconds()), detail=_("Too many attempts, please try again later"))
    ceiling = free * IP_CEILING_FACTOR
    from_address = await _recent(_address_key(client), now - window, ceiling)
    if len(from_address) >= ceiling:
        wait = from_address[-1] + window - now
        raise RateLimited(retry_after=max(math.ceil(wait.total_seconds()), 1), detail=_("Too many attempts, please try again later"))


async def record_login_failure(login: str, client: str | None) -> None:
    now = now_utc()
    window = timedelta(seconds=get_settings().login_window_seconds)
    await LoginAttempt.delete().where(LoginAttempt.at < now - window - timedelta(hours=1))  # keep the table small
    await LoginAttempt.insert(LoginAttempt(key=_pair_key(client, login), at=now), LoginAttempt(key=_address_key(client), at=now))


async def clear_login_failures(login: str, client: str | None) -> None:
    await LoginAttempt.delete().where(LoginAttempt.key == _pair_key(client, login))


async def check_registration(client: str | None) -> None:
    """Raise 429 when this address registered too many cards in the last hour; otherwise count this one."""
    now = now_utc()
    key = f"register:{client or '-'}"
    limit = get_settings().registrations_per_hour
    recent = await _recent(key, now - timedelta(hours=1), limit)
    if len(recent) >= limit:
        wait = recent[-1] + timedelta(hours=1) - now
        raise RateLimited(
            retry_after=max(math.ceil(wait.total_seconds()), 1), detail=_("Too many registrations from this address, please try again later")
        )
    await LoginAttempt.insert(LoginAttempt(key=key, at=now))
