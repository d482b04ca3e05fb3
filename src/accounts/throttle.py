"""Counting attempts for throttles, shared by every worker and host (rows in the database).

A throttle is a list of ``(key, limit)`` pairs over one time window: ``card:…`` or ``login:…`` for what was
tried, ``ip:…`` for the client address (that limit is usually four times larger, for a shared school or
library network). :func:`check` raises 429 with ``Retry-After`` once any key is at its limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src.accounts.tables import LoginAttempt
from src.db import write_transaction
from src.exceptions import RateLimited
from src.timeutil import aware, now_utc


async def check(limits: list[tuple[str, int]], window_seconds: int, now: datetime | None = None) -> None:
    now = now or now_utc()
    since = now - timedelta(seconds=window_seconds)
    for key, limit in limits:
        rows = await LoginAttempt.select(LoginAttempt.at).where((LoginAttempt.key == key) & (LoginAttempt.at > since)).order_by(LoginAttempt.at).limit(limit)
        if len(rows) >= limit:
            retry = int((aware(rows[0]["at"]) + timedelta(seconds=window_seconds) - now).total_seconds()) + 1
            raise RateLimited(retry_after=max(retry, 1))


async def record(keys: list[str], now: datetime | None = None) -> None:
    """Count one attempt under each key (its own short transaction, so a failed request still counts)."""
    if not keys:
        return
    now = now or now_utc()
    async with write_transaction(engine_finder()):
        await LoginAttempt.insert(*[LoginAttempt(key=key[:300], at=now) for key in keys])


async def count(key: str, window_seconds: int, now: datetime | None = None) -> int:
    since = (now or now_utc()) - timedelta(seconds=window_seconds)
    return await LoginAttempt.count().where((LoginAttempt.key == key) & (LoginAttempt.at > since))


async def forget(keys: list[str]) -> None:
    """Drop the attempts under these keys (an account erased: its keys name its card and e-mail)."""
    if keys:
        await LoginAttempt.delete().where(LoginAttempt.key.is_in(keys))
