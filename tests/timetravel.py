"""The test clock: the whole run at any instant, one test at a frozen instant, subprocesses in step.

- ``LIBSPACE_TEST_NOW=2026-12-08T23:45:00+09:00 make test`` runs the suite as if it were that instant (the
  clock keeps moving from there). ``tests/conftest.py`` calls :func:`start_from_environment` before ``src`` is
  imported; time-machine moves ``datetime.now``, ``date.today`` and ``time.time`` of this process, so
  ``src.clock`` and the libraries (session expiry) agree.
- Subprocesses (``libspace serve`` and its granian workers, CLI commands, ``libspace worker``) get
  :func:`subprocess_env`: the shift between this process's clock and the real one, and ``tests/timeshift`` on
  ``PYTHONPATH``, whose ``sitecustomize.py`` applies the shift at interpreter start. A shift (not an instant)
  keeps every process on the same moving clock. ``support.running_server`` passes it already; pass
  ``env={**os.environ, **subprocess_env()}`` to any other subprocess a test starts.
- The ``frozen_clock`` fixture (``tests/conftest.py``) stops the clock for one test: ``frozen_clock.now()``,
  ``.move_to(instant)``, ``.advance(hours=22)``.

What still runs on the real clock: OpenSSL checking certificates (generate test certificates valid from years
before to years after), Chromium (cookies with Max-Age are fine), PostgreSQL's ``now()`` (``src/`` never uses
SQL-side time) and Node (ical.js only parses what it is given).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import time_machine

UTC = timezone.utc
NOW_VARIABLE = "LIBSPACE_TEST_NOW"
SHIFT_VARIABLE = "LIBSPACE_TEST_CLOCK_SHIFT"  # seconds, read only by tests/timeshift/sitecustomize.py
SHIFT_DIR = str(Path(__file__).resolve().parent / "timeshift")

_session: time_machine.travel | None = None
session_instant: datetime | None = None  # the LIBSPACE_TEST_NOW instant the run started at, if any


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``Z`` allowed); a clear error otherwise."""
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"{NOW_VARIABLE}={text!r} is not an ISO 8601 instant, e.g. 2026-12-08T23:45:00+09:00") from None
    if instant.utcoffset() is None:
        raise SystemExit(f"{NOW_VARIABLE}={text!r} needs an offset, e.g. 2026-12-08T23:45:00+09:00")
    return instant


def start_from_environment() -> datetime | None:
    """Move this process to ``LIBSPACE_TEST_NOW`` (if set) and keep ticking; export the shift to subprocesses."""
    global _session, session_instant
    text = os.environ.get(NOW_VARIABLE, "").strip()
    if not text or _session is not None:
        return session_instant
    session_instant = parse_instant(text)
    _session = time_machine.travel(session_instant.timestamp(), tick=True)
    _session.start()
    datetime.now(UTC)  # anchors the ticking clock now, not at its first use
    os.environ.update(subprocess_env())
    return session_instant


def real_now() -> datetime:
    """The machine's real time, whatever the test clock says."""
    return datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)


def shift() -> timedelta:
    """How far this process's clock is from the real one (zero when nobody travels)."""
    if not time_machine.escape_hatch.is_travelling():
        return timedelta(0)
    return datetime.now(UTC) - real_now()


def subprocess_env() -> dict[str, str]:
    """Environment entries that put a subprocess on this process's clock (empty when there is no shift)."""
    delta = shift()
    if abs(delta) < timedelta(milliseconds=1):
        return {SHIFT_VARIABLE: ""}
    path = [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part and part != SHIFT_DIR]
    return {SHIFT_VARIABLE: repr(delta.total_seconds()), "PYTHONPATH": os.pathsep.join([SHIFT_DIR, *path])}


class FrozenClock:
    """The clock of one test, standing still until moved (see the ``frozen_clock`` fixture)."""

    def __init__(self, traveller: time_machine.Traveller) -> None:
        self._traveller = traveller

    def now(self) -> datetime:
        return datetime.now(UTC)

    def move_to(self, instant: datetime) -> datetime:
        if instant.utcoffset() is None:
            raise ValueError("move_to() needs an aware datetime")
        self._traveller.move_to(instant.timestamp(), tick=False)
        return self.now()

    def advance(self, **delta: float) -> datetime:
        self._traveller.shift(timedelta(**delta))
        return self.now()
