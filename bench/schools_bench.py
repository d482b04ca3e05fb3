"""School visits: suggested free zones and times for a request, with 10 branches and a year of bookings.

    .venv/bin/python -m bench.schools_bench --db sqlite|postgres [--runs 300]

A fresh throwaway database gets the migrations and the demo (10 branches, their zones, schools, programmes),
then about 50,000 bookings written straight into the rooms booking table: every zone, every open day from
half a year ago to half a year ahead, back to back with short gaps (buffers kept, so the database's
no-overlap guard accepts them). Then, in-process, the suggestions for two requests are timed: three one-day
windows (the usual request), and three week-long windows (the widest a teacher can ask for). Each call
is what the staff queue does per request: load the visit, read the candidate zones' bookings in one query,
compute. Prints the median and the 95th percentile of the wall time, and the median CPU time of this process
(the database's own work on PostgreSQL is not in it), which a busy machine disturbs less.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import ROOT, cli, percentiles, throwaway_database

TARGET_BOOKINGS = 50_000


def _setup(url: str) -> None:
    os.environ["LIBSPACE_DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    cli(url, "migrate")
    cli(url, "demo")


async def _fill(days_back: int = 182, days_ahead: int = 183) -> int:
    """About 50,000 bookings over a year in every zone of every branch, written directly into the table."""
    from piccolo.engine import engine_finder

    from src.branches import rules as branch_rules
    from src.db import write_transaction
    from src.rooms import rules as rooms_rules
    from src.rooms import service as rooms_service
    from src.rooms.tables import Booking
    from src.timeutil import now_utc

    rng = random.Random(6)
    now = now_utc()
    taken_days = {(row["zone"], row["starts_at"].date()) for row in await Booking.select(Booking.zone, Booking.starts_at)}
    rows: list[Booking] = []
    for branch in await rooms_service.list_branches():
        tz = branch.tz
        first = now.astimezone(tz).date() - timedelta(days=days_back)
        for zone in branch.zones:
            before, after = zone.rules.buffer_before, zone.rules.buffer_after
            for offset in range(days_back + days_ahead):
                on = first + timedelta(days=offset)
                if (zone.id, on) in taken_days:
                    continue
                for opens, closes in branch_rules.open_intervals(zone.schedule.day(on), tz):
                    start = opens + timedelta(minutes=30 * rng.randint(0, 1))
                    while True:
                        end = start + timedelta(minutes=rng.choice((60, 60, 90)))
                        if end > closes:
                            break
                        status = "cancelled" if rng.random() < 0.05 else "confirmed"
                        rows.append(
                            Booking(
                                zone=zone.id, starts_at=start, ends_at=end, blocked_from=start - before, blocked_until=end + after,
                                status=status, holder_kind=rng.choice(("reader", "staff", "event")), purpose="bench",
                                headcount=1, created_at=now,
                            )
                        )
                        gap = before + after + timedelta(minutes=30 * rng.choice((0, 0, 0, 0, 1, 2, 4)))
                        start = rooms_rules.snap(end + gap, zone.rules.slot, tz)
    print(f"generated {len(rows)} bookings, keeping {min(len(rows), TARGET_BOOKINGS)}")
    rng.shuffle(rows)
    rows = sorted(rows[:TARGET_BOOKINGS], key=lambda row: (row.zone, row.starts_at))
    engine = engine_finder()
    for index in range(0, len(rows), 1000):  # PostgreSQL takes at most 32767 parameters a query
        async with write_transaction(engine):
            await Booking.insert(*rows[index : index + 1000])
    if engine.engine_type == "postgres":
        await engine.run_ddl("ANALYZE booking")  # what autovacuum would soon do after such a load
    return await Booking.count()


async def _request(wide: bool) -> int:
    """A local-history lesson for a class of 22 (with adults) at the "Dialog" library: three windows."""
    from src.accounts import service as accounts_service
    from src.accounts.tables import Account
    from src.rooms import service as rooms_service
    from src.schools import service as visits
    from src.schools.rules import Window
    from src.schools.tables import Programme
    from src.timeutil import now_utc

    branch = await rooms_service.get_branch("dialog")
    teacher = await accounts_service.load_principal((await Account.select(Account.id).where(Account.email == "teacher@libspace.local").first())["id"])
    programme = await Programme.select(Programme.id).where(Programme.title.like("Урок краеведения%")).first()
    day: date = now_utc().astimezone(branch.tz).date() + timedelta(days=10)
    windows = []
    while len(windows) < 3:
        if day.weekday() in (1, 2, 3, 4) and branch.schedule.day(day).is_open:
            last = day + timedelta(days=6 if wide else 0)
            windows.append(Window(datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=branch.tz), datetime.combine(last, datetime.min.time().replace(hour=16), tzinfo=branch.tz)))
            day += timedelta(days=7 if wide else 1)
        day += timedelta(days=1)
    data = visits.VisitInput(programme_id=programme["id"], branch="dialog", windows=windows, class_name="6А", grade=6, group_size=20, adults=2)
    return (await visits.request_visit(teacher, data)).id


async def _measure(runs: int) -> None:
    from piccolo.engine import engine_finder

    from src.accounts import service as accounts_service
    from src.accounts.tables import Account
    from src.db import close_pools, open_pools
    from src.schools import service as visits

    engine = engine_finder()
    await open_pools(engine)
    try:
        started = time.perf_counter()
        count = await _fill()
        print(f"bookings in the database: {count} (written in {time.perf_counter() - started:.1f} s)")
        gc.collect()  # the generated rows are garbage now: collect them before timing, not during
        staff = await accounts_service.load_principal((await Account.select(Account.id).where(Account.email == "staff.dialog@libspace.local").first())["id"])
        for name, wide in (("three one-day windows", False), ("three week-long windows", True)):
            visit_id = await _request(wide)
            _branch, found = await visits.suggestions(staff, visit_id)  # warm the caches
            samples, cpu = [], []
            for _run in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                _branch, found = await visits.suggestions(staff, visit_id)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            median, p95 = percentiles(samples)
            inside = sum(1 for s in found if s.window is not None)
            print(
                f"suggestions, {name}: median {median:.2f} ms, p95 {p95:.2f} ms over {runs} runs "
                f"(this process's CPU: median {percentiles(cpu)[0]:.2f} ms; {len(found)} suggestions, {inside} inside the windows)"
            )
    finally:
        await close_pools(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with throwaway_database(args.db) as url:
        print(f"engine: {args.db}")
        _setup(url)
        asyncio.run(_measure(args.runs))


if __name__ == "__main__":
    main()
