"""/readyz turns 503 while the database is unreachable, and back to 200 when it returns.

PostgreSQL: a real `libspace serve` reaches the database through a loopback TCP proxy that the test cuts
(every open connection dropped, new ones refused) and restores. SQLite: the database file is moved away
under the running app (its open connections would go on writing into a file nobody will read again).
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from piccolo.engine import engine_finder

from src.ops.heartbeat import Heartbeat
from src.timeutil import now_utc
from tests.conftest import ENGINE
from tests.ops.proxy import CuttableProxy
from tests.support import running_server


async def until_status(client: httpx.AsyncClient, path: str, status: int, timeout: float = 30.0) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            answer = await client.get(path, timeout=5)
            if answer.status_code == status:
                return answer
        except httpx.HTTPError:
            answer = None
        assert asyncio.get_running_loop().time() < deadline, f"{path} never answered {status}: {answer.text if answer else 'no answer'}"
        await asyncio.sleep(0.2)


@pytest.mark.postgres_only
async def test_readyz_follows_postgresql_going_away_and_coming_back(database):
    parts = urlsplit(os.environ["LIBSPACE_DATABASE_URL"])
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = proxy.start()
    netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{port}" if "@" in parts.netloc else f"127.0.0.1:{port}"
    env = {
        "LIBSPACE_DATABASE_URL": urlunsplit(parts._replace(netloc=netloc)),
        "LIBSPACE_WORKER": "on",
        "LIBSPACE_WORKER_POLL_SECONDS": "0.2",
        "LIBSPACE_HEALTH_TIMEOUT_SECONDS": "1",
    }
    try:
        async with running_server(env=env, timeout=120) as base_url, httpx.AsyncClient(base_url=base_url) as client:
            await until_status(client, "/readyz", 200)
            proxy.cut()
            down = await until_status(client, "/readyz", 503)
            body = down.json()
            assert not body["checks"]["database"]["ok"]
            assert "unreachable" in body["detail"] or "no answer" in body["detail"]
            assert "postgres" not in body["detail"].lower() and str(port) not in body["detail"]  # no host, user or port
            proxy.restore()
            up = await until_status(client, "/readyz", 200)
            assert up.json()["checks"]["database"]["ok"]
    finally:
        proxy.close()


@pytest.mark.skipif(ENGINE != "sqlite", reason="the SQLite file check (PostgreSQL is tested through the proxy)")
async def test_readyz_follows_the_sqlite_file_going_away_and_coming_back(client):
    await Heartbeat("test-host:1").beat(now_utc())
    path = engine_finder().path
    assert (await client.get("/readyz")).status_code == 200
    os.rename(path, path + ".away")
    try:
        gone = await client.get("/readyz")
        assert gone.status_code == 503 and "missing" in gone.json()["checks"]["database"]["detail"]
    finally:
        os.rename(path + ".away", path)
    assert (await client.get("/readyz")).status_code == 200
