"""Time for the worker, replaceable in tests: reminders and retries are decided against ``clock.now()``."""

from __future__ import annotations

from datetime import datetime, timedelta

from src.timeutil import now_utc


class Clock:
    def now(self) -> datetime:
        return now_utc()


class FixedClock(Clock):
    """A clock that stands still until moved: ``clock.advance(hours=22)``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now
