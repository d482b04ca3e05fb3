"""The one clock: every "now" and "today" in ``src/`` comes from here.

    from src import clock
    clock.now()                  # an aware UTC datetime
    clock.today("Asia/Yakutsk")  # the calendar date in a zone

``clock.at(instant)`` runs a block "as of" another instant, for production code that legitimately acts in
the past or the future on the user's behalf (the demo loader building a plausible past year through the real
service functions). Inside the block ``now()`` stands still at ``instant``; the override is a context
variable, so it covers the tasks started inside the block and nothing else (other requests, other threads).

Tests do not use ``at()``; they move the process clock itself (time-machine, see ``tests/conftest.py``), so
that libraries reading the time (session expiry, cookies) agree with this module. Nothing here reads a test
setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc

_as_of: ContextVar[datetime | None] = ContextVar("libspace_clock_as_of", default=None)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    instant = _as_of.get()
    return instant if instant is not None else datetime.now(UTC)


def today(tz: str | ZoneInfo) -> date:
    """Today's date in the zone ``tz`` (a branch's or the city's)."""
    return now().astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()


@contextmanager
def at(instant: datetime) -> Iterator[datetime]:
    """Run the block as of ``instant`` (aware): ``now()`` answers it until the block ends. Nests."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("clock.at() needs an aware datetime (with a time zone)")
    token = _as_of.set(instant.astimezone(UTC))
    try:
        yield instant
    finally:
        _as_of.reset(token)
