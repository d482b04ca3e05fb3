"""/healthz (this process can serve) and /readyz (the installation is ready), through the app."""

from __future__ import annotations

from datetime import timedelta

from piccolo.apps.migrations.tables import Migration

from src.ops import checks
from src.ops.heartbeat import Heartbeat
from src.ops.tables import WorkerBeat
from src.timeutil import now_utc


async def test_healthz_touches_threads_and_database(client):
    answer = await client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] and body["checks"]["threads"]["ok"]
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-request-id"]


async def test_readyz_waits_for_a_worker_pass_then_answers_200(client):
    waiting = await client.get("/readyz")
    assert waiting.status_code == 503 and waiting.headers["retry-after"]
    body = waiting.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert not body["checks"]["worker"]["ok"] and "libspace worker" in body["detail"]

    await Heartbeat("test-host:1").beat(now_utc())
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ok"


async def test_a_silent_worker_makes_readyz_503_with_the_age(client):
    await Heartbeat("test-host:2").beat(now_utc() - timedelta(minutes=10))
    answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert "600 s ago" in answer.json()["checks"]["worker"]["detail"]


async def test_heartbeat_writes_at_most_every_few_seconds_and_forgets_old_workers():
    now = now_utc()
    await WorkerBeat.insert(WorkerBeat(worker="gone:1", started_at=now - timedelta(days=3), beat_at=now - timedelta(days=2)))
    beat = Heartbeat("here:1")
    assert await beat.beat(now)
    assert not await beat.beat(now + timedelta(seconds=3))
    assert await beat.beat(now + timedelta(seconds=11))
    rows = await WorkerBeat.select(WorkerBeat.worker, WorkerBeat.beat_at)
    assert [row["worker"] for row in rows] == ["here:1"]


async def test_migrations_not_applied_or_unknown_make_readyz_503(client):
    await Heartbeat("test-host:3").beat(now_utc())
    known = sorted(checks.known_migrations()["libspace"])
    last = await Migration.select(Migration.id, Migration.name).where(Migration.name == known[-1]).first()
    await Migration.delete().where(Migration.id == last["id"])
    try:
        behind = await client.get("/readyz")
        assert behind.status_code == 503
        assert "libspace migrate" in behind.json()["checks"]["migrations"]["detail"]
    finally:
        await Migration.insert(Migration(name=known[-1], app_name="libspace"))
    await Migration.insert(Migration(name="2999-01-01T00:00:00:000000", app_name="libspace"))
    try:
        ahead = await client.get("/readyz")
        assert ahead.status_code == 503 and "newer version" in ahead.json()["checks"]["migrations"]["detail"]
    finally:
        await Migration.delete().where(Migration.name == "2999-01-01T00:00:00:000000")
    assert (await client.get("/readyz")).status_code == 200


async def test_the_worker_loop_beats_after_a_good_pass(database):
    import asyncio

    from src.notifications import worker
    from src.notifications.settings import get_mail_settings

    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop, settings=get_mail_settings()))
    try:
        for _ in range(100):
            if await WorkerBeat.count():
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    assert await WorkerBeat.count() == 1
