"""Test set-up: a throwaway database per run (SQLite file, or a fresh PostgreSQL database), and the clock.

``LIBSPACE_TEST_DB=sqlite|postgres`` picks the engine (``make test`` runs both). Without a reachable
PostgreSQL the postgres run skips every test and says why, unless ``LIBSPACE_REQUIRE_POSTGRES=1`` (CI), when
it fails instead. The environment is set before ``src`` is imported: Piccolo caches its engine on first use.

``LIBSPACE_TEST_NOW=2026-12-31T23:30:00+09:00`` runs the whole suite (and the servers, CLI commands and workers
it starts) as if it were that instant: see ``tests/timetravel.py``. Choose test dates with ``tests/dates.py``,
never from a calendar.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests import timetravel

TEST_NOW = timetravel.start_from_environment()  # before src is imported, so that no one caches the real time

ROOT = Path(__file__).resolve().parent.parent
ENGINE = os.environ.get("LIBSPACE_TEST_DB", "sqlite")
if ENGINE not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"LIBSPACE_TEST_DB={ENGINE!r}: say sqlite or postgres")
PG_ADMIN_URL = os.environ.get("LIBSPACE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_PROBLEM: str | None = None
PG_NAME = f"libspace_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


if ENGINE == "postgres":
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{PG_NAME}"'))
        os.environ["LIBSPACE_DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"
    except Exception as error:  # noqa: BLE001 - reported as the skip reason
        PG_PROBLEM = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}"
        os.environ["LIBSPACE_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/unused.sqlite"
else:
    os.environ["LIBSPACE_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='libspace-test-')}/test.sqlite"

os.environ["PICCOLO_CONF"] = "piccolo_conf"
os.environ.setdefault("LIBSPACE_SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ.setdefault("LIBSPACE_LANGUAGE", "ru")
os.environ.setdefault("LIBSPACE_LOGIN_ATTEMPTS", "5")
os.environ.setdefault("LIBSPACE_OUTBOX_DIR", tempfile.mkdtemp(prefix="libspace-outbox-"))  # servers started by tests write .eml here
os.environ.setdefault("LIBSPACE_METRICS_DIR", tempfile.mkdtemp(prefix="libspace-metrics-"))  # servers' and workers' Prometheus files

import httpx  # noqa: E402
from piccolo.engine import engine_finder  # noqa: E402

from src import cache, db  # noqa: E402
from src.app import create_app  # noqa: E402
from src.db import close_pools, open_pools  # noqa: E402
from src.piccolo_app import APP_CONFIG  # noqa: E402


def pytest_report_header(config):
    clock = f"as of {TEST_NOW.isoformat()} ({timetravel.NOW_VARIABLE})" if TEST_NOW else "the real clock"
    return [f"libspace test database: {ENGINE} ({os.environ['LIBSPACE_DATABASE_URL']})", f"libspace test clock: {clock}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """``make test`` prints one line per engine at the end: it asks for it through LIBSPACE_TEST_SUMMARY."""
    path = os.environ.get("LIBSPACE_TEST_SUMMARY")
    if not path:
        return
    stats = terminalreporter.stats
    counts = ", ".join(f"{len(stats[key])} {key}" for key in ("passed", "failed", "error", "skipped", "xfailed", "xpassed") if stats.get(key))
    clock = f" as of {TEST_NOW.isoformat()}" if TEST_NOW else ""
    order = f" in random order (-p randomly --randomly-seed={config.getoption('randomly_seed')})" if config.pluginmanager.has_plugin("randomly") else ""
    Path(path).write_text(f"{counts or 'nothing ran'}{clock}{order}")


def pytest_collection_modifyitems(config, items):
    if PG_PROBLEM:
        if os.environ.get("LIBSPACE_REQUIRE_POSTGRES") == "1":
            raise pytest.UsageError(f"PostgreSQL is required here (LIBSPACE_REQUIRE_POSTGRES=1). {PG_PROBLEM}")
        marker = pytest.mark.skip(reason=PG_PROBLEM)
        for item in items:
            item.add_marker(marker)
    elif ENGINE != "postgres":
        marker = pytest.mark.skip(reason="needs PostgreSQL (this run is SQLite)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(marker)


@pytest.fixture
def other_worker(monkeypatch):
    """Writes as another process makes them: this process is not told (no local forgetting), only the revision
    in the database moves; ``later()`` is a second on, when this process re-reads the revision."""

    class Other:
        @staticmethod
        def later() -> None:
            monkeypatch.setattr(cache, "CHECK_SECONDS", 0.0)

    monkeypatch.setattr(db, "WRITE_LISTENERS", [])
    return Other


@pytest.fixture
def frozen_clock():
    """Stop the clock (this process's) at the current instant for one test: ``frozen_clock.now()``,
    ``frozen_clock.move_to(instant)``, ``frozen_clock.advance(hours=22)``. Servers a test starts through
    ``support.running_server`` start on the clock's current instant and tick from there."""
    import time_machine

    with time_machine.travel(datetime.now(timezone.utc).timestamp(), tick=False) as traveller:
        yield timetravel.FrozenClock(traveller)


@pytest.fixture(scope="session")
async def database():
    if PG_PROBLEM:
        pytest.skip(PG_PROBLEM)
    from piccolo.apps.migrations.commands.forwards import run_forwards

    engine = engine_finder()
    await open_pools(engine)
    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    assert result.success, result.message
    yield engine
    await close_pools(engine)
    if ENGINE == "postgres":
        await asyncio.sleep(0)
        await _pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def _tables():
    return [table for table in APP_CONFIG.table_classes]


async def empty_tables(database) -> None:
    """Delete every row of every table (tests that build their data once per module call this at its end)."""
    names = [table._meta.tablename for table in _tables()]
    if ENGINE == "postgres":
        await database.run_ddl("TRUNCATE " + ", ".join(f'"{name}"' for name in names) + " RESTART IDENTITY CASCADE")
    else:
        from src.db import write_transaction

        async with write_transaction(database):
            await database.run_ddl("PRAGMA defer_foreign_keys = ON")
            for name in names:
                await database.run_ddl(f'DELETE FROM "{name}"')
    cache.clear_local()


@pytest.fixture(autouse=True)
async def clean(request, database):
    """Every test starts from empty tables."""
    yield
    await empty_tables(database)


@pytest.fixture(scope="session")
def app(database):
    return create_app()


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def demo(database):
    from src import demo as demo_data

    await demo_data.load(with_events=False)  # demo events: the demo_events fixture (tests/events count their own)
    return demo_data


@pytest.fixture
async def demo_events(demo):
    from src.events import demo as events_demo
    from src.timeutil import today_in

    await events_demo.load(today_in(demo.get_settings().tz))
    return events_demo


CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def post_form(client: httpx.AsyncClient, form_url: str, data: dict, action: str | None = None, **kwargs) -> httpx.Response:
    """Submit a page form the way a browser does: load it, take its CSRF token, post."""
    page = await client.get(form_url)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token in {form_url}"
    return await client.post(action or form_url.split("?")[0], data={**data, "_csrf_token": match.group(1)}, **kwargs)


async def bearer(client: httpx.AsyncClient, login: str, password: str = "libspace-demo") -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
