"""Issue 17 on a shared machine: CPU time and queries per request, in process, beside a bare Litestar hello.

    .venv/bin/python -m bench.cpu [--engines sqlite,postgres] [--requests 300] [--events 400] [--sign-ups 6000]

Wall-clock rates are noise when other processes share the cores; the CPU time this process spends on a
request (``time.process_time``, all its threads: aiosqlite's too) and the number of database round trips are
not. For each engine, in a child process with a fresh throwaway database (demo data, 60 zones with a year of
bookings, ``--events`` events with ``--sign-ups`` sign-ups), the whole libspace app (middleware, observer,
router) is driven by ASGI calls without a server or network, path by path; a bare Litestar hello is driven
the same way in the same process. ``share`` is hello's CPU per request over the path's: what the req/s share
of the wrk suite would be if the CPU were the only limit (PostgreSQL's own CPU is in another process and
not counted; its queries are). Every answer must be 2xx, or the row says how many were not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

from bench.common import ROOT, analyze, demo_database, throwaway_database

QUERIES = 0


def _count_queries(engine) -> None:
    """Count every round trip: Piccolo's queries and src.db.fetch alike."""
    from src import db

    def counted(function):
        async def wrapper(*args, **kwargs):
            global QUERIES
            QUERIES += 1
            return await function(*args, **kwargs)

        return wrapper

    cls = type(engine)  # engines have __slots__: wrap the class's methods
    cls.run_querystring = counted(cls.run_querystring)
    cls.run_ddl = counted(cls.run_ddl)
    if hasattr(db, "_execute"):
        db._execute = counted(db._execute)


class Driver:
    def __init__(self, app) -> None:
        self.app = app

    async def call(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> tuple[int, bytes]:
        raw_path, _sep, query = path.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"bench"), *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items())]
            + ([(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())] if body else []),
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive():
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def measure(driver: Driver, requests: list[tuple[str, str, dict | None, bytes]], warm: int = 10) -> dict:
    """CPU µs and queries per request over ``requests`` (after ``warm`` of them as a warm-up)."""
    global QUERIES
    for method, path, headers, body in requests[:warm]:
        await driver.call(method, path, headers, body)
    timed = requests[warm:]
    bad = 0
    QUERIES = 0
    cpu = time.process_time()
    wall = time.perf_counter()
    for method, path, headers, body in timed:
        status, _answer = await driver.call(method, path, headers, body)
        if not 200 <= status < 300:
            bad += 1
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return {"cpu_us": cpu / len(timed) * 1e6, "wall_us": wall / len(timed) * 1e6, "queries": QUERIES / len(timed), "bad": bad}


def _hello_app():
    from litestar import Litestar, get

    @get("/", sync_to_thread=False)
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return Litestar([hello], logging_config=None)


async def _run(args: argparse.Namespace) -> dict:
    from piccolo.engine import engine_finder

    from bench import events_bench, rooms_bench
    from src.app import create_app
    from src.branches.tables import Branch
    from src.events.tables import Event
    from src.rooms import service as rooms_service
    from src.timeutil import now_utc

    results: dict[str, dict] = {}
    async with demo_database():
        started = time.perf_counter()
        await rooms_bench._zones_to(rooms_bench.ZONES_WANTED)
        history = await rooms_bench._readers(rooms_bench.HISTORY_READERS, "h")
        await rooms_bench._year_of_bookings(history)
        big, tokens = await events_bench.seed(args.events, args.sign_ups, args.readers)
        await analyze()
        print(f"  seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        zone = next(zone for _branch, zone in await rooms_service.all_zones() if zone.bookable_by_readers)
        slots = await rooms_bench._free_slots(args.requests + 20)
        _count_queries(engine_finder())
        n = args.requests + 10
        hello = Driver(_hello_app())
        app = Driver(create_app())
        _quiet_logs()  # the log line is still formatted (its cost counts), but written to /dev/null
        bearer = {"authorization": f"Bearer {tokens[0]}"}
        now = now_utc()
        free_from = (now + timedelta(days=3)).replace(hour=5, minute=0, second=0, microsecond=0)
        free_q = f"free_from={free_from.isoformat().replace('+', '%2B')}&free_to={(free_from + timedelta(hours=2)).isoformat().replace('+', '%2B')}&min_capacity=4"
        chekhov = (await Branch.select(Branch.id).where(Branch.slug == "chekhov").first())["id"]
        year = f"start={(now - timedelta(days=365)).date()}&end={now.date()}"
        reads = [
            ("bare Litestar hello", hello, "/", None),
            ("GET /api/v1/branches", app, "/api/v1/branches", None),
            ("GET /events anonymous", app, "/events", None),
            ("GET /api/v1/zones/{id}/availability (a week)", app, f"/api/v1/zones/{zone.id}/availability", None),
            ("GET /feeds/branches/chekhov.ics", app, "/feeds/branches/chekhov.ics", None),
            ("GET /api/v1/branches/chekhov/week", app, "/api/v1/branches/chekhov/week", None),
            ("GET /api/v1/events?branch=chekhov", app, "/api/v1/events?branch=chekhov", None),
            ("GET /events logged in (bearer)", app, "/events", bearer),
            ("GET /api/v1/me/registrations (bearer)", app, "/api/v1/me/registrations", bearer),
            ("GET /api/v1/me (bearer)", app, "/api/v1/me", bearer),
            ("GET /api/v1/zones?free_from&free_to&min_capacity", app, f"/api/v1/zones?{free_q}", bearer),
        ]
        for label, driver, path, headers in reads:
            results[label] = await measure(driver, [("GET", path, headers, b"")] * n)
            print(f"  {label}: {results[label]}", file=sys.stderr)
        admin = {"authorization": "Bearer " + await _token("admin@libspace.local")}
        for label, path in (("GET /api/v1/stats/summary (network, a year)", f"/api/v1/stats/summary?{year}"), ("GET /api/v1/stats/summary (chekhov, a year)", f"/api/v1/stats/summary?{year}&branch=chekhov")):
            results[label] = await measure(app, [("GET", path, admin, b"")] * 12, warm=2)
            print(f"  {label}: {results[label]}", file=sys.stderr)
        bookings = [
            ("POST", "/api/v1/bookings", {"authorization": f"Bearer {tokens[i % len(tokens)]}"},
             json.dumps({"zone_id": zone_id, "starts_at": start.isoformat(), "ends_at": end.isoformat(), "purpose": "bench", "headcount": 1}).encode())
            for i, (zone_id, start, end) in enumerate(slots[:n])
        ]
        results["POST /api/v1/bookings"] = await measure(app, bookings)
        sign_ups = [("POST", f"/api/v1/events/{big[0]}/registrations", {"authorization": f"Bearer {token}"}, b'{"seats":1}') for token in tokens[:n]]
        results["POST /api/v1/events/{id}/registrations"] = await measure(app, sign_ups)
        del Event, chekhov
    return results


def _quiet_logs() -> None:
    import logging

    for handler in logging.getLogger().handlers:
        if hasattr(handler, "setStream"):
            handler.setStream(open(os.devnull, "w"))


async def _token(email: str) -> str:
    from src.accounts import service as accounts_service
    from src.accounts.tables import Account

    account = await Account.select(Account.id).where(Account.email == email).first()
    principal = await accounts_service.load_principal(account["id"])
    return (await accounts_service.issue_token(principal))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--sign-ups", type=int, default=6000)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.child:
        os.environ["LIBSPACE_DATABASE_URL"] = args.child
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        os.environ["LIBSPACE_WORKER"] = "off"
        os.environ.setdefault("LIBSPACE_LOG_FORMAT", "json")
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(_run(args))))
        return
    engines = args.engines.split(",")
    results = {}
    for engine in engines:
        print(f"[{engine}] seeding and measuring ...", file=sys.stderr)
        with throwaway_database(engine) as url:
            out = subprocess.run([sys.executable, "-m", "bench.cpu", "--child", url, *sys.argv[1:]], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
        results[engine] = json.loads(out.strip().splitlines()[-1])
    print(f"\nlibspace CPU per request, in process (no server), {args.requests} requests per path; load average {os.getloadavg()[0]:.1f}")
    header = f"{'path':<52}" + "".join(f"{engine + ' µs':>14}{'q/req':>7}{'share':>7}" for engine in engines)
    print(header)
    print("-" * len(header))
    for label in results[engines[0]]:
        row = f"{label:<52}"
        for engine in engines:
            found = results[engine][label]
            hello = results[engine]["bare Litestar hello"]["cpu_us"]
            row += f"{found['cpu_us']:>14,.0f}{found['queries']:>7.1f}{hello / found['cpu_us']:>7.3f}"
            if found["bad"]:
                row += f" ({found['bad']} not 2xx)"
        print(row)


if __name__ == "__main__":
    main()
