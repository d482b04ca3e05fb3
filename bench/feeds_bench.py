"""Feeds and notifications benchmark, in-process.

    .venv/bin/python -m bench.feeds_bench --db sqlite|postgres [--events 5000] [--messages 1000]

Prints: the median time to build the feed of N events (cold: nothing memoized; warm: after one event changed)
and its size; the median of a full GET through the ASGI app; the median of the 304 path (If-None-Match,
through the ASGI app and in the service alone); and messages per second sent to a local aiosmtpd server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("LIBSPACE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.2f} ms (p90 {sorted(values)[int(len(values) * 0.9)] * 1000:.2f})"


async def pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def seed(count: int) -> None:
    """Demo branches, then ``count`` events: a tenth of them in weekly series of ten, a few cancelled."""
    from datetime import datetime, timedelta, timezone

    from src import demo
    from src.branches.tables import Branch
    from src.events.tables import Event, EventSeries

    await demo.load()
    branches = [row["id"] for row in await Branch.select(Branch.id)]
    now = datetime.now(timezone.utc)
    start = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    rows = []
    series_ids = []
    for n in range(count // 100):
        series = EventSeries(branch=branches[n % len(branches)], recurrence="FREQ=WEEKLY;COUNT=10", created_at=now)
        await series.save()
        series_ids.append(series.id)
    for n in range(count):
        in_series = n < len(series_ids) * 10
        series = series_ids[n // 10] if in_series else None
        begins = start + (timedelta(weeks=n % 10, hours=n // 10 % 8) if in_series else timedelta(hours=7 * n))
        cancelled = n % 97 == 0
        rows.append(Event(
            branch=branches[(n // 10 if in_series else n) % len(branches)], series=series,
            title=f"Событие {n}: лекция о краеведении и истории Приамурья", category=("lecture", "reading_club", "master_class")[n % 3],
            description="Рассказываем о городе, его людях и книгах. **Вход свободный.**", audience="взрослые и подростки",
            starts_at=begins, ends_at=begins + timedelta(hours=2), capacity=30 if n % 2 else None, host_name="Анна Иванова",
            status="cancelled" if cancelled else "scheduled", cancelled_at=now if cancelled else None,
            created_at=now - timedelta(days=3), updated_at=now - timedelta(days=1, seconds=n),
        ))
    for chunk in range(0, len(rows), 500):
        await Event.insert(*rows[chunk : chunk + 500])


async def bench_feeds(runs: int) -> None:
    from datetime import datetime, timezone

    import httpx

    from src.app import create_app
    from src.calendars import http as feed_http
    from src.calendars import ical
    from src.calendars import service as calendars_service
    from src.events.queries import Filters
    from src.events.tables import Event

    app = create_app()
    filters = calendars_service.feed_filters(Filters())

    cold = []
    body = b""
    from src.calendars import sources
    from src.events import ical as events_ical

    for _ in range(runs):
        ical.vevent_bytes.cache_clear()
        ical._calendar_head.cache_clear()
        sources._event_rows.clear()
        events_ical._items.clear()
        feed = await calendars_service.events_feed(filters, "ru")
        began = time.perf_counter()
        body = await feed.build()
        cold.append(time.perf_counter() - began)
    print(f"feed of {body.count(b'BEGIN:VEVENT')} VEVENTs ({await Event.count()} events; series folded to RRULE): {len(body):,} bytes")
    print(f"  build, cold (every row read, mapped and written): {ms(cold)}")

    warm = []
    for n in range(runs):
        first = await Event.select(Event.id).order_by(Event.id).offset(7 * n + 3).first()
        await Event.update({Event.title: f"Изменено {n}", Event.updated_at: datetime.now(timezone.utc)}).where(Event.id == first["id"])
        feed = await calendars_service.events_feed(filters, "ru")
        began = time.perf_counter()
        await feed.build()
        warm.append(time.perf_counter() - began)
    print(f"  build after one event changed (unchanged VEVENTs memoized): {ms(warm)}")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        full = []
        for _ in range(runs):
            feed_http.bodies.clear()
            ical.vevent_bytes.cache_clear()
            sources._event_rows.clear()
            events_ical._items.clear()
            began = time.perf_counter()
            response = await client.get("/feeds/events.ics")
            full.append(time.perf_counter() - began)
            assert response.status_code == 200
        print(f"  GET /feeds/events.ics through the app, nothing cached: {ms(full)}")
        cached = []
        for _ in range(runs * 5):
            began = time.perf_counter()
            response = await client.get("/feeds/events.ics")
            cached.append(time.perf_counter() - began)
        print(f"  GET /feeds/events.ics through the app, body cached (a client without the ETag): {ms(cached)}")
        etag = response.headers["etag"]
        not_modified = []
        for _ in range(300):
            began = time.perf_counter()
            response = await client.get("/feeds/events.ics", headers={"If-None-Match": etag})
            not_modified.append(time.perf_counter() - began)
            assert response.status_code == 304
        print(f"  304 (If-None-Match) through the app and httpx: {ms(not_modified)}")

    service_only = []
    for _ in range(300):
        began = time.perf_counter()
        feed = await calendars_service.events_feed(filters, "ru")
        current = feed_http.validators(feed.fingerprint.parts, feed.fingerprint.last_modified)
        assert feed_http.not_modified(etag, None, current)
        service_only.append(time.perf_counter() - began)
    print(f"  304 decision in the service (fingerprint query + ETag, no HTTP): {ms(service_only)}")


async def bench_mail(count: int) -> None:
    from dataclasses import replace

    from piccolo.engine import engine_finder

    from src.accounts.tables import Account
    from src.db import write_transaction
    from src.events.tables import Event
    from src.notifications import service as notifications
    from src.notifications import worker
    from src.notifications.clock import Clock
    from src.notifications.settings import SmtpTarget, get_mail_settings
    from src.notifications.transport import SmtpTransport
    from tests.support import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its own process, as a real server is
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        from datetime import datetime, timezone

        now = datetime.now(timezone.utc)
        rows = await Account.insert(*[Account(role="reader", email=f"bench{n}@example.org", full_name=f"Читатель {n}", language=("ru", "en")[n % 2], created_at=now, updated_at=now) for n in range(count)]).returning(Account.id)
        event = await Event.select(Event.id, Event.title).where(Event.status == "scheduled").first()
        async with write_transaction(engine_finder()):
            await notifications.enqueue("event_moved", [row["id"] for row in rows], "Event moved: %(title)s", {"event_id": event["id"], "title": event["title"]}, cause="bench", subject_vars={"title": event["title"]})
        settings = replace(get_mail_settings(), smtp=SmtpTarget("127.0.0.1", port, "plain"), batch_size=100)
        transport = SmtpTransport(settings.smtp, 10)
        began = time.perf_counter()
        stats = await worker.send_due(transport, Clock(), settings)
        elapsed = time.perf_counter() - began
        await transport.close()
        assert stats.sent == count, stats
        print(f"mail: {count} messages (event changed, .ics attached, ru/en) to a local aiosmtpd in {elapsed:.2f} s: {count / elapsed:.0f} messages/s")
    finally:
        server.terminate()
        server.wait(timeout=10)


async def run(args) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.engine import engine_finder

    from src.db import close_pools, open_pools

    engine = engine_finder()
    await open_pools(engine)
    try:
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
        assert result.success, result.message
        began = time.perf_counter()
        await seed(args.events)
        print(f"seeded {args.events} events in {time.perf_counter() - began:.1f} s ({args.db})")
        await bench_feeds(args.runs)
        await bench_mail(args.messages)
    finally:
        await close_pools(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="libspace-feeds-bench-")
    pg_name = f"libspace_bench_{uuid.uuid4().hex[:8]}"
    if args.db == "sqlite":
        os.environ["LIBSPACE_DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite"
    else:
        asyncio.run(pg_admin(f'CREATE DATABASE "{pg_name}"'))
        os.environ["LIBSPACE_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    os.environ.setdefault("LIBSPACE_SECRET_KEY", "bench-" + "x" * 40)
    os.environ["LIBSPACE_WORKER"] = "off"
    os.environ["LIBSPACE_OUTBOX_DIR"] = folder
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import logging

    logging.disable(logging.INFO)
    try:
        asyncio.run(run(args))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if args.db == "postgres":
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
