"""Health checks: is this process able to serve, and is the installation ready (``/healthz``, ``/readyz``).

``/healthz`` answers for *this process*: within the deadline it gets a thread from the default pool (slow
work there would starve every request), a connection from the database pool and an answer to ``SELECT 1``.
A 503 means the process cannot serve right now (stuck, or cut off from its database).
``/readyz`` answers for *the installation*: the database answers in time, every migration of this code has
run (and none the code does not know), and a notification worker completed a pass lately.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from piccolo.apps.migrations.tables import Migration
from piccolo.engine import engine_finder

from src.db import database_file_problem
from src.ops.heartbeat import latest_beat
from src.timeutil import aware

_MIGRATION_ID = re.compile(r'^ID = "([^"]+)"', re.MULTILINE)


@dataclass
class Check:
    ok: bool
    detail: str = ""
    ms: float | None = None


@dataclass
class Report:
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def reason(self) -> str:
        return "; ".join(f"{name}: {check.detail}" for name, check in self.checks.items() if not check.ok)

    def as_dict(self) -> dict:
        body = {
            name: {"ok": check.ok, **({"detail": check.detail} if check.detail else {}), **({"ms": check.ms} if check.ms is not None else {})}
            for name, check in self.checks.items()
        }
        return {"status": "ok" if self.ok else "unavailable", "detail": self.reason(), "checks": body}


class DatabaseFileProblem(Exception):
    pass


def _failure(error: BaseException, timeout: float) -> str:
    if isinstance(error, DatabaseFileProblem):
        return str(error)
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return f"no answer within {timeout:g} s"
    return f"unreachable ({type(error).__name__})"  # the class only: messages may name hosts and users


async def _timed(work, timeout: float) -> tuple[Check, object]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        result = await asyncio.wait_for(work, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - reported as the check's reason
        return Check(False, _failure(error, timeout)), None
    return Check(True, ms=round((loop.time() - started) * 1000, 1)), result


async def _ping() -> None:
    await engine_finder().run_ddl("SELECT 1")


async def liveness(timeout: float) -> Report:
    report = Report()
    report.checks["threads"], _ = await _timed(asyncio.to_thread(lambda: None), timeout)
    report.checks["database"], _ = await _timed(_ping(), timeout)
    return report


@lru_cache(maxsize=1)
def known_migrations() -> dict[str, frozenset[str]]:
    """The migration ids of this code, per Piccolo app (read from the files, not imported)."""
    from piccolo.conf.apps import Finder

    known: dict[str, frozenset[str]] = {}
    for config in Finder().get_app_configs():
        folder = Path(config.migrations_folder_path)
        ids = {match for path in folder.glob("*.py") for match in _MIGRATION_ID.findall(path.read_text(encoding="utf-8"))}
        known[config.app_name] = frozenset(ids)
    return known


async def migration_state() -> tuple[list[str], list[str]]:
    """``(not applied, unknown to this code)``."""
    rows = await Migration.select(Migration.name, Migration.app_name)
    ran: dict[str, set[str]] = {}
    for row in rows:
        ran.setdefault(row["app_name"], set()).add(row["name"])
    missing, unknown = [], []
    for app, ids in known_migrations().items():
        missing += sorted(ids - ran.get(app, set()))
        unknown += sorted(ran.get(app, set()) - ids)
    return missing, unknown


def _migrations_check(state: tuple[list[str], list[str]]) -> Check:
    missing, unknown = state
    if missing:
        return Check(False, f"{len(missing)} migration(s) not applied (first {missing[0]}): run `libspace migrate`")
    if unknown:
        return Check(False, f"the database has {len(unknown)} migration(s) this code does not know (first {unknown[0]}): a newer version wrote it")
    return Check(True)


def _worker_check(beat: datetime | None, now: datetime, stale_seconds: float) -> Check:
    if beat is None:
        return Check(False, "no notification worker has completed a pass yet (is `libspace worker` running, or LIBSPACE_WORKER=on?)")
    age = (now - aware(beat)).total_seconds()
    if age > stale_seconds:
        return Check(False, f"the notification worker last completed a pass {age:.0f} s ago (limit {stale_seconds:g} s)")
    return Check(True, f"last pass {max(age, 0):.0f} s ago")


async def readiness(now: datetime, timeout: float, worker_stale_seconds: float) -> Report:
    report = Report()

    async def read() -> tuple[tuple[list[str], list[str]], datetime | None]:
        problem = database_file_problem(engine_finder())
        if problem:
            raise DatabaseFileProblem(problem)
        return await migration_state(), await latest_beat()

    report.checks["database"], result = await _timed(read(), timeout)
    if result is None:
        report.checks["migrations"] = Check(False, "not checked: the database did not answer")
        report.checks["worker"] = Check(False, "not checked: the database did not answer")
        return report
    state, beat = result
    report.checks["migrations"] = _migrations_check(state)
    report.checks["worker"] = _worker_check(beat, now, worker_stale_seconds)
    return report
