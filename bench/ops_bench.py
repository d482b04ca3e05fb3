"""What observing a request costs: the request id, the JSON log line and the Prometheus numbers per request.

    .venv/bin/python -m bench.ops_bench

Runs the same ASGI app (a bare Litestar hello) with and without libspace's RequestObserver around it, in this
process (one registry) and in a child process in prometheus-client's multi-process mode (memory-mapped files,
as under `libspace serve`), with the log going to /dev/null as JSON. Prints microseconds per request.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time

REQUESTS = 20_000


async def _drive(app, count: int) -> float:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/hello", "raw_path": b"/hello", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    for _ in range(200):  # warm up
        await app(dict(scope), receive, send)
    started = time.perf_counter()
    for _ in range(count):
        await app(dict(scope, state={}), receive, send)
    return (time.perf_counter() - started) / count * 1e6


def measure() -> tuple[float, float]:
    import logging

    from litestar import Litestar, get

    from src.ops import logs
    from src.ops.observe import RequestObserver
    from src.ops.settings import load_ops_settings

    os.environ["LIBSPACE_LOG_FORMAT"] = "json"
    logs.configure(load_ops_settings())
    handler = logging.getLogger().handlers[0]
    handler.setStream(open(os.devnull, "w"))  # type: ignore[attr-defined]

    @get("/hello", sync_to_thread=False)
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    bare = Litestar([hello], logging_config=None)
    observed = Litestar([hello], logging_config=None)
    observed.asgi_handler = RequestObserver(observed.asgi_handler)
    return asyncio.run(_drive(bare, REQUESTS)), asyncio.run(_drive(observed, REQUESTS))


def main() -> None:
    if "--child" in sys.argv:
        bare, observed = measure()
        print(f"{bare:.1f} {observed:.1f}")
        return
    os.environ.setdefault("LIBSPACE_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")
    print(f"observing a request: {REQUESTS} GET /hello through a bare Litestar app, in process (no server, no network)")
    for label, extra in (("one process (default registry)", {}), ("multi-process files (as under libspace serve)", {"PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp()})):
        out = subprocess.run([sys.executable, "-m", "bench.ops_bench", "--child"], env={**os.environ, **extra}, capture_output=True, text=True, check=True).stdout
        bare, observed = (float(part) for part in out.split())
        print(f"  {label}: bare {bare:.1f} µs/request, observed {observed:.1f} µs/request, cost {observed - bare:.1f} µs/request")


if __name__ == "__main__":
    main()
