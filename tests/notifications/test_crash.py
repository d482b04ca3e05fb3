"""A worker killed mid-batch loses nothing and, once restarted, re-sends at most the message in flight, under
the same Message-ID. The worker is a real `libspace worker` process; the SMTP server kills it (SIGKILL) right
after it has accepted the third message and before the worker hears "250"."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter

from src.notifications.tables import Outbox
from tests.notifications.support import account, enqueue
from tests.support import start_libspace


def start_worker(smtp_url: str) -> subprocess.Popen:
    env = {"LIBSPACE_SMTP_URL": smtp_url + "?from=noreply@libspace.example", "LIBSPACE_WORKER_POLL_SECONDS": "0.2",
           "LIBSPACE_WORKER_LEASE_SECONDS": "1", "LIBSPACE_WORKER_BATCH": "50"}
    return start_libspace("worker", env=env)


async def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_crash_mid_batch_loses_nothing_and_resends_only_the_one_in_flight(smtp, demo):
    readers = [await account(f"reader{n}@example.org") for n in range(10)]
    await enqueue("notice", readers, {"title": "x"}, cause="crash")

    first = start_worker(smtp.url)
    smtp.handler.kill_pid_at = (first.pid, 3)
    try:
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -9, first.stderr.read().decode()[-2000:]
    assert len(smtp.received) == 3
    assert await Outbox.count().where(Outbox.sent_at.is_not_null()) == 2  # the third was in flight
    smtp.handler.kill_pid_at = None

    second = start_worker(smtp.url)
    try:
        async def all_sent() -> bool:
            return await Outbox.count().where(Outbox.sent_at.is_not_null()) == 10

        await wait_for(all_sent)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert second.returncode == 0, "SIGTERM stops the worker cleanly"

    rcpts = Counter(r.rcpt[0] for r in smtp.received)
    assert set(rcpts) == {f"reader{n}@example.org" for n in range(10)}  # nothing lost
    twice = [address for address, count in rcpts.items() if count > 1]
    assert len(twice) == 1 and rcpts[twice[0]] == 2  # only the one in flight again
    ids = [r.message_id for r in smtp.received if r.rcpt[0] == twice[0]]
    assert ids[0] == ids[1]  # under the same Message-ID
    assert len(smtp.received) == 11
