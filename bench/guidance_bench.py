"""Issue 5 figures: median time to rank recommendations for a reader, and to search a month of consultation
slots, in-process, with 5,000 events and 20 counsellors over three months in a fresh throwaway database.

    .venv/bin/python -m bench.guidance_bench --db sqlite|postgres [--runs 50]

The data is written straight into the tables (demo branches and readers first): 20 counsellors, each with three
weekly windows in different branches, about 40 % of their slots booked over the next three months, and 5,000
events of which a third are career workshops tagged with types, fields and age ranges.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time as clock
from datetime import datetime, time, timedelta

from bench.common import ROOT, cli, throwaway_database

COUNSELLORS = 20
READERS = 2000
DAYS = 92


async def _fill(events: int) -> dict:
    from src.accounts.tables import Account, ReaderCard
    from src.guidance import availability as guidance_availability
    from src.guidance import service as guidance_service
    from src.guidance.tables import Consultation, CounsellorAvailability
    from src.rooms import service as rooms_service
    from src.timeutil import now_utc

    rng = random.Random(5)
    now = now_utc()
    branches = list(await rooms_service.list_branches())
    counsellor_ids = []
    for n in range(COUNSELLORS):
        account = Account(role="counsellor", email=f"bench.c{n}@bench.local", full_name=f"Консультант {n}", password_hash="", created_at=now, updated_at=now)
        await account.save()
        counsellor_ids.append(account.id)
        windows = []
        for k, weekday in enumerate(rng.sample(range(6), 3)):
            branch = branches[(n + k * 3) % len(branches)]
            windows.append(CounsellorAvailability(counsellor=account.id, branch=branch.id, weekday=weekday, starts=time(11 + k), ends=time(15 + k), slot_minutes=(30, 45, 60)[n % 3], buffer_minutes=(10, 15, 0)[n % 3], created_at=now))
        await CounsellorAvailability.insert(*windows)
    reader_ids = []
    batch = [Account(role="reader", email=f"bench.r{n}@bench.local", full_name=f"Читатель {n}", password_hash="", created_at=now, updated_at=now) for n in range(READERS)]
    for row in await Account.insert(*batch).returning(Account.id):
        reader_ids.append(row["id"])
    await ReaderCard.insert(*[
        ReaderCard(account=rid, card_number=f"29{n:010d}", birth_date=datetime(2009, 1, 1).date(), home_branch=branches[n % len(branches)].id, consent_at=now, created_at=now)
        for n, rid in enumerate(reader_ids)
    ])
    await guidance_service.cache.bump(guidance_availability.AVAILABILITY_CACHE)
    today = now.astimezone(guidance_service.get_settings().tz).date()
    grid = []
    for month in range(0, DAYS, 60):  # the service answers at most 62 days at a time
        grid += await guidance_availability.slots(today + timedelta(days=month), today + timedelta(days=min(month + 59, DAYS)))
    booked = [slot for slot in grid if rng.random() < 0.4]
    rows = [
        Consultation(counsellor=s.counsellor_id, reader=reader_ids[i % READERS], branch=s.branch_id, starts_at=s.starts_at, ends_at=s.ends_at, status="booked", created_at=now)
        for i, s in enumerate(booked)
    ]
    for start in range(0, len(rows), 500):
        await Consultation.insert(*rows[start : start + 500])
    workshops = await _events(events, branches, rng, now)
    return {"slots in three months": len(grid), "consultations": len(rows), "events": events, "career workshops": workshops, "reader": reader_ids[0]}


async def _events(count: int, branches, rng: random.Random, now: datetime) -> int:
    try:
        from src.events.tables import Event
    except ImportError:  # the events domain has not landed on this branch
        return 0
    from src.guidance.constants import TYPES, WORKSHOP_CATEGORY

    fields = ["it", "medicine", "engineering", "education", "arts", "ecology", "agriculture", "finance", "media", "transport"]
    rows, workshops = [], 0
    for n in range(count):
        starts = (now + timedelta(days=rng.uniform(-30, DAYS))).replace(minute=0, second=0, microsecond=0)
        career = n % 3 == 0
        workshops += career
        capacity = rng.choice([None, 15, 20, 30])
        rows.append(Event(
            branch=rng.choice(branches).id, title=f"Событие {n}", category=WORKSHOP_CATEGORY if career else rng.choice(["lecture", "reading_club", "master_class"]),
            starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity, seats_taken=rng.randint(0, capacity) if capacity else 0,
            min_age=rng.choice([None, 12, 14, 16]), max_age=rng.choice([None, 18, 21]),
            profession_types=",".join(rng.sample(TYPES, rng.randint(1, 2))) if career else "", career_fields=",".join(rng.sample(fields, rng.randint(0, 2))) if career else "",
            created_at=now, updated_at=now,
        ))
    for start in range(0, len(rows), 500):
        await Event.insert(*rows[start : start + 500])
    return workshops


async def _median_ms(action, runs: int) -> tuple[float, float]:
    await action()  # warm the caches once, as a running server has them
    samples = []
    for _ in range(runs):
        started = clock.perf_counter()
        await action()
        samples.append((clock.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def _run(events: int, runs: int) -> None:
    from piccolo.engine import engine_finder

    from src.accounts import service as accounts_service
    from src.db import close_pools, open_pools
    from src.guidance import availability as guidance_availability
    from src.guidance import service as guidance_service
    from src.timeutil import now_utc

    engine = engine_finder()
    await open_pools(engine)
    try:
        started = clock.perf_counter()
        facts = await _fill(events)
        print(f"  data: {', '.join(f'{v:,} {k}' for k, v in facts.items() if k != 'reader')} (written in {clock.perf_counter() - started:.1f} s)")
        reader = await accounts_service.load_principal(facts["reader"])
        today = now_utc().astimezone(guidance_service.get_settings().tz).date()
        _latest, ranked = await guidance_service.recommendations(reader)
        print(f"  recommendations for a reader: {len(ranked)} items ({sum(r.kind == 'workshop' for r in ranked)} workshops)")
        median, p95 = await _median_ms(lambda: guidance_service.recommendations(reader), runs)
        print(f"  recommendations, median {median:.1f} ms (p95 {p95:.1f} ms)")
        found = await guidance_availability.slots(today, today + timedelta(days=30))
        median, p95 = await _median_ms(lambda: guidance_availability.slots(today, today + timedelta(days=30)), runs)
        print(f"  slot search, one month, every branch and counsellor ({len(found):,} free slots): median {median:.1f} ms (p95 {p95:.1f} ms)")
        median, p95 = await _median_ms(lambda: guidance_availability.slots(today, today + timedelta(days=30), "chekhov"), runs)
        print(f"  slot search, one month, one branch: median {median:.1f} ms (p95 {p95:.1f} ms)")
    finally:
        await close_pools(engine)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    os.chdir(ROOT)
    with throwaway_database(args.db) as url:
        cli(url, "migrate")
        cli(url, "demo")
        os.environ["LIBSPACE_DATABASE_URL"] = url
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        print(f"libspace guidance benchmark [{args.db}], in-process, {args.runs} runs each")
        asyncio.run(_run(args.events, args.runs))


if __name__ == "__main__":
    main()
