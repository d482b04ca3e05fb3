"""Shared pieces for benchmarks: throwaway databases, a served app, wrk, percentiles."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import asynccontextmanager, contextmanager, redirect_stdout
from pathlib import Path
from typing import AsyncIterator, Iterator

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("LIBSPACE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_database(engine: str) -> Iterator[str]:
    """Yield a database URL of a fresh database (SQLite file or PostgreSQL database), dropped afterwards."""
    if engine == "sqlite":
        folder = tempfile.mkdtemp(prefix="libspace-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import asyncpg

    name = f"libspace_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@asynccontextmanager
async def demo_database() -> AsyncIterator[None]:
    """In a process whose LIBSPACE_DATABASE_URL is set: open the pools, migrate, load the demo data; pools closed after."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.engine import engine_finder

    from src import demo
    from src.db import close_pools, open_pools

    engine = engine_finder()
    await open_pools(engine)
    try:
        with redirect_stdout(io.StringIO()):  # Piccolo's list of migrations would bury the figures
            result = await run_forwards(app_name="all", migration_id="all", fake=False)
        assert result.success, result.message
        await demo.load()
        yield
    finally:
        await close_pools(engine)


async def analyze() -> None:
    """After seeding in bulk: PostgreSQL's planner statistics, as autovacuum would have them in a minute. Without
    them it guesses a handful of bookings and scans the exclusion constraint's index (all 45,000 active ones) for
    the free-zone search: 50 ms instead of 0.5. SQLite keeps none unless asked, so it is measured as it runs."""
    from piccolo.engine import engine_finder

    from src.db import is_postgres

    engine = engine_finder()
    if is_postgres(engine):
        await engine.run_ddl("ANALYZE")


def cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "-m", "src.cli", *args], cwd=ROOT, check=True, capture_output=True, env={**os.environ, "LIBSPACE_DATABASE_URL": database_url, **(env or {})})


def wait_ready(url: str, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout} s")


@contextmanager
def served(target: str, env: dict[str, str], workers: int = 1, health: str = "/healthz", ready_within: float = 120.0) -> Iterator[tuple[str, float, subprocess.Popen]]:
    """Serve `target` ('libspace' or a module:factory) on granian; yield base URL, seconds to ready, process."""
    port = free_port()
    if target == "libspace":
        command = [sys.executable, "-m", "src.cli", "serve", "--port", str(port), "--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port", str(port), "--workers", str(workers), "--no-ws", "--log-level", "warning", target]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + health, ready_within)  # a loaded machine starts four workers slowly
        yield base, time.perf_counter() - started, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wrk(url: str, seconds: int = 8, connections: int = 32, threads: int = 2, headers: dict[str, str] | None = None) -> float:
    """Requests per second by wrk (Debian's package), or 0.0 if wrk is missing."""
    if not shutil.which("wrk"):
        print("  (wrk not installed: apt-get install wrk)")
        return 0.0
    extra = [part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")]
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", *extra, url], capture_output=True, text=True, timeout=seconds + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx answers from {url}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


POST_LUA = r"""
local lines = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do lines[#lines + 1] = line end
local threads, count = {}, 0
function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end
function init(args)
  step = tonumber(os.getenv("BENCH_THREADS"))
  index = id
  created, conflicts, other = 0, 0, 0
end
function request()
  local line = lines[index]
  if line == nil then index = id; line = lines[index] end  -- out of lines: repeats answer 409
  index = index + step
  local path, token, body = line:match("([^\t]+)\t([^\t]+)\t(.*)")
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 elseif status == 409 then conflicts = conflicts + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, k, o = 0, 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); k = k + t:get("conflicts"); o = o + t:get("other") end
  io.write(string.format("CREATED %d CONFLICTS %d OTHER %d SECONDS %.3f\n", c, k, o, summary.duration / 1e6))
end
"""


def wrk_posts(base: str, lines: list[str], seconds: int, connections: int = 32, threads: int = 2) -> tuple[float, dict[str, int]]:
    """JSON POSTs by wrk, each a different line ``path<TAB>bearer token<TAB>body``; 201s per second and the counts."""
    folder = Path(tempfile.mkdtemp(prefix="libspace-bench-wrk-"))
    try:
        (folder / "requests.tsv").write_text("\n".join(lines) + "\n")
        (folder / "post.lua").write_text(POST_LUA)
        env = {**os.environ, "BENCH_REQUESTS": str(folder / "requests.tsv"), "BENCH_THREADS": str(threads)}
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(folder / "post.lua"), base + "/"],
            capture_output=True, text=True, env=env, timeout=seconds + 60,
        ).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = re.search(r"CREATED (\d+) CONFLICTS (\d+) OTHER (\d+) SECONDS ([\d.]+)", out)
    if not found:
        raise RuntimeError(f"wrk gave no counts:\n{out}")
    created, conflicts, other, duration = int(found[1]), int(found[2]), int(found[3]), float(found[4])
    return created / duration, {"201": created, "409": conflicts, "other": other}
