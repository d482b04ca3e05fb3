"""Timed jobs without cron: the worker runs every registered job on its own schedule.

A job runs on the slots of its interval (every 5 minutes: :00, :05, …, counted from the epoch, so every worker
agrees on them). Several workers (server processes, ``libspace worker``, other hosts) may pass at once: a
worker runs a job only after one UPDATE of its ``job_run`` row whose WHERE says "due and not leased" moved the
lease forward. The database lets exactly one racing worker through (PostgreSQL re-checks the WHERE on the row
it waited for; SQLite has one writer), and the next slot is written when the run ends. A worker that dies
mid-run leaves its lease: the job runs again once the lease is over. Jobs themselves are idempotent (keys on
the messages they write, cut-offs for what they delete), so a rerun after a crash does no harm.

Domains register their jobs at start-up (``src/registrations.py``); this module imports no domain.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from src.notifications.tables import JobRun
from src.ops.observe import job_run

log = logging.getLogger("libspace.worker")
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
RETRY_AFTER_FAILURE = timedelta(minutes=1)


@dataclass(frozen=True)
class Job:
    """``run(now)`` returns counts to log; ``lease``: how long a run may take before another worker may retry it."""

    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[dict[str, int]]]
    lease: timedelta = timedelta(minutes=10)


JOBS: dict[str, Job] = {}
LOOPS: set[str] = set()  # not timed: a loop under a lease in its own job_run row (the Telegram poller)


def register(*jobs: Job) -> None:
    for job in jobs:
        JOBS[job.name] = job


def register_loop(name: str) -> str:
    """A leased loop that ``libspace jobs`` lists too (who holds it, until when); returns its name."""
    LOOPS.add(name)
    return name


def next_slot(now: datetime, every: timedelta) -> datetime:
    """The first slot of ``every`` strictly after ``now``."""
    passed = (now - EPOCH) // every
    return EPOCH + (passed + 1) * every


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _due(row: dict | None, now: datetime) -> bool:
    if row is None:
        return True
    next_run, lease = _aware(row["next_run_at"]), _aware(row["lease_until"])
    return (next_run is None or next_run <= now) and (lease is None or lease < now)


async def _claim(job: Job, now: datetime, holder: str) -> bool:
    claimed = await JobRun.update(
        {JobRun.lease_until: now + job.lease, JobRun.holder: holder[:120], JobRun.last_started_at: now}
    ).where(
        (JobRun.name == job.name)
        & (JobRun.next_run_at.is_null() | (JobRun.next_run_at <= now))
        & (JobRun.lease_until.is_null() | (JobRun.lease_until < now))
    ).returning(JobRun.id)
    return bool(claimed)


async def _finish(job: Job, started: datetime, finished: datetime, holder: str, failed: bool, note: str) -> None:
    await JobRun.update(
        {
            JobRun.next_run_at: started + RETRY_AFTER_FAILURE if failed else next_slot(started, job.every),
            JobRun.lease_until: None,
            JobRun.last_finished_at: finished,
            JobRun.last_outcome: "failed" if failed else "ok",
            JobRun.last_note: note[:2000],
            JobRun.runs: JobRun.runs + 1,
        }
    ).where((JobRun.name == job.name) & (JobRun.holder == holder[:120]))


async def run_due(now: datetime, holder: str, clock: Callable[[], datetime] | None = None) -> dict[str, bool]:
    """Run every job due at ``now`` that this worker wins; {job name: succeeded} of the runs it made."""
    if not JOBS:
        return {}
    rows = {row["name"]: row for row in await JobRun.select().where(JobRun.name.is_in(list(JOBS)))}  # a read: idle passes take no lock
    missing = [name for name in JOBS if name not in rows]
    if missing:
        await JobRun.insert(*[JobRun(name=name) for name in missing]).on_conflict(target=JobRun.name, action="DO NOTHING")
    done: dict[str, bool] = {}
    for name, job in JOBS.items():
        if not _due(rows.get(name), now) or not await _claim(job, now, holder):
            continue
        note = ""
        with job_run(name, swallow=True) as outcome:
            counts = await job.run(now)
            outcome.note(**counts)
            note = ", ".join(f"{key} {value}" for key, value in counts.items())
        await _finish(job, now, clock() if clock else now, holder, outcome.failed, "failed" if outcome.failed else note)
        done[name] = not outcome.failed
    return done


@dataclass(frozen=True)
class JobState:
    name: str
    every: timedelta
    last_started_at: datetime | None
    last_outcome: str
    last_note: str
    next_run_at: datetime | None
    runs: int


async def states() -> list[JobState]:
    """Every registered job with its last and next run, then the leased loops (``libspace jobs``)."""
    rows = {row["name"]: row for row in await JobRun.select()}
    result = []
    for name, job in sorted(JOBS.items()):
        row = rows.get(name) or {}
        result.append(JobState(
            name, job.every, _aware(row.get("last_started_at")), row.get("last_outcome", ""), row.get("last_note", ""),
            _aware(row.get("next_run_at")), row.get("runs", 0),
        ))
    for name in sorted(LOOPS):
        row = rows.get(name) or {}
        lease = _aware(row.get("lease_until"))
        held = f"held by {row['holder']} until {lease:%Y-%m-%d %H:%M:%S}" if lease and row.get("holder") else ""
        result.append(JobState(name, timedelta(0), _aware(row.get("last_started_at")), "", held, None, 0))
    return result
