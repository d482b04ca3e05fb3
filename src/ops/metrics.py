"""Prometheus metrics: what the processes count, and what ``/metrics`` reads from the database when scraped.

Counters and histograms live in this process (or, under ``libspace serve`` and ``libspace worker``, in the
multi-process files of ``src/ops/multiproc.py``, added up across processes when scraped). The outbox backlog
and the worker's last beat are read from the database at scrape time, so they are right whichever process
answers. Route labels are route templates (``/api/v1/events/{event_id:int}``), never raw paths.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from functools import lru_cache

from piccolo.engine import engine_finder
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from src.db import pool_stats
from src.ops import multiproc
from src.ops.heartbeat import latest_beat
from src.timeutil import aware, now_utc

MEDIA_TYPE = "text/plain; version=0.0.4"  # Litestar adds the charset
UNMATCHED = "(unmatched)"
POOL_EVERY = 1.0  # seconds between two samples of a process's pool use

disable_created_metrics()  # the *_created series double the page and say nothing a dashboard needs

REQUESTS = Counter("libspace_http_requests", "HTTP requests answered, by method, route template and status", ["method", "route", "status"])
LATENCY = Histogram(
    "libspace_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_PROGRESS = Gauge("libspace_http_requests_in_progress", "HTTP requests being answered now", multiprocess_mode="livesum")
POOL = Gauge("libspace_db_pool_connections", "Database connections of the server processes' pools, in use or idle", ["state"], multiprocess_mode="livesum")
POOL_MAX = Gauge("libspace_db_pool_max_connections", "The most connections the server processes' pools may open together", multiprocess_mode="livesum")
JOB_RUNS = Counter("libspace_job_runs", "Runs of the worker's jobs (sending the outbox, reminders, pruning)", ["job"])
JOB_FAILURES = Counter("libspace_job_failures", "Runs of the worker's jobs that failed", ["job"])
JOB_DURATION = Histogram("libspace_job_duration_seconds", "Time a job run took", ["job"], buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0))
JOB_LAST_SUCCESS = Gauge("libspace_job_last_success_timestamp_seconds", "When the job last ran without error (Unix time)", ["job"], multiprocess_mode="max")
BOOKINGS = Counter("libspace_bookings", "Zone bookings made (each date of a series counts), by status", ["status"])
SIGNUPS = Counter("libspace_signups", "Event sign-ups, confirmed or waitlisted", ["status"])
MESSAGES = Counter("libspace_messages", "Notification messages the worker handled: sent, to retry, given up", ["outcome"])


@lru_cache(maxsize=1)
def _engine():
    return engine_finder()  # Piccolo looks the configuration up again on every call: once per process is enough


_POOL_IN_USE, _POOL_IDLE = POOL.labels("in_use"), POOL.labels("idle")
_pool_seen = [0.0]
_requests: dict[tuple[str, str, str], tuple] = {}


def observe_request(method: str, route: str, status: str, seconds: float) -> None:
    """Count and time one answered request (the labelled children are looked up once per label set)."""
    key = (method, route, status)
    children = _requests.get(key)
    if children is None:
        children = _requests[key] = (REQUESTS.labels(*key), LATENCY.labels(*key))
    children[0].inc()
    children[1].observe(seconds)
    now = time.monotonic()
    if now - _pool_seen[0] >= POOL_EVERY:
        _pool_seen[0] = now
        observe_pool()


def observe_pool() -> None:
    """Record this process's pool use (sampled as requests end, at most every ``POOL_EVERY`` seconds)."""
    in_use, idle, most = pool_stats(_engine())
    _POOL_IN_USE.set(in_use)
    _POOL_IDLE.set(idle)
    POOL_MAX.set(most)


class _Snapshot:
    """Gauges read from the database for one scrape."""

    def __init__(self) -> None:
        self.database_up = 0
        self.backlog: int | None = None
        self.oldest_age: float | None = None
        self.given_up: int | None = None
        self.beat_age: float | None = None

    def collect(self):
        yield GaugeMetricFamily("libspace_database_up", "1 when the database answered this scrape in time", value=self.database_up)
        if self.backlog is not None:
            yield GaugeMetricFamily("libspace_outbox_backlog", "Messages waiting to be sent (neither sent nor given up)", value=self.backlog)
            yield GaugeMetricFamily("libspace_outbox_oldest_unsent_age_seconds", "Age of the oldest message waiting to be sent (0 when none)", value=self.oldest_age or 0.0)
            yield GaugeMetricFamily("libspace_outbox_given_up", "Messages the worker gave up on (kept until pruned)", value=self.given_up)
        if self.beat_age is not None:
            yield GaugeMetricFamily("libspace_worker_last_beat_age_seconds", "Seconds since any notification worker last completed a pass", value=self.beat_age)


async def _read_snapshot(snapshot: _Snapshot, now: datetime) -> None:
    from src.notifications.tables import Outbox

    unsent = Outbox.sent_at.is_null() & Outbox.failed_at.is_null()
    snapshot.backlog = await Outbox.count().where(unsent)
    oldest = await Outbox.select(Outbox.created_at).where(unsent).order_by(Outbox.created_at).first()
    snapshot.oldest_age = max(0.0, (now - aware(oldest["created_at"])).total_seconds()) if oldest else 0.0
    snapshot.given_up = await Outbox.count().where(Outbox.failed_at.is_not_null())
    beat = await latest_beat()
    snapshot.beat_age = max(0.0, (now - aware(beat)).total_seconds()) if beat else None
    snapshot.database_up = 1


class _ThisProcess:
    def collect(self):
        yield from REGISTRY.collect()


class _AllProcesses:
    def __init__(self, folder) -> None:
        self.folder = folder

    def collect(self):
        multiproc.reap(self.folder)
        return MultiProcessCollector.merge(multiproc.files(self.folder), accumulate=True)


async def exposition(timeout: float) -> bytes:
    """The whole ``/metrics`` page in the Prometheus text format."""
    snapshot = _Snapshot()
    try:
        await asyncio.wait_for(_read_snapshot(snapshot, now_utc()), timeout=timeout)
    except Exception:  # noqa: BLE001 - the page still answers, with libspace_database_up 0
        snapshot = _Snapshot()
    registry = CollectorRegistry(auto_describe=False)
    folder = multiproc.active()
    registry.register(_AllProcesses(folder) if folder else _ThisProcess())
    registry.register(snapshot)
    return generate_latest(registry)
