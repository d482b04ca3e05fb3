"""`libspace serve` runs the worker inside the server process, and SIGTERM still stops the server promptly."""

from __future__ import annotations

import asyncio
import time

from src.notifications.tables import Outbox
from tests.notifications.support import account, enqueue
from tests.support import running_server


async def test_the_server_sends_the_outbox_and_stops_promptly(smtp, demo):
    reader = await account("anna@example.org")
    env = {"LIBSPACE_SMTP_URL": smtp.url, "LIBSPACE_WORKER_POLL_SECONDS": "0.2", "LIBSPACE_WORKER": "on"}
    async with running_server(env=env):
        await enqueue("notice", [reader], {"title": "x"}, cause="served")
        deadline = time.monotonic() + 20
        while not smtp.received and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert [r.rcpt for r in smtp.received] == [["anna@example.org"]]
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 5, "SIGTERM waited for the worker's sleep"
    assert await Outbox.count().where(Outbox.sent_at.is_not_null()) == 1
