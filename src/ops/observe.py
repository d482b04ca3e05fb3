"""One log line and its numbers for every request and every job run.

``RequestObserver`` wraps the whole ASGI app (outside Litestar's router, so unmatched paths and errors are
counted too): it gives each request an id (taken from ``X-Request-ID`` when a proxy set a sane one, else
new), returns it in the ``X-Request-ID`` header, and when the answer is out writes one log line (``kind``
``request``: method, route template, status, duration, account id) and the Prometheus numbers. Probes
(``/healthz``, ``/readyz``, ``/metrics``) that succeed are logged at DEBUG so they do not drown the rest.
``job_run`` does the same for a run of a worker job (``kind`` ``job``), with the traceback when it fails.
"""

from __future__ import annotations

import asyncio
import logging
import re
import os
import time
from contextlib import contextmanager
from typing import Any, Iterator

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from src import clock
from src.ops import metrics
from src.ops.logs import request_id_var

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})

request_log = logging.getLogger("libspace.request")
job_log = logging.getLogger("libspace.job")


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


_in_flight = 0  # requests this process is answering now
_last_answer = 0.0  # time.monotonic() when it last finished one
QUIET_SECONDS = 0.25  # no request for this long: a burst is over, or there is none


async def yield_to_requests(longest: float) -> float:
    """Background work in a server process (the notification worker) waits while the process is answering
    requests, until none came for ``QUIET_SECONDS``, at most ``longest`` seconds; returns the seconds waited.
    Under a burst (the rush of issue 17: 1,000 sign-ups and their 1,000 e-mails in 10 s) the answers go first
    and the e-mails right after, instead of the e-mails taking two thirds of the CPU the answers wait for."""
    started = time.monotonic()
    while (_in_flight or time.monotonic() - _last_answer < QUIET_SECONDS) and time.monotonic() - started < longest:
        await asyncio.sleep(0.05)
    return time.monotonic() - started


class RequestObserver:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or os.urandom(16).hex()
        token = request_id_var.set(request_id)
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        global _in_flight, _last_answer
        started = time.perf_counter()
        metrics.IN_PROGRESS.inc()
        _in_flight += 1
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _in_flight -= 1
            _last_answer = time.monotonic()
            metrics.IN_PROGRESS.dec()
            self._record(scope, status, time.perf_counter() - started, request_id)
            request_id_var.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float, request_id: str) -> None:
        route = scope.get("path_template") or metrics.UNMATCHED
        method = scope.get("method", "")
        metrics.observe_request(method, route, str(status), seconds)
        level = logging.WARNING if status >= 500 else logging.DEBUG if route in PROBES and status < 400 else logging.INFO
        if not request_log.isEnabledFor(level):
            return
        user = scope.get("user")
        # the record made directly (Logger.handle): no caller look-up on the stack for a line that names its route
        record = logging.LogRecord(request_log.name, level, __file__, 0, "%s %s %s %.1f ms", (method, route, status, seconds * 1000), None)
        record.kind = "request"
        record.request_id = request_id
        record.method = method
        record.route = route
        record.status = status
        record.duration_ms = round(seconds * 1000, 2)
        record.account_id = getattr(user, "id", None)
        request_log.handle(record)


class JobOutcome:
    """What a job run reports about itself (counts only, never personal data)."""

    def __init__(self) -> None:
        self.details: dict[str, Any] = {}
        self.quiet = False  # a run that found nothing to do: logged at DEBUG
        self.failed = False

    def note(self, **details: Any) -> None:
        self.details.update(details)


@contextmanager
def job_run(job: str, swallow: bool = False) -> Iterator[JobOutcome]:
    """Count, time and log one run of a worker job; a failure is logged with its traceback and re-raised
    (or, with ``swallow``, only marked in ``outcome.failed``: a loop that must go on)."""
    outcome = JobOutcome()
    started = time.perf_counter()
    try:
        yield outcome
    except Exception:  # cancellation at shutdown is no failure and passes through uncounted
        seconds = time.perf_counter() - started
        metrics.JOB_RUNS.labels(job).inc()
        metrics.JOB_FAILURES.labels(job).inc()
        metrics.JOB_DURATION.labels(job).observe(seconds)
        job_log.exception(
            "job %s failed after %.1f ms", job, seconds * 1000,
            extra={"kind": "job", "job": job, "outcome": "failed", "duration_ms": round(seconds * 1000, 2), **outcome.details},
        )
        outcome.failed = True
        if not swallow:
            raise
        return
    seconds = time.perf_counter() - started
    metrics.JOB_RUNS.labels(job).inc()
    metrics.JOB_DURATION.labels(job).observe(seconds)
    metrics.JOB_LAST_SUCCESS.labels(job).set(clock.now().timestamp())
    job_log.log(
        logging.DEBUG if outcome.quiet else logging.INFO,
        "job %s ok in %.1f ms%s", job, seconds * 1000, "".join(f", {key} {value}" for key, value in outcome.details.items()),
        extra={"kind": "job", "job": job, "outcome": "ok", "duration_ms": round(seconds * 1000, 2), **outcome.details},
    )
