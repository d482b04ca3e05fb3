"""Time for the worker: reminders and retries are decided against ``clock.now()``, which is the one clock
(``src/clock.py``); a ``FixedClock`` stands still for unit tests of the worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from src import clock


class Clock:
    def now(self) -> datetime:
        return clock.now()


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
