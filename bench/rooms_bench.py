"""Issue 3 figures: zones and bookings with 10 branches, 60 zones and a year of bookings (about 50,000 rows).

    .venv/bin/python -m bench.rooms_bench --db sqlite|postgres [--seconds 5] [--runs 300]

On a fresh throwaway database: median and p95 of zone availability for a week, the branch week grid and the
cross-branch search, in this process through the service functions; then bookings created per second through
HTTP with one `libspace serve` worker (wrk, each request a different free slot), next to the rate of
`GET /api/v1/branches` in the same run. Targets: week availability < 5 ms and week grid < 30 ms on SQLite,
booking creation at least a third of the branches rate and at least 120 per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import ROOT, analyze, demo_database, percentiles, served, throwaway_database, wrk, wrk_posts

PAST_DAYS, FUTURE_DAYS = 270, 95  # a year of bookings around today
ZONES_WANTED = 60
HISTORY_READERS, LOAD_READERS = 200, 400
EXTRA_KINDS = ["coworking", "reading_hall", "makerspace", "computer_class", "conference_hall", "children", "local_history", "exhibition"]

# --- data --------------------------------------------------------------------------------------------------


async def _zones_to(total: int) -> None:
    """Demo data has 34 zones; add plausible ones round the branches until there are ``total``."""
    from piccolo.engine import engine_finder

    from src.db import write_transaction
    from src.rooms import service as rooms_service
    from src.rooms.tables import Zone, ZoneFeature
    from src.timeutil import now_utc

    branches = await rooms_service.list_branches()
    have = sum(len(branch.zones) for branch in branches)
    async with write_transaction(engine_finder()):
        for n in range(total - have):
            branch = branches[n % len(branches)]
            kind = EXTRA_KINDS[n % len(EXTRA_KINDS)]
            zone = Zone(
                branch=branch.id, name=f"Зона {n + 1}", kind=kind, capacity=random.choice([6, 10, 16, 30, 50]), bookable_by_readers=n % 2 == 0,
                bookable_by_schools=True, requires_approval=n % 5 == 0, slot_minutes=30, min_minutes=30, max_minutes=240, lead_minutes=60,
                horizon_days=90, buffer_after_minutes=15 if kind in ("conference_hall", "exhibition") else 0,
                weekly_quota_minutes=600 if kind in ("coworking", "makerspace") else None, updated_at=now_utc(),
            )
            await zone.save()
            await ZoneFeature.insert(*[ZoneFeature(zone=zone.id, feature=f) for f in random.sample(["wifi", "projector", "step_free", "whiteboard", "computers"], 2)])
        await rooms_service.changed()


async def _readers(count: int, prefix: str) -> list[int]:
    from src.accounts.tables import Account, ReaderCard
    from src.rooms import service as rooms_service
    from src.timeutil import now_utc

    now = now_utc()
    home = (await rooms_service.list_branches())[0].id
    accounts = [Account(role="reader", email=f"{prefix}{n}@bench.local", full_name=f"Читатель {prefix}{n}", password_hash="", created_at=now, updated_at=now) for n in range(count)]
    ids = [row["id"] for row in await Account.insert(*accounts).returning(Account.id)]
    await ReaderCard.insert(*[ReaderCard(account=account_id, card_number=f"29{account_id:010d}", birth_date=date(1990, 1, 1), home_branch=home, consent_at=now, created_at=now) for account_id in ids])
    return ids


async def _year_of_bookings(history_readers: list[int]) -> int:
    """About three bookings a day in every zone on every open day, from 270 days ago to 95 days ahead, packed
    without overlaps (buffers kept), plus some cancelled ones; written in bulk (the database guards still run)."""
    from src.branches import rules as branch_rules
    from src.rooms import rules
    from src.rooms import service as rooms_service
    from src.rooms.tables import Booking
    from src.timeutil import now_utc, today_in

    rng = random.Random(3)
    now = now_utc()
    await Booking.delete(force=True)  # the demo's few bookings would be in the way
    rows: list[Booking] = []
    for branch in await rooms_service.list_branches():
        tz = branch.tz
        today = today_in(tz)
        staff_holder = None
        for zone in branch.zones:
            for offset in range(-PAST_DAYS, FUTURE_DAYS):
                on = today + timedelta(days=offset)
                day = zone.schedule.day(on)
                if not day.is_open:
                    continue
                opens, closes = branch_rules.open_intervals(day, tz)[0]
                cursor = opens
                for _n in range(rng.choice([2, 3, 3, 4])):
                    start = cursor + timedelta(minutes=rng.choice([0, 30, 60, 90])) + zone.rules.buffer_before
                    end = start + timedelta(minutes=min(rng.choice([60, 90, 120, 180]), zone.rules.max_minutes))
                    if end > closes:
                        break
                    reader = zone.bookable_by_readers and rng.random() < 0.8
                    blocked_from, blocked_until = rules.blocked((start, end), zone.rules)
                    status = "cancelled" if rng.random() < 0.06 else ("pending" if zone.requires_approval and offset > 0 and rng.random() < 0.3 else "confirmed")
                    rows.append(
                        Booking(
                            zone=zone.id, starts_at=start, ends_at=end, blocked_from=blocked_from, blocked_until=blocked_until, status=status,
                            holder_kind="reader" if reader else "staff", holder=rng.choice(history_readers) if reader else staff_holder,
                            purpose="Занятие", headcount=1, created_at=now,
                        )
                    )
                    cursor = blocked_until if status != "cancelled" else cursor
    for chunk in range(0, len(rows), 1000):
        await Booking.insert(*rows[chunk : chunk + 1000])
    return len(rows)


async def _free_slots(limit: int) -> list[tuple[int, datetime, datetime]]:
    """One-hour free slots of zones open to readers, from tomorrow on, each one distinct."""
    from src.rooms import availability
    from src.rooms import service as rooms_service
    from src.timeutil import today_in

    slots = []
    zones = [(branch, zone) for branch, zone in await rooms_service.all_zones() if zone.bookable_by_readers and zone.capacity >= 1]
    for offset in range(1, 85):
        for branch, zone in zones:
            start = datetime.combine(today_in(branch.tz) + timedelta(days=offset), datetime.min.time(), tzinfo=branch.tz)
            _b, _z, free = await availability.zone_free(zone.id, start, start + timedelta(days=1))
            for free_start, free_end in free:
                cursor = free_start
                while cursor + timedelta(hours=1) <= free_end:
                    slots.append((zone.id, cursor, cursor + timedelta(hours=1)))
                    cursor += timedelta(minutes=90)  # apart, so clean-up buffers never make two of them clash
        if len(slots) >= limit:
            break
    return slots[:limit]


# --- in-process timings ---------------------------------------------------------------------------------


async def _timings(runs: int) -> dict[str, tuple[float, float]]:
    from src.branches.rules import week_start
    from src.rooms import availability
    from src.rooms import service as rooms_service
    from src.timeutil import today_in

    rng = random.Random(7)
    branches = await rooms_service.list_branches()
    pairs = await rooms_service.all_zones()
    tz = branches[0].tz
    this_monday = week_start(today_in(tz))

    def any_week() -> date:
        return this_monday + timedelta(weeks=rng.randrange(0, 13))  # this week to the booking horizon

    async def zone_week():
        _branch, zone = rng.choice(pairs)
        start = datetime.combine(any_week(), datetime.min.time(), tzinfo=tz)
        await availability.zone_free(zone.id, start, start + timedelta(days=7))

    async def branch_week():
        await availability.branch_week(rng.choice(branches).slug, any_week())

    async def search():
        on = today_in(tz) + timedelta(days=rng.randrange(1, 60))
        start = datetime.combine(on, datetime.min.time(), tzinfo=tz) + timedelta(hours=rng.randrange(10, 17))
        features = tuple(rng.sample(["wifi", "step_free", "projector"], rng.randrange(0, 2)))
        await availability.search(availability.ZoneFilter(min_capacity=rng.choice([None, 5, 10, 20]), features=features, free_from=start, free_to=start + timedelta(hours=rng.choice([1, 2]))))

    results = {}
    for name, work in (("zone availability, one week", zone_week), ("branch week grid", branch_week), ("cross-branch search", search)):
        for _warm in range(20):
            await work()
        samples = []
        for _run in range(runs):
            began = time.perf_counter()
            await work()
            samples.append((time.perf_counter() - began) * 1000)
        results[name] = percentiles(samples)
    return results


# --- sequential over HTTP with a token: the figures issue 17 (item 4) sets beside Indico's room booking ---------

# Indico's room booking on this machine (about 50,000 occurrences, one worker, sequential requests over HTTP with a
# token), as issue 17 gives them: (SQLite-side figure, PostgreSQL-side figure) are the same peer run twice
PEER = {"week availability (ms)": (42.0, 50.0), "free-zone search (ms)": (35.0, 41.0), "bookings created (per s)": (13.0, 18.0)}
SEQUENTIAL = tuple(PEER)
SEQUENTIAL_BOOKINGS = 300


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+", "%2B")


def sequential(base: str, token: str, zone_ids: list[int], booking_lines: list[str], rounds: int = 200) -> dict[str, float]:
    """One request at a time over one kept-alive HTTP connection, each with the reader's bearer token: the median
    of a week's availability of a zone (random zone and week up to the horizon), the median of the free-zone search
    ``GET /api/v1/zones?free_from&free_to&min_capacity`` (a random day and hour, one or two hours, so nothing is
    served from a cache), and bookings created per second (``booking_lines`` as for wrk_posts, ``path<TAB>token<TAB>
    body``, each a distinct free slot, the readers taking turns; 201s counted)."""
    import http.client
    from urllib.parse import urlsplit

    from src.config import get_settings
    from src.timeutil import now_utc

    rng = random.Random(11)
    tz = get_settings().tz
    today = now_utc().astimezone(tz).date()
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def call(method: str, path: str, body: str | None = None, bearer: str = token) -> int:
        headers = {"Authorization": f"Bearer {bearer}"} | ({"Content-Type": "application/json"} if body else {})
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status

    def week_path() -> str:
        start = datetime.combine(today + timedelta(days=rng.randrange(0, 84)), datetime.min.time(), tzinfo=tz)
        return f"/api/v1/zones/{rng.choice(zone_ids)}/availability?start={_iso(start)}&end={_iso(start + timedelta(days=7))}"

    def search_path() -> str:
        start = datetime.combine(today + timedelta(days=rng.randrange(1, 60)), datetime.min.time(), tzinfo=tz) + timedelta(hours=rng.randrange(10, 18))
        return f"/api/v1/zones?free_from={_iso(start)}&free_to={_iso(start + timedelta(hours=rng.choice([1, 2])))}&min_capacity={rng.choice([2, 4, 8])}"

    results: dict[str, float] = {}
    try:
        for label, make in (("week availability (ms)", week_path), ("free-zone search (ms)", search_path)):
            for _warm in range(10):
                call("GET", make())
            samples = []
            for _round in range(rounds):
                path = make()
                began = time.perf_counter()
                status = call("GET", path)
                samples.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path}: {status}")
            results[label] = percentiles(samples)[0]
        created = 0
        began = time.perf_counter()
        for line in booking_lines:
            path, bearer, body = line.split("\t", 2)
            created += call("POST", path, body, bearer) == 201
        results["bookings created (per s)"] = created / (time.perf_counter() - began)
        if created < len(booking_lines):
            print(f"  warning: {len(booking_lines) - created} of {len(booking_lines)} sequential bookings not created", file=sys.stderr)
    finally:
        connection.close()
    return results


def print_sequential(figures: dict[str, dict[str, float]]) -> None:
    """Our figure, the peer's and how many times better, per engine."""
    engines = list(figures)
    print("  sequential over HTTP with a token (one worker) beside Indico's room booking (issue 17, item 4; aim: 3x):")
    for label in SEQUENTIAL:
        row = f"    {label:<28}"
        for engine in engines:
            ours = figures[engine][label]
            peer = PEER[label][engine == "postgres"]
            times = ours / peer if label.endswith("(per s)") else peer / ours if ours else 0.0
            row += f"  {engine} {ours:8.1f} (Indico {peer:.0f}: {times:4.1f}x)"
        print(row)


async def _prepare(runs: int, slots_wanted: int) -> tuple[dict, int, list[str], list[int]]:
    from src.accounts import service as accounts_service

    async with demo_database():
        await _zones_to(ZONES_WANTED)
        history = await _readers(HISTORY_READERS, "h")
        began = time.perf_counter()
        rows = await _year_of_bookings(history)
        print(f"  data: {rows:,} bookings written in {time.perf_counter() - began:.1f} s")
        await analyze()
        timings = await _timings(runs)
        load_readers = await _readers(LOAD_READERS, "l")
        tokens = []
        for account_id in load_readers:
            principal = await accounts_service.load_principal(account_id)
            tokens.append((await accounts_service.issue_token(principal))[0])
        lines = []
        for n, (zone_id, start, end) in enumerate(await _free_slots(slots_wanted)):
            body = f'{{"zone_id":{zone_id},"starts_at":"{start.isoformat()}","ends_at":"{end.isoformat()}","purpose":"bench","headcount":1}}'
            lines.append(f"/api/v1/bookings\t{tokens[n % len(tokens)]}\t{body}")
        return timings, rows, lines, await reader_zone_ids()


async def reader_zone_ids() -> list[int]:
    from src.rooms import service as rooms_service

    return [zone.id for _branch, zone in await rooms_service.all_zones() if zone.bookable_by_readers]


async def _count_bookings() -> int:
    from piccolo.engine import engine_finder

    from src.db import close_pools, open_pools
    from src.rooms.tables import Booking

    engine = engine_finder()
    await open_pools(engine)
    try:
        return await Booking.count()
    finally:
        await close_pools(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=5, help="length of each HTTP load run")
    parser.add_argument("--runs", type=int, default=300, help="timed calls of each in-process measurement")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed for the HTTP figures: apt-get install wrk")
    os.chdir(ROOT)
    print(f"libspace rooms benchmark [{args.db}]: 10 branches, {ZONES_WANTED} zones, a year of bookings")
    with throwaway_database(args.db) as url:
        os.environ["LIBSPACE_DATABASE_URL"] = url  # before src is imported: Piccolo keeps its first engine
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        timings, _rows, lines, zone_ids = asyncio.run(_prepare(args.runs, slots_wanted=args.seconds * 2500 + SEQUENTIAL_BOOKINGS))
        lines, sequential_lines = lines[:-SEQUENTIAL_BOOKINGS], lines[-SEQUENTIAL_BOOKINGS:]
        print(f"  in-process, {args.runs} calls each (median / p95):")
        for name, (median, p95) in timings.items():
            print(f"    {name:<30} {median:7.2f} ms / {p95:7.2f} ms")
        before = asyncio.run(_count_bookings())
        threads = 2
        with served("libspace", {"LIBSPACE_DATABASE_URL": url}) as (base, _ready, _process):
            branches_rate = wrk(base + "/api/v1/branches", args.seconds, connections=args.connections, threads=threads)
            booking_rate, codes = wrk_posts(base, lines, args.seconds, args.connections, threads)
            figures = sequential(base, sequential_lines[0].split("\t")[1], zone_ids, sequential_lines)
        made = asyncio.run(_count_bookings()) - before
    print(f"  HTTP, one worker, wrk -t{threads} -c{args.connections} -d{args.seconds}s:")
    print(f"    GET /api/v1/branches           {branches_rate:9,.0f} req/s")
    print(f"    POST /api/v1/bookings (201)    {booking_rate:9,.0f} bookings/s  ({codes['201']} created, {codes['409']} clashes, {codes['other']} other; {made} rows added)")
    print_sequential({args.db: figures})
    ratio = booking_rate / branches_rate if branches_rate else 0.0
    week_ms, grid_ms = timings["zone availability, one week"][0], timings["branch week grid"][0]
    print("  targets:")
    if args.db == "sqlite":
        print(f"    week availability < 5 ms: {'yes' if week_ms < 5 else 'NO'} ({week_ms:.2f});  week grid < 30 ms: {'yes' if grid_ms < 30 else 'NO'} ({grid_ms:.2f})")
    print(f"    bookings >= 1/3 of branches rate: {'yes' if ratio >= 1 / 3 else 'NO'} ({ratio:.2f});  >= 120 bookings/s: {'yes' if booking_rate >= 120 else 'NO'}")


if __name__ == "__main__":
    main()
