"""Issue 15 figures: a year of the network's data (5,000 events, 100,000 sign-ups, 50,000 bookings, 3,000
consultations, plus drop-in head counts, surveys and school visits) in a fresh throwaway database, then the
statistics summary (``src.stats.service.summary``, what ``GET /api/v1/stats/summary`` answers) for the whole
network and for one branch over that year, in-process: median and p95. Aim: under 200 ms on either engine.

    .venv/bin/python -m bench.stats_bench --db sqlite|postgres [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import date, datetime, time as clock_time, timedelta

from bench.common import ROOT, cli, percentiles, throwaway_database

CATEGORIES = ("career_workshop", "local_history", "reading_club", "master_class", "lecture", "exhibition", "family", "other")


async def seed(events: int, sign_ups: int, bookings: int, consultations: int, readers: int) -> dict[str, int]:
    """Insert the year directly (fast); every invariant of the schema holds (no overlapping bookings or slots)."""
    from piccolo.engine import engine_finder

    from src.accounts.tables import Account, ReaderCard
    from src.config import get_settings
    from src.db import write_transaction
    from src.events.rules import new_ticket_code
    from src.events.tables import Event, EventAttendance, Registration
    from src.guidance.tables import Consultation, SurveyResponse
    from src.rooms import service as rooms_service
    from src.rooms.tables import Booking
    from src.schools.tables import Programme, School, VisitRequest
    from src.timeutil import now_utc

    rng = random.Random(15)
    now = now_utc()
    tz = get_settings().tz
    today = now.astimezone(tz).date()
    first = today - timedelta(days=365)
    branches = list(await rooms_service.list_branches())
    branch_ids = [branch.id for branch in branches]
    zones = [zone.id for branch in branches for zone in branch.zones]
    staff = (await Account.select(Account.id).where(Account.role == "staff").first())["id"]
    counsellors = [row["id"] for row in await Account.select(Account.id).where(Account.role == "counsellor")]
    engine = engine_finder()

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), tzinfo=tz)

    async with write_transaction(engine):
        account_ids: list[int] = []
        for start in range(0, readers, 1000):
            rows = [Account(role="reader", email=f"stats{i}@example.ru", full_name=f"Читатель {i}", created_at=now, updated_at=now) for i in range(start, min(start + 1000, readers))]
            account_ids += [row["id"] for row in await Account.insert(*rows).returning(Account.id)]
        for start in range(0, len(account_ids), 1000):
            await ReaderCard.insert(*[
                ReaderCard(account=aid, card_number=f"78{aid:010d}", birth_date=today - timedelta(days=rng.randint(7 * 365, 75 * 365)),
                           home_branch=branch_ids[aid % len(branch_ids)], consent_at=now, created_at=at(first + timedelta(days=rng.randint(-400, 364)), 12))
                for aid in account_ids[start:start + 1000]
            ])
        event_rows = []
        for index in range(events):
            day = first + timedelta(days=index * 365 // events)
            starts = at(day, rng.choice((11, 13, 15, 16, 17)))
            category = rng.choice(CATEGORIES)
            low = rng.choice((None, 7, 12, 14, 16))
            event_rows.append(Event(
                branch=branch_ids[index % len(branch_ids)], title=f"{category} {index}", category=category, min_age=low, max_age=(low + 6) if low and low < 14 else (18 if low else None),
                starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=None if category == "exhibition" else rng.randint(10, 40),
                status="cancelled" if rng.random() < 0.03 else "scheduled", attendance_taken=starts < now, created_at=now, updated_at=now,
            ))
        ids: list[int] = []
        for start in range(0, len(event_rows), 500):
            ids += [row["id"] for row in await Event.insert(*event_rows[start:start + 500]).returning(Event.id)]
        with_signup = [(event_id, row) for event_id, row in zip(ids, event_rows) if row.capacity is not None]
        heads = [EventAttendance(event=event_id, total=(total := rng.randint(10, 150)), children=(kids := rng.randint(0, total // 3)), youth=rng.randint(0, (total - kids) // 2),
                                 entered_by=staff, entered_at=row.ends_at) for event_id, row in zip(ids, event_rows) if row.capacity is None and row.starts_at < now]
        for start in range(0, len(heads), 1000):
            await EventAttendance.insert(*heads[start:start + 1000])
        batch: list = []
        made = 0
        per_event = sign_ups // len(with_signup) + 1
        for event_id, row in with_signup:
            chosen = rng.sample(account_ids, min(per_event, sign_ups - made))
            for reader in chosen:
                walk_in = rng.random() < 0.03
                checked = row.starts_at < now and not walk_in and rng.random() < 0.75
                batch.append(Registration(
                    event=event_id, reader=reader, seats=1, status="confirmed", ticket_code=new_ticket_code(), created_by=staff if walk_in else reader,
                    created_at=row.starts_at + timedelta(minutes=15) if walk_in else row.starts_at - timedelta(days=rng.randint(1, 14)),
                    checked_in_at=row.starts_at + timedelta(minutes=3) if checked else None,
                ))
            made += len(chosen)
            if len(batch) >= 2000:
                await Registration.insert(*batch)
                batch = []
            if made >= sign_ups:
                break
        if batch:
            await Registration.insert(*batch)
        per_zone = bookings // len(zones) + 1
        batch, made = [], 0
        for zone in zones:
            for slot in range(per_zone):
                if made >= bookings:
                    break
                day = first + timedelta(days=slot // 5)  # five two-hour slots a day: the year stays in the past
                starts = at(day, 9 + 2 * (slot % 5))
                ends = starts + timedelta(hours=rng.choice((1, 2)))
                status = rng.choices(("confirmed", "cancelled", "declined", "pending"), (80, 10, 5, 5))[0]
                batch.append(Booking(zone=zone, starts_at=starts, ends_at=ends, blocked_from=starts, blocked_until=ends, status=status, holder_kind="reader",
                                     holder=account_ids[(zone * 7919 + slot) % len(account_ids)], created_at=starts - timedelta(days=2)))
                made += 1
                if len(batch) >= 1000:  # PostgreSQL takes at most 32,767 arguments a statement
                    await Booking.insert(*batch)
                    batch = []
        if batch:
            await Booking.insert(*batch)
        batch = []
        for index in range(consultations):
            counsellor = counsellors[index % len(counsellors)]
            slot = index // len(counsellors)
            starts = at(first + timedelta(days=slot // 6), 10 + slot % 6)
            batch.append(Consultation(counsellor=counsellor, reader=account_ids[index % len(account_ids)], branch=branch_ids[slot % len(branch_ids)], starts_at=starts,
                                      ends_at=starts + timedelta(minutes=45), status="booked" if rng.random() < 0.9 else "cancelled", private_notes="заметка", created_at=starts - timedelta(days=3)))
            if len(batch) >= 1000:
                await Consultation.insert(*batch)
                batch = []
        if batch:
            await Consultation.insert(*batch)
        await SurveyResponse.insert(*[
            SurveyResponse(reader=rng.choice(account_ids), answers={}, scores={}, top_types=",".join(rng.sample(("nature", "technology", "people", "signs", "art"), 2)),
                           created_at=at(first + timedelta(days=rng.randint(0, 364)), 14)) for _ in range(2000)
        ])
        school = (await School.select(School.id).first())["id"]
        programme = (await Programme.select(Programme.id).first())["id"]
        await VisitRequest.insert(*[
            VisitRequest(school=school, programme=programme, branch=rng.choice(branch_ids), class_name="5А", grade=rng.randint(1, 11), group_size=rng.randint(10, 30), adults=2,
                         status=rng.choice(("confirmed", "confirmed", "declined", "requested")), starts_at=(s := at(first + timedelta(days=rng.randint(0, 364)), 10)),
                         ends_at=s + timedelta(hours=1), created_at=s - timedelta(days=20), updated_at=s) for _ in range(500)
        ])
    return {"events": await Event.count(), "sign-ups": await Registration.count(), "bookings": await Booking.count(), "consultations": await Consultation.count()}


async def measure(rounds: int) -> dict[str, tuple[float, float, float, float]]:
    from src.accounts.permissions import Principal
    from src.stats import service
    from src.stats.periods import Period
    from src.timeutil import now_utc

    today = now_utc().date()
    year = Period(today - timedelta(days=365), today)
    admin = Principal(id=1, role="admin", full_name="bench")
    from src import cache

    results = {}
    for name, branches in (("network, a year", []), ("one branch (chekhov), a year", ["chekhov"])):
        for label, count, cold in (("SQL, nothing kept", max(3, rounds // 8), True), ("as served (kept up to a minute)", rounds, False)):
            await service.summary(admin, branches, year)
            samples, cpu = [], []
            for _ in range(count):
                if cold:
                    cache.clear_local()
                start, start_cpu = time.perf_counter(), time.process_time()
                await service.summary(admin, branches, year)
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            results[f"{name}, {label}, {count} rounds"] = (*percentiles(samples), *percentiles(cpu))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--sign-ups", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--consultations", type=int, default=3000)
    parser.add_argument("--readers", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    os.chdir(ROOT)
    with throwaway_database(args.db) as url:
        cli(url, "migrate")
        cli(url, "demo", "--no-history")
        os.environ["LIBSPACE_DATABASE_URL"] = url
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        sys.path.insert(0, str(ROOT))
        from piccolo.engine import engine_finder

        from src.db import close_pools, open_pools

        async def run():
            engine = engine_finder()
            await open_pools(engine)
            try:
                started = time.perf_counter()
                counts = await seed(args.events, args.sign_ups, args.bookings, args.consultations, args.readers)
                print(f"{args.db}: seeded {counts} in {time.perf_counter() - started:.1f} s")
                if args.db == "postgres":
                    await engine.run_ddl("ANALYZE")
                print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it)")
                for name, (median, p95, cpu_median, cpu_p95) in (await measure(args.rounds)).items():
                    print(f"  summary, {name}: median {median:.1f} ms, p95 {p95:.1f} ms; CPU of this process"
                          f" (SQLite runs in it, PostgreSQL does not) median {cpu_median:.1f} ms, p95 {cpu_p95:.1f} ms")
            finally:
                await close_pools(engine)

        asyncio.run(run())


if __name__ == "__main__":
    main()
