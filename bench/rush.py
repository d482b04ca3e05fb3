"""Issue 17, the rush: registration opens for a popular workshop and 1,000 teenagers press "sign up" within 10 s.

    .venv/bin/python -m bench.rush [--engines sqlite,postgres] [--clients 1000] [--capacity 30] [--within 10] [--workers 4]

For each engine, in a fresh throwaway database with the demo data: ``--clients`` readers aged 15 (each with a
card, guardian consent and their own API token, issued through the accounts service; one password hash reused),
one workshop with ``--capacity`` seats and a waitlist; then ``libspace serve --workers N`` and as many httpx
clients over loopback, each sending its one sign-up at a random moment within ``--within`` seconds (every
client has a deadline of ``--timeout`` seconds). Printed: answers by status (errors must be 0), confirmed
against the capacity, whether the confirmed are the first accepted and the waitlist positions run 1, 2, 3 in
the order the server accepted them (registration ids), how far that order strays from the order the clients
sent in, and p50/p95/p99 latency; then the same checks on the rows in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import ROOT, demo_database, served, throwaway_database


async def _prepare(clients: int, capacity: int) -> tuple[int, list[str]]:
    """Readers with cards and tokens, and the workshop; returns the event id and the tokens (in client order)."""
    from src.accounts import service as accounts_service
    from src.accounts.passwords import hash_password_sync
    from src.accounts.tables import Account, ReaderCard
    from src.branches.tables import Branch
    from src.config import get_settings
    from src.events.rules import search_text
    from src.events.tables import Event
    from src.timeutil import now_utc

    async with demo_database():
        now = now_utc()
        tz = get_settings().tz
        today = now.astimezone(tz).date()
        branch = (await Branch.select(Branch.id).where(Branch.slug == "chekhov").first())["id"]
        password = hash_password_sync("rush-password")  # one hash for all: the rush is about sign-up, not login
        accounts = [Account(role="reader", email=f"rush{n}@bench.local", full_name=f"Подросток {n}", password_hash=password, created_at=now, updated_at=now) for n in range(clients)]
        ids = []
        for start in range(0, clients, 500):
            ids += [row["id"] for row in await Account.insert(*accounts[start : start + 500]).returning(Account.id)]
        born = date(today.year - 15, 1, 1)
        await ReaderCard.insert(*[
            ReaderCard(account=account_id, card_number=f"55{account_id:010d}", birth_date=born, home_branch=branch, consent_at=now, guardian_consent_at=now, created_at=now)
            for account_id in ids
        ])
        tokens = []
        for account_id in ids:
            principal = await accounts_service.load_principal(account_id)
            tokens.append((await accounts_service.issue_token(principal))[0])
        starts = datetime.combine(today + timedelta(days=7), datetime.min.time(), tzinfo=tz) + timedelta(hours=16)
        title = "Мастерская робототехники"
        event = Event(
            branch=branch, title=title, category="career_workshop", min_age=12, max_age=18, starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=capacity, waitlist=True, search_text=search_text(title), status="scheduled", created_at=now, updated_at=now,
        )
        await event.save()
        return event.id, tokens


async def _rush(base: str, event_id: int, tokens: list[str], within: float, timeout: float) -> list[dict]:
    import httpx

    rng = random.Random(17)
    moments = sorted(rng.uniform(0, within) for _ in tokens)
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    answers: list[dict] = []
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        began = time.perf_counter()

        async def press(order: int, token: str, moment: float) -> None:
            await asyncio.sleep(max(0.0, began + moment - time.perf_counter()))
            sent = time.perf_counter()
            try:
                answer = await client.post(f"{base}/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"})
                body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
                answers.append({"order": order, "code": answer.status_code, "ms": (time.perf_counter() - sent) * 1000, "body": body})
            except httpx.HTTPError as error:
                answers.append({"order": order, "code": type(error).__name__, "ms": (time.perf_counter() - sent) * 1000, "body": {}})

        await asyncio.wait_for(asyncio.gather(*(press(n, token, moment) for n, (token, moment) in enumerate(zip(tokens, moments)))), within + timeout + 30)
    return answers


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its descendants (Linux /proc; 0.0 elsewhere): the server's own cost,
    which other load on the machine does not inflate the way it does latency."""
    try:
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return 0.0
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return sum(times.get(pid, 0.0) for pid in tree)


def _settle(root: int, within: float = 120.0) -> float:
    """Wait until the server's processes are idle: the first worker answers /healthz while the others may still
    be importing the app, and the rush would then meet one worker and pay for the others' start. Seconds waited."""
    started = time.perf_counter()
    before = _tree_cpu_seconds(root)
    while time.perf_counter() - started < within:
        time.sleep(1.0)
        now = _tree_cpu_seconds(root)
        if now - before < 0.1:
            break
        before = now
    return time.perf_counter() - started


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def _inversions(sequence: list[int]) -> int:
    """Pairs out of order (merge sort count)."""
    if len(sequence) < 2:
        return 0
    middle = len(sequence) // 2
    left, right = sorted(sequence[:middle]), sorted(sequence[middle:])
    count = _inversions(sequence[:middle]) + _inversions(sequence[middle:])
    j = 0
    for value in left:
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count


async def _database_rows(event_id: int) -> list[dict]:
    from piccolo.engine import engine_finder

    from src.db import close_pools, open_pools
    from src.events.tables import Registration

    engine = engine_finder()
    await open_pools(engine)
    try:
        return await Registration.select(Registration.id, Registration.status).where(Registration.event == event_id).order_by(Registration.id)
    finally:
        await close_pools(engine)


def run_engine(engine: str, url: str, args: argparse.Namespace) -> None:
    os.environ["LIBSPACE_DATABASE_URL"] = url  # before src is imported: Piccolo keeps its first engine
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    event_id, tokens = asyncio.run(_prepare(args.clients, args.capacity))
    print(f"[{engine}] {args.clients} readers with tokens and the workshop ready in {time.perf_counter() - started:.1f} s", flush=True)
    with served("libspace", {"LIBSPACE_DATABASE_URL": url}, workers=args.workers) as (base, _ready, process):
        settled = _settle(process.pid)
        print(f"[{engine}] the server's processes settled {settled:.1f} s after the first answered", flush=True)
        load = os.getloadavg()[0]
        cpu = _tree_cpu_seconds(process.pid)
        began = time.perf_counter()
        answers = asyncio.run(_rush(base, event_id, tokens, args.within, args.timeout))
        took = time.perf_counter() - began
        cpu = _tree_cpu_seconds(process.pid) - cpu
        load = max(load, os.getloadavg()[0])
    codes: dict[str, int] = {}
    for answer in answers:
        codes[str(answer["code"])] = codes.get(str(answer["code"]), 0) + 1
    accepted = sorted((a for a in answers if a["code"] == 201), key=lambda a: a["body"]["id"])  # the server's order
    confirmed = [a for a in accepted if a["body"]["status"] == "confirmed"]
    waiting = [a for a in accepted if a["body"]["status"] == "waitlisted"]
    prefix = all(a["body"]["status"] == "confirmed" for a in accepted[: len(confirmed)])
    positions = [a["body"]["waitlist_position"] for a in waiting]
    in_order = positions == list(range(1, len(waiting) + 1))
    rising = all(earlier < later for earlier, later in zip(positions, positions[1:]))  # holds with gaps too
    sent_order = [a["order"] for a in accepted]
    pairs = len(sent_order) * (len(sent_order) - 1) // 2
    latencies = sorted(a["ms"] for a in answers)
    errors = len(answers) - len(accepted)
    print(f"  libspace serve --workers {args.workers}; {len(answers)} clients (httpx, loopback) within {args.within:.0f} s; all answered after {took:.1f} s; "
          f"load average {load:.1f} (1 min, the higher of before and after)")
    print(f"  server CPU {cpu * 1000 / max(len(answers), 1):.1f} ms per sign-up (all its processes, {cpu:.1f} s in all; the database's own not counted)")
    print(f"  answers: {codes}; errors {errors} (must be 0)")
    print(f"  confirmed {len(confirmed)} of capacity {args.capacity}: {'yes' if len(confirmed) == args.capacity else 'NO'}; confirmed are the first accepted: {'yes' if prefix else 'NO'}")
    print(f"  waitlisted {len(waiting)}; positions 1..{len(waiting)} in the server's order of acceptance: {'yes' if in_order else 'NO'}; "
          f"rising in that order (gaps where an answer was lost): {'yes' if rising else 'NO'}")
    print(f"  server's order against the clients' sending order: {_inversions(sent_order)} of {pairs:,} pairs swapped (requests in flight together)")
    print(f"  latency p50 {_percentile(latencies, 0.5):.0f} ms, p95 {_percentile(latencies, 0.95):.0f} ms, p99 {_percentile(latencies, 0.99):.0f} ms, max {latencies[-1]:.0f} ms; p99 < 1 s: {'yes' if _percentile(latencies, 0.99) < 1000 else 'NO'}")
    rows = asyncio.run(_database_rows(event_id))
    stored = [row["status"] for row in rows]
    stored_prefix = stored[: stored.count("confirmed")] == ["confirmed"] * stored.count("confirmed")
    print(f"  database: {stored.count('confirmed')} confirmed, {stored.count('waitlisted')} waitlisted, {len(rows)} rows; confirmed first in id order: {'yes' if stored_prefix else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--within", type=float, default=10.0, help="seconds over which the clients press")
    parser.add_argument("--timeout", type=float, default=30.0, help="each client's deadline in seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # engine and database URL
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.child:
        run_engine(args.child[0], args.child[1], args)
        return
    for engine in args.engines.split(","):
        with throwaway_database(engine) as url:  # one engine per process: Piccolo keeps the first it finds
            subprocess.run([sys.executable, "-m", "bench.rush", "--child", engine, url, *sys.argv[1:]], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
