"""Three `libspace worker` processes drain one outbox into a real SMTP server (aiosmtpd, counting what it
accepts): every message arrives exactly once, and the work was shared. Each worker sends from its own address,
so the server can tell them apart."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter

from src.notifications.tables import Outbox
from tests.notifications.support import account, enqueue
from tests.support import start_libspace

MESSAGES = 150
WORKERS = 3


def start_worker(smtp_url: str, number: int) -> subprocess.Popen:
    env = {"LIBSPACE_SMTP_URL": f"{smtp_url}?from=worker{number}@libspace.example", "LIBSPACE_WORKER_POLL_SECONDS": "0.2",
           "LIBSPACE_WORKER_LEASE_SECONDS": "300", "LIBSPACE_WORKER_BATCH": "5"}
    return start_libspace("worker", env=env, stderr=subprocess.DEVNULL)


async def test_three_worker_processes_send_every_message_exactly_once(smtp, demo):
    readers = [await account(f"reader{n}@example.org") for n in range(MESSAGES)]
    await enqueue("notice", readers, {"title": "Изменение расписания"}, cause="many-workers")
    slow = smtp.handler.handle_DATA

    async def handle_data(server, session, envelope):  # a little slower than instant, so that every worker gets a share
        await asyncio.sleep(0.02)
        return await slow(server, session, envelope)

    smtp.handler.handle_DATA = handle_data
    workers = [start_worker(smtp.url, number) for number in range(WORKERS)]
    try:
        deadline = asyncio.get_running_loop().time() + 180
        while await Outbox.count().where(Outbox.sent_at.is_not_null()) < MESSAGES:
            assert asyncio.get_running_loop().time() < deadline, f"{len(smtp.received)} of {MESSAGES} sent in time"
            assert all(worker.poll() is None for worker in workers), "a worker stopped"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # time for a worker that would send one again
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    per_recipient = Counter(received.rcpt[0] for received in smtp.received)
    assert set(per_recipient) == {f"reader{n}@example.org" for n in range(MESSAGES)}  # nothing lost
    assert [address for address, count in per_recipient.items() if count > 1] == []  # nothing twice
    assert len(smtp.received) == MESSAGES
    assert len({received.message_id for received in smtp.received}) == MESSAGES
    per_worker = Counter(str(received.message["From"]) for received in smtp.received)
    print("messages per worker:", dict(per_worker))
    assert len(per_worker) >= 2, f"one worker did all the work: {per_worker}"
    assert all(worker.returncode == 0 for worker in workers), "SIGTERM stops each worker cleanly"
