"""The worker's timed jobs without cron: a whole day on a controlled clock, each job once per slot, also with two
workers racing for every run; a worker that died mid-run leaves its lease, and the job runs again after it."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from src import registrations  # noqa: F401 - the jobs, as at start-up
from src.notifications import scheduler, telegram
from src.notifications.tables import JobRun
from src.timeutil import now_utc

EXPECTED_PER_DAY = {"reminders": 24 * 60, "release-unconfirmed": 24 * 12, "confirmation-requests": 24 * 12, "approval-digest": 24 * 2, "retention": 24, "no-shows": 24 * 4}


@pytest.fixture
def counted(monkeypatch):
    calls: Counter = Counter()

    def counting(job: scheduler.Job) -> scheduler.Job:
        async def run(now):
            calls[job.name] += 1
            return await job.run(now)

        return replace(job, run=run)

    monkeypatch.setattr(scheduler, "JOBS", {name: counting(job) for name, job in scheduler.JOBS.items()})
    return calls


def day_start():
    return now_utc().replace(minute=0, second=30, microsecond=0)  # half a minute into an hour, whatever the day


async def test_each_job_fires_once_per_slot_through_a_whole_day(database, counted):
    assert set(scheduler.JOBS) == set(EXPECTED_PER_DAY)
    start = day_start()
    for minute in range(24 * 60):
        await scheduler.run_due(start + timedelta(minutes=minute), "host-a:1")
    assert counted == EXPECTED_PER_DAY
    rows = {row["name"]: row for row in await JobRun.select()}
    assert {name: row["runs"] for name, row in rows.items()} == EXPECTED_PER_DAY
    assert all(row["last_outcome"] == "ok" and row["lease_until"] is None for row in rows.values())


async def test_two_workers_racing_never_run_one_slot_twice(database, counted):
    start = day_start()
    for minute in range(24 * 60):
        now = start + timedelta(minutes=minute)
        first, second = await asyncio.gather(scheduler.run_due(now, "host-a:1"), scheduler.run_due(now, "host-b:7"))
        assert not set(first) & set(second), now
    assert counted == EXPECTED_PER_DAY


async def test_a_dead_workers_lease_runs_out_and_the_job_runs_again(database, counted):
    now = day_start()
    job = scheduler.JOBS["retention"]
    await scheduler.run_due(now, "host-a:1")
    await JobRun.update({JobRun.next_run_at: now, JobRun.lease_until: now + job.lease, JobRun.holder: "dead:1"}).where(JobRun.name == "retention")
    assert "retention" not in await scheduler.run_due(now + timedelta(minutes=1), "host-b:1")  # still leased
    assert (await scheduler.run_due(now + job.lease + timedelta(seconds=1), "host-b:1"))["retention"] is True
    assert counted["retention"] == 2


async def test_jobs_lists_last_and_next_run(database):
    now = day_start()
    await scheduler.run_due(now, "host-a:1")
    states = {state.name: state for state in await scheduler.states()}
    assert states["retention"].last_started_at == now and states["retention"].next_run_at == scheduler.next_slot(now, timedelta(hours=1))
    assert states["reminders"].last_outcome == "ok" and states["reminders"].runs == 1
    await JobRun.insert(JobRun(name=telegram.POLLER, holder="host-a:1", last_started_at=now, lease_until=now + timedelta(minutes=1)))
    poller = next(state for state in await scheduler.states() if state.name == telegram.POLLER)  # the Telegram bot's loop, listed last
    assert poller.every == timedelta(0) and poller.last_started_at == now and poller.last_note.startswith("held by host-a:1 until ")
