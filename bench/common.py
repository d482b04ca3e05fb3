"""Shared pieces for benchmarks: throwaway databases, a served app, wrk, percentiles."""

from __future__ import annotations

import asyncio
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
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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
def served(target: str, env: dict[str, str], workers: int = 1, health: str = "/healthz") -> Iterator[tuple[str, float, subprocess.Popen]]:
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
        wait_ready(base + health)
        yield base, time.perf_counter() - started, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wrk(url: str, seconds: int = 8, connections: int = 32, threads: int = 2) -> float:
    """Requests per second by wrk (Debian's package), or 0.0 if wrk is missing."""
    if not shutil.which("wrk"):
        print("  (wrk not installed: apt-get install wrk)")
        return 0.0
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, timeout=seconds + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx answers from {url}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
