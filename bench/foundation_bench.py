"""Issue 2 figures: start-up time, GET /api/v1/branches rate next to a bare Litestar hello-world, and how
promptly `libspace serve` stops on SIGTERM under load.

    .venv/bin/python -m bench.foundation_bench [--engines sqlite,postgres] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import time

from bench.common import ROOT, cli, served, throwaway_database, wrk


def startup_seconds(env: dict[str, str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        with served("libspace", env) as (_base, ready, _process):
            times.append(ready)
    return statistics.median(times)


def sigterm_seconds(env: dict[str, str], seconds: int) -> float:
    """Stop the server with SIGTERM while wrk is loading it; seconds until the process has exited."""
    with served("libspace", env) as (base, _ready, process):
        load = subprocess.Popen(["wrk", "-t2", "-c64", f"-d{seconds + 5}s", f"{base}/api/v1/branches"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        start = time.perf_counter()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
            stopped = time.perf_counter() - start
        except subprocess.TimeoutExpired:
            stopped = float("inf")
        load.kill()
        load.wait()
        return stopped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    os.chdir(ROOT)
    print("libspace foundation benchmark (one granian worker, wrk -t2 -c32)")
    with served("bench.hello_app:create_app", {}, health="/") as (base, _ready, _process):
        hello = wrk(base + "/", args.seconds)
    print(f"  bare Litestar hello-world: {hello:,.0f} req/s")
    for engine in args.engines.split(","):
        with throwaway_database(engine) as url:
            cli(url, "migrate")
            cli(url, "demo")
            env = {"LIBSPACE_DATABASE_URL": url}
            print(f"[{engine}]")
            print(f"  serve ready after start: {startup_seconds(env):.2f} s (median of 3)")
            variants = [("cached (default)", {})]
            variants.append(("no cache", {"LIBSPACE_CACHE": "off"}))
            if engine == "sqlite":
                variants.append(("no cache, stock Piccolo SQLite engine", {"LIBSPACE_CACHE": "off", "LIBSPACE_SQLITE_POOL": "off"}))
            for label, extra in variants:
                with served("libspace", {**env, **extra}) as (base, _ready, _process):
                    rate = wrk(base + "/api/v1/branches", args.seconds)
                print(f"  GET /api/v1/branches, {label}: {rate:,.0f} req/s = {rate / hello:.2f} of hello-world")
            print(f"  SIGTERM under load -> exited after {sigterm_seconds(env, args.seconds):.2f} s")


if __name__ == "__main__":
    main()
