"""Issue 4 figures: a year of events in 10 branches (about 5,000 events and 100,000 sign-ups) in a fresh
throwaway database, then

* the filtered catalogue query in-process (median and p95),
* the catalogue page over HTTP (median and p95 one request at a time; rate by wrk),
* ``GET /api/v1/branches`` by wrk in the same run, for the ratio,
* sign-ups per second through HTTP with one worker (a real ``libspace serve``).

    .venv/bin/python -m bench.events_bench --db sqlite|postgres [--events 5000] [--sign-ups 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import ROOT, cli, percentiles, served, throwaway_database, wrk

FILTERED = "category=career_workshop&age=15&free_only=1"
CATEGORIES = ("career_workshop", "local_history", "reading_club", "master_class", "lecture", "exhibition", "family", "other")
WORDS = ("программист", "врач", "краеведение", "книга", "робототехника", "театр", "фотография", "инженер", "дизайн", "история")


async def seed(events: int, sign_ups: int, readers: int) -> tuple[list[int], list[str]]:
    """Insert the year directly (fast, consistent counters); returns ids of big open events and reader tokens."""
    from piccolo.engine import engine_finder

    from src.accounts.tables import Account, ApiToken, ReaderCard
    from src.branches.tables import Branch
    from src.config import get_settings
    from src.db import write_transaction
    from src.events.rules import new_ticket_code, search_text
    from src.events.tables import Event, Registration
    from src.timeutil import now_utc

    rng = random.Random(4)
    now = now_utc()
    tz = get_settings().tz
    branch_ids = [row["id"] for row in await Branch.select(Branch.id)]
    today = now.astimezone(tz).date()
    async with write_transaction(engine_finder()):
        account_ids = []
        for start in range(0, readers, 1000):
            rows = [Account(role="reader", email=f"bench{i}@example.ru", full_name=f"Читатель {i}", created_at=now, updated_at=now) for i in range(start, min(start + 1000, readers))]
            account_ids += [row["id"] for row in await Account.insert(*rows).returning(Account.id)]
        for start in range(0, len(account_ids), 1000):
            await ReaderCard.insert(*[
                ReaderCard(account=aid, card_number=f"77{aid:010d}", birth_date=date(2000 + aid % 12, 1 + aid % 12, 1 + aid % 28), home_branch=branch_ids[aid % len(branch_ids)], consent_at=now, created_at=now)
                for aid in account_ids[start:start + 1000]
            ])
        tokens = [secrets.token_urlsafe(24) for _ in account_ids]
        for start in range(0, len(account_ids), 1000):
            await ApiToken.insert(*[
                ApiToken(account=aid, token_hash=hashlib.sha256(token.encode()).hexdigest(), created_at=now, expires_at=now + timedelta(days=30))
                for aid, token in zip(account_ids[start:start + 1000], tokens[start:start + 1000])
            ])
        per_event = sign_ups / events
        event_rows = []
        for index in range(events):
            day = today - timedelta(days=182) + timedelta(days=index * 365 // events)
            starts = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=rng.choice((11, 13, 15, 16, 17)))
            category = rng.choice(CATEGORIES)
            capacity = None if category == "exhibition" else rng.randint(10, 40)
            low = rng.choice((None, 7, 12, 14, 16))
            title = f"{category.replace('_', ' ').title()}: {rng.choice(WORDS)} {index}"
            event_rows.append(Event(
                branch=branch_ids[index % len(branch_ids)], title=title, category=category, min_age=low, max_age=(low + 6) if low and low < 14 else (18 if low else None),
                starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity, waitlist=True, search_text=search_text(title),
                status="scheduled", created_at=now, updated_at=now,
            ))
        ids: list[int] = []
        for start in range(0, len(event_rows), 500):
            ids += [row["id"] for row in await Event.insert(*event_rows[start:start + 500]).returning(Event.id)]
        batch: list = []
        made = 0
        for event_id, row in zip(ids, event_rows):
            if row.capacity is None:
                continue
            wanted = min(int(rng.expovariate(1 / per_event) * 1.1) + 1, len(account_ids), 120)
            chosen = rng.sample(account_ids, wanted)
            taken = 0
            for reader in chosen:
                status = "confirmed" if taken < row.capacity else "waitlisted"
                taken += status == "confirmed"
                batch.append(Registration(event=event_id, reader=reader, seats=1, status=status, ticket_code=new_ticket_code(), created_at=now))
            await Event.update({Event.seats_taken: taken}).where(Event.id == event_id)
            made += wanted
            if len(batch) >= 2000:
                await Registration.insert(*batch)
                batch = []
            if made >= sign_ups:
                break
        if batch:
            await Registration.insert(*batch)
        # a few big events open for the HTTP sign-up run, one per branch, next week
        big = []
        for branch_id in branch_ids:
            starts = datetime.combine(today + timedelta(days=7), datetime.min.time(), tzinfo=tz) + timedelta(hours=15)
            event = Event(branch=branch_id, title="Большой фестиваль", category="other", starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=300,
                          waitlist=True, search_text="большой фестиваль", status="scheduled", created_at=now, updated_at=now)
            await event.save()
            big.append(event.id)
    return big, tokens


async def in_process(rounds: int) -> dict[str, tuple[float, float]]:
    from src.events import queries

    cases = {
        "filtered (career_workshop, age 15, free only, upcoming)": queries.Filters(category="career_workshop", age=15, free_only=True),
        "branch + dates (one month)": queries.Filters(branch="dialog", start=date.today() + timedelta(days=10), end=date.today() + timedelta(days=40)),
        "text search 'робот'": queries.Filters(q="робот"),
        "no filter (upcoming)": queries.Filters(),
    }
    results = {}
    for name, filters in cases.items():
        await queries.catalogue(filters, 1, 20)  # warm the branch cache
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            await queries.catalogue(filters, 1, 20)
            samples.append((time.perf_counter() - start) * 1000)
        results[name] = percentiles(samples)
    return results


async def sequential_latency(url: str, rounds: int, distinct: bool = False) -> tuple[float, float]:
    """One request at a time; ``distinct`` adds an ignored parameter so every URL misses the page cache."""
    import httpx

    samples = []
    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(url)
        for index in range(rounds):
            start = time.perf_counter()
            answer = await client.get(f"{url}&n={index}" if distinct else url)
            samples.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.status_code
    return percentiles(samples)


async def sign_up_rate(base: str, events: list[int], tokens: list[str], count: int, concurrency: int) -> tuple[float, dict[int, int]]:
    import httpx

    statuses: dict[int, int] = {}
    queue = list(enumerate(tokens[:count]))

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            index, token = queue.pop()
            answer = await client.post(f"{base}/api/v1/events/{events[index % len(events)]}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"})
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return count / elapsed, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--sign-ups", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=6000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--http-sign-ups", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    os.chdir(ROOT)
    with throwaway_database(args.db) as url:
        cli(url, "migrate")
        cli(url, "demo")
        os.environ["LIBSPACE_DATABASE_URL"] = url
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        sys.path.insert(0, str(ROOT))
        from piccolo.engine import engine_finder

        from src.db import close_pools, open_pools

        async def prepare():
            engine = engine_finder()
            await open_pools(engine)
            try:
                started = time.perf_counter()
                big, tokens = await seed(args.events, args.sign_ups, args.readers)
                seeded = time.perf_counter() - started
                from src.events.tables import Event, Registration

                counts = (await Event.count(), await Registration.count())
                timings = await in_process(300)
                return big, tokens, seeded, counts, timings
            finally:
                await close_pools(engine)

        big, tokens, seeded, (events, registrations), timings = asyncio.run(prepare())
        print(f"libspace events benchmark [{args.db}]: {events:,} events, {registrations:,} sign-ups, seeded in {seeded:.1f} s")
        print("  catalogue query in-process, first page of 20 with the total (median / p95 of 300):")
        for name, (median, p95) in timings.items():
            print(f"    {name}: {median:.2f} ms / {p95:.2f} ms")
        env = {"LIBSPACE_DATABASE_URL": url}
        with served("libspace", env) as (base, _ready, _process):
            page_median, page_p95 = asyncio.run(sequential_latency(f"{base}/events?{FILTERED}", 200))
            cold_median, cold_p95 = asyncio.run(sequential_latency(f"{base}/events?{FILTERED}", 200, distinct=True))
            api_median, api_p95 = asyncio.run(sequential_latency(f"{base}/api/v1/events?{FILTERED}&page_size=20", 200))
            branches_rate = wrk(f"{base}/api/v1/branches", args.seconds)
            page_rate = wrk(f"{base}/events?{FILTERED}", args.seconds)
            api_rate = wrk(f"{base}/api/v1/events?{FILTERED}&page_size=20", args.seconds)
            rate, statuses = asyncio.run(sign_up_rate(base, big, tokens, args.http_sign_ups, args.concurrency))
        print(f"  catalogue page GET /events?{FILTERED}, one at a time (median / p95 of 200):")
        print(f"    as served (anonymous page cache, 2 s): {page_median:.1f} ms / {page_p95:.1f} ms")
        print(f"    rendered every time (distinct URLs):   {cold_median:.1f} ms / {cold_p95:.1f} ms")
        print(f"  catalogue API  GET /api/v1/events?{FILTERED}&page_size=20: {api_median:.1f} ms / {api_p95:.1f} ms")
        print("  one granian worker, wrk -t2 -c32:")
        print(f"    GET /api/v1/branches: {branches_rate:,.0f} req/s")
        print(f"    catalogue page:       {page_rate:,.0f} req/s = {page_rate / branches_rate if branches_rate else 0:.2f} of the branches rate (aim >= 0.25)")
        print(f"    catalogue API:        {api_rate:,.0f} req/s = {api_rate / branches_rate if branches_rate else 0:.2f} of the branches rate")
        print(f"  sign-ups through HTTP ({args.http_sign_ups} readers, {args.concurrency} at a time, {len(big)} events): {rate:,.0f} per second; answers {statuses}")


if __name__ == "__main__":
    main()
