"""A database that does not answer in time is a 503 with Retry-After, and the worker goes on serving
(issue 11, item 8): a zone row locked elsewhere on PostgreSQL, the write lock held elsewhere on SQLite."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import asyncpg
import pytest

from src.db import busy_error, parse_database_url
from src.exceptions import DatabaseBusy
from tests.conftest import ENGINE, bearer
from tests.rooms.helpers import at, open_day, zone_named


def test_timeouts_are_recognised():
    assert isinstance(busy_error(sqlite3.OperationalError("database is locked")), DatabaseBusy)
    assert busy_error(sqlite3.OperationalError("no such table: x")) is None
    assert isinstance(busy_error(asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout")), DatabaseBusy)
    assert isinstance(busy_error(asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout")), DatabaseBusy)
    assert busy_error(ValueError("x")) is None


async def _booking():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    return zone, {"zone_id": zone.id, "starts_at": at(branch, day, 14).isoformat(), "ends_at": at(branch, day, 15).isoformat(), "purpose": "Замок", "headcount": 1}


def _assert_busy(answer) -> None:
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["retry-after"]) > 0
    body = answer.json()
    assert set(body) >= {"detail", "errors"} and "занята" in body["detail"]


@pytest.mark.postgres_only
async def test_a_locked_zone_row_gives_503_and_others_are_served(client, demo):
    zone, payload = await _booking()
    reader = await bearer(client, "reader@libspace.local")
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    _kind, config = parse_database_url(os.environ["LIBSPACE_DATABASE_URL"])
    holder = await asyncpg.connect(**config)
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT id FROM zone WHERE id = $1 FOR UPDATE", zone.id)
        bookings = [asyncio.create_task(client.post("/api/v1/bookings", json=payload, headers=reader)) for _ in range(12)]
        await asyncio.sleep(0.5)
        others = await asyncio.wait_for(asyncio.gather(*[client.get("/api/v1/me", headers=staff) for _ in range(3)]), timeout=60)
        answers = await asyncio.wait_for(asyncio.gather(*bookings), timeout=60)
        await lock.rollback()
    finally:
        await holder.close()
    assert [other.status_code for other in others] == [200, 200, 200]
    for answer in answers:
        _assert_busy(answer)
    assert (await client.post("/api/v1/bookings", json=payload, headers=reader)).status_code == 201


@pytest.mark.skipif(ENGINE != "sqlite", reason="the SQLite writer lock")
async def test_a_held_sqlite_write_lock_gives_503_not_500(client, demo):
    _zone, payload = await _booking()
    reader = await bearer(client, "reader@libspace.local")
    _kind, config = parse_database_url(os.environ["LIBSPACE_DATABASE_URL"])
    other_process = sqlite3.connect(config["path"], timeout=1, isolation_level=None)
    try:
        other_process.execute("BEGIN IMMEDIATE")
        answer = await asyncio.wait_for(client.post("/api/v1/bookings", json=payload, headers=reader), timeout=60)
        _assert_busy(answer)
        other_process.execute("ROLLBACK")
    finally:
        other_process.close()
    assert (await client.post("/api/v1/bookings", json=payload, headers=reader)).status_code == 201


@pytest.mark.skipif(ENGINE != "postgres", reason="the sign-up's script is PostgreSQL's (src/events/claims.py)")
async def test_literals_of_a_script_come_back_as_they_were(database):
    """db.literal quotes whatever a name or a JSON payload holds: the text comes back unchanged and never
    closes its quoting early (a tag inside, at the end, quotes, backslashes)."""
    from datetime import datetime, timezone

    from piccolo.engine import engine_finder

    from src import db

    tricky = ["plain", "", "O'Brien", "back\\slash", "$v$", "x$v", "$v", "a$v$b$v$c", "'; DROP TABLE event; --", "Подросток 7"]
    connection = await engine_finder().get_new_connection()
    try:
        for text in tricky:
            assert await connection.fetchval("SELECT " + db.literal(text) + "::text") == text
        instant = datetime(2026, 12, 2, 4, 30, 15, 123456, tzinfo=timezone.utc)
        assert await connection.fetchval("SELECT " + db.literal(instant)) == instant
        assert await connection.fetchval("SELECT " + db.literal(None) + "::int") is None
        assert await connection.fetchval("SELECT " + db.literal(True)) is True
    finally:
        await connection.close()
    with pytest.raises(ValueError):
        db.literal("nul\x00")
