"""Issue 17: one table of the read and write paths on both engines, beside a bare Litestar hello-world measured
in the same run (``make bench`` / ``python -m bench``).

    .venv/bin/python -m bench [--engines sqlite,postgres] [--seconds 5] [--connections 32] [--events 2000]
                              [--sign-ups 30000] [--readers 3000] [--rush]

For each engine a fresh throwaway database gets the demo data, 60 zones with a year of bookings (about 50,000)
and a year of events with sign-ups (``--events``/``--sign-ups``), in a child process (Piccolo keeps the first
engine it finds, so one engine per process). Then, first, the figures issue 17 (item 4) compares with Indico's
room booking, one request at a time over HTTP with a reader's token (rooms_bench.sequential: week availability,
the free-zone search, bookings per second); then the hello (a granian worker of its own) and one ``libspace
serve`` worker are loaded by wrk (-t2), path by path: an engine's shares are of the hello measured just before
its paths, as loaded as the machine was then. Logged-in requests carry a reader's bearer token (the page path
too: the same principal look-up as the session cookie). Writes: bookings (each a distinct free hour) and
sign-ups (each reader once per event) per second of 201 answers. Seconds per path: ``--seconds``; with the
default 5 a run takes a few minutes per engine. ``--rush`` runs bench.rush afterwards (four workers; without it
the table ends with how to run it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

from bench import rooms_bench
from bench.common import ROOT, analyze, demo_database, served, throwaway_database, wrk, wrk_posts

READS = [
    ("GET /api/v1/branches", "/api/v1/branches", False),
    ("GET /events anonymous", "/events", False),
    ("GET /api/v1/zones/{id}/availability (a week)", "/api/v1/zones/{zone}/availability", False),
    ("GET /feeds/branches/chekhov.ics", "/feeds/branches/chekhov.ics", False),
    ("GET /api/v1/branches/chekhov/week", "/api/v1/branches/chekhov/week", False),
    ("GET /api/v1/events?branch=chekhov", "/api/v1/events?branch=chekhov", False),
    ("GET /events logged in", "/events", True),
    ("GET /api/v1/me/registrations (bearer)", "/api/v1/me/registrations", True),
]
HELLO = "bare Litestar hello"
WRITES = ("POST /api/v1/bookings (201/s)", "POST /api/v1/events/{id}/registrations (201/s)")


async def _prepare(events: int, sign_ups: int, readers: int) -> dict:
    """Demo data, a year of bookings and of events; returns what the HTTP run needs."""
    from bench import events_bench
    from src.rooms import service as rooms_service

    async with demo_database():
        await rooms_bench._zones_to(rooms_bench.ZONES_WANTED)
        history = await rooms_bench._readers(rooms_bench.HISTORY_READERS, "h")
        bookings = await rooms_bench._year_of_bookings(history)
        big, tokens = await events_bench.seed(events, sign_ups, readers)
        zone = next(zone for _branch, zone in await rooms_service.all_zones() if zone.bookable_by_readers)
        await analyze()
        slots = await rooms_bench._free_slots(20_000 + rooms_bench.SEQUENTIAL_BOOKINGS)
        booking_lines = [
            f'/api/v1/bookings\t{tokens[n % len(tokens)]}\t{{"zone_id":{zone_id},"starts_at":"{start.isoformat()}","ends_at":"{end.isoformat()}","purpose":"bench","headcount":1}}'
            for n, (zone_id, start, end) in enumerate(slots)
        ]
        sign_up_lines = [f'/api/v1/events/{event_id}/registrations\t{token}\t{{"seats":1}}' for token in tokens for event_id in big]
        return {
            "zone": zone.id, "token": tokens[0], "bookings": bookings, "booking_lines": booking_lines, "sign_up_lines": sign_up_lines,
            "zone_ids": await rooms_bench.reader_zone_ids(),
        }


def warm_up(url: str, headers: dict[str, str], times: int = 3) -> None:
    """A few requests first, so no path pays for the worker's first imports and caches in its figure."""
    for _ in range(times):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as answer:
            if answer.status != 200:
                raise RuntimeError(f"{url}: {answer.status}")


def measure_engine(url: str, args: argparse.Namespace) -> dict[str, float]:
    """In this (child) process: seed the database at ``url``, serve it with one worker, return req/s by path and
    the sequential figures of rooms_bench (issue 17, item 4) by their labels."""
    os.environ["LIBSPACE_DATABASE_URL"] = url  # before src is imported: Piccolo keeps its first engine
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    data = asyncio.run(_prepare(args.events, args.sign_ups, args.readers))
    print(f"  seeded in {time.perf_counter() - started:.0f} s: {data['bookings']:,} bookings, {args.events:,} events", file=sys.stderr)
    rates: dict[str, float] = {}
    with served("bench.hello_app:create_app", {}, health="/") as (base, _ready, _process):
        rates[HELLO] = wrk(base + "/", args.seconds, args.connections)  # just before this engine's paths: the load then
    bearer = {"Authorization": f"Bearer {data['token']}"}
    sequential_lines = data["booking_lines"][-rooms_bench.SEQUENTIAL_BOOKINGS :]
    data["booking_lines"] = data["booking_lines"][: -rooms_bench.SEQUENTIAL_BOOKINGS]
    with served("libspace", {"LIBSPACE_DATABASE_URL": url}) as (base, _ready, _process):
        # first, while the database is as seeded: one request at a time, as the peer was measured
        rates.update(rooms_bench.sequential(base, data["token"], data["zone_ids"], sequential_lines))
        for label, path, logged_in in READS:
            target = base + path.format(zone=data["zone"])
            warm_up(target, bearer if logged_in else {})
            rates[label] = wrk(target, args.seconds, args.connections, headers=bearer if logged_in else None)
        for label, lines in zip(WRITES, (data["booking_lines"], data["sign_up_lines"])):
            rate, codes = wrk_posts(base, lines, args.seconds, args.connections)
            rates[label] = rate
            print(f"  {label}: answers {codes}", file=sys.stderr)  # many 409s: the lines ran out (repeats clash)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per path")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--sign-ups", type=int, default=30_000)
    parser.add_argument("--readers", type=int, default=3000)
    parser.add_argument("--rush", action="store_true", help="run bench.rush too (four workers, 1,000 clients per engine: several minutes)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # engine URL: measure it, print JSON
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.child:
        print(json.dumps(measure_engine(args.child, args)))
        return
    engines = args.engines.split(",")
    results: dict[str, dict[str, float]] = {}
    for engine in engines:
        print(f"[{engine}] seeding and measuring ...", file=sys.stderr)
        with throwaway_database(engine) as url:
            child = [sys.executable, "-m", "bench", "--child", url, *sys.argv[1:]]
            out = subprocess.run(child, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
        results[engine] = json.loads(out.strip().splitlines()[-1])
    print(f"\nlibspace benchmark: one granian worker, wrk -t2 -c{args.connections} -d{args.seconds}s per path; hello measured in the same run,")
    print(f"just before each engine's paths (a share is of that engine's hello); load average {os.getloadavg()[0]:.1f}")
    header = f"{'path':<52}" + "".join(f"{engine + ' req/s':>16}{'share':>8}" for engine in engines)
    print(header)
    print("-" * len(header))
    for label in [HELLO] + [label for label, _path, _logged in READS] + list(WRITES):
        row = f"{label:<52}"
        for engine in engines:
            rate, hello = results[engine][label], results[engine][HELLO]
            row += f"{rate:>16,.0f}{rate / hello if hello else 0:>8.3f}"
        print(row)
    print()
    rooms_bench.print_sequential({engine: results[engine] for engine in engines})
    if args.rush:
        print("\nthe rush (bench.rush):", flush=True)
        subprocess.run([sys.executable, "-m", "bench.rush", "--engines", args.engines], cwd=ROOT, check=True)
    else:
        print("\n  the rush (item 3) is its own run: .venv/bin/python -m bench.rush (or make bench BENCH_ARGS=--rush)")


if __name__ == "__main__":
    main()
