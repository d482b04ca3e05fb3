"""`libspace backup` during a stream of writes, restored into a new database: every row committed before the
backup began is there, nothing half-written (the restored state is exactly a prefix of the commits), and a
`libspace serve` on the restored database answers as the original did.

The stream, in this process, creates an event and signs readers up for it (more than its seats, so some wait),
one committed transaction after another, then the next event, until the backup (a real `libspace backup`
subprocess) has finished and a few more commits have followed. On both engines.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from src.events import service as events_service
from tests import support
from tests.conftest import ENGINE, PG_ADMIN_URL, PG_NAME, _pg_admin, bearer
from tests.events.conftest import make_readers, new_event, principal
from tests.support import ROOT, running_server

READERS = 12
SEATS = 8
AFTER_BACKUP = 10  # commits the stream still makes once the backup is done


def libspace(*args: str, url: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return support.libspace(*args, env={**env, **({"LIBSPACE_DATABASE_URL": url} if url else {})}, timeout=300)


@pytest.fixture
async def new_database(tmp_path):
    """URLs of brand-new databases of this run's engine (dropped afterwards)."""
    made: list[str] = []

    async def make() -> str:
        if ENGINE == "postgres":
            name = f"{PG_NAME}_r{uuid.uuid4().hex[:6]}"
            await _pg_admin(f'CREATE DATABASE "{name}"')
            made.append(name)
            return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        return f"sqlite:///{tmp_path}/restored-{uuid.uuid4().hex[:6]}.sqlite"

    yield make
    for name in made:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def query(url: str, sql: str) -> list[tuple]:
    """Rows from another database than the test's own (the restored one)."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///"):])
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


class Stream:
    """Sequential commits (an event, then its sign-ups), each recorded in order once committed."""

    def __init__(self, staff, readers) -> None:
        self.staff, self.readers = staff, readers
        self.commits: list[tuple[str, int]] = []
        self.stop_after: int | None = None

    def done(self) -> bool:
        return self.stop_after is not None and len(self.commits) >= self.stop_after

    async def run(self) -> None:
        number = 0
        while not self.done():
            number += 1
            event_id = await new_event(self.staff, title=f"Поток записей {number}", capacity=SEATS, min_age=None, max_age=None)
            self.commits.append(("event", event_id))
            for reader in self.readers:
                if self.done():
                    return
                signed = await events_service.sign_up(reader, event_id)
                self.commits.append(("registration", signed.id))
                await asyncio.sleep(0)


async def restored_state(url: str) -> set[tuple[str, int]]:
    events = await query(url, "SELECT id FROM event WHERE title LIKE 'Поток записей%'")
    registrations = await query(url, "SELECT id FROM registration")
    return {("event", row[0]) for row in events} | {("registration", row[0]) for row in registrations}


async def all_registrations(client, event_id: int, headers: dict) -> list[dict]:
    answer = await client.get(f"/api/v1/events/{event_id}/registrations", params={"page_size": 500}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_backup_under_a_stream_of_sign_ups_restores_every_committed_row_and_serves_them(client, demo, new_database, tmp_path):
    staff = await principal("staff.chekhov@libspace.local")
    readers = await make_readers(READERS, prefix="stream")
    staff_headers = await bearer(client, "staff.chekhov@libspace.local")  # its token is in the backup too
    backup_file = tmp_path / "libspace.backup"

    stream = Stream(staff, readers)
    task = asyncio.create_task(stream.run())
    while len(stream.commits) < 15:
        await asyncio.sleep(0.01)
        assert not task.done(), task.exception()
    committed_before = len(stream.commits)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "src.cli", "backup", str(backup_file), cwd=ROOT, env=support.libspace_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    committed_by_end = len(stream.commits)
    stream.stop_after = committed_by_end + AFTER_BACKUP
    await asyncio.wait_for(task, timeout=120)
    assert process.returncode == 0, err.decode()
    assert "backed up" in out.decode()
    assert committed_by_end > committed_before, "the stream must go on while the backup runs"

    target = await new_database()
    restored = libspace("restore", str(backup_file), url=target)
    assert restored.returncode == 0, restored.stderr
    state = await restored_state(target)
    prefix = len(state)
    assert committed_before <= prefix <= committed_by_end
    assert state == set(stream.commits[:prefix]), "the backup is not one consistent snapshot of the commits"

    # nothing half-written: every restored event's seat count matches its restored confirmed sign-ups
    for event_id, seats_taken, confirmed in await query(
        target,
        "SELECT e.id, e.seats_taken, COALESCE(SUM(CASE WHEN r.status = 'confirmed' THEN r.seats ELSE 0 END), 0) "
        "FROM event e LEFT JOIN registration r ON r.event = e.id GROUP BY e.id, e.seats_taken",
    ):
        assert seats_taken == confirmed, f"event {event_id}: {seats_taken} seats taken, {confirmed} confirmed"

    # refused over a database with data, accepted with --force; the original is untouched
    again = libspace("restore", str(backup_file), url=target)
    assert again.returncode != 0 and "--force" in again.stderr
    assert (await restored_state(target)) == state
    assert libspace("restore", "--force", str(backup_file), url=target).returncode == 0
    assert (await restored_state(target)) == state

    first_event = stream.commits[0][1]
    original = await all_registrations(client, first_event, staff_headers)
    async with running_server(env={"LIBSPACE_DATABASE_URL": target, "LIBSPACE_WORKER": "off"}, timeout=120) as base_url:
        import httpx

        async with httpx.AsyncClient(base_url=base_url, timeout=30) as served:
            assert await all_registrations(served, first_event, staff_headers) == original
            assert (await served.get("/api/v1/branches")).json() == (await client.get("/api/v1/branches")).json()
            restored_ids = {number for kind, number in state if kind == "registration"}
            last_event = max(number for kind, number in state if kind == "event")
            listed = {row["registration_id"] for row in await all_registrations(served, last_event, staff_headers)}
            assert listed <= restored_ids and listed == {row[0] for row in await query(target, f"SELECT id FROM registration WHERE event = {last_event}")}


async def test_restore_refuses_what_is_not_a_backup_and_a_database_in_use(database, tmp_path, new_database):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    answer = libspace("restore", str(junk), url=await new_database())
    assert answer.returncode != 0 and "not a libspace backup" in answer.stderr
    made = libspace("backup", str(tmp_path / "b"))
    assert made.returncode == 0, made.stderr
    in_use = libspace("restore", "--force", str(tmp_path / "b"))  # the test's own database: this process holds it open
    assert in_use.returncode != 0 and "stop libspace" in in_use.stderr


@pytest.mark.postgres_only
async def test_backup_without_pg_dump_on_path_says_what_to_install(database, tmp_path):
    answer = libspace("backup", str(tmp_path / "b.dump"), PATH=str(Path(sys.executable).parent))
    assert answer.returncode != 0
    assert "pg_dump was not found on PATH" in answer.stderr and "postgresql-client" in answer.stderr
    assert not (tmp_path / "b.dump").exists()
