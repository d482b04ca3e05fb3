"""``/healthz``, ``/readyz`` and ``/metrics`` (see ``checks.py`` and ``metrics.py`` for what they mean)."""

from __future__ import annotations

import hmac
import ipaddress

from litestar import Request, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from src.exceptions import Forbidden
from src.i18n import _
from src.ops import checks, metrics
from src.ops.settings import get_ops_settings
from src.timeutil import now_utc

FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
NO_STORE = {"Cache-Control": "no-store"}


def _answer(report: checks.Report) -> Response:
    return Response(
        content=report.as_dict(),
        status_code=HTTP_200_OK if report.ok else HTTP_503_SERVICE_UNAVAILABLE,
        headers=NO_STORE if report.ok else {**NO_STORE, "Retry-After": "5"},
    )


@get("/healthz", include_in_schema=False, cache_control=None)
async def healthz() -> Response:
    """This process can serve: a thread, a database connection and ``SELECT 1`` within the deadline."""
    return _answer(await checks.liveness(get_ops_settings().health_timeout_seconds))


@get("/readyz", include_in_schema=False, cache_control=None)
async def readyz() -> Response:
    """The installation is ready: database in time, migrations current, a notification worker alive."""
    settings = get_ops_settings()
    return _answer(await checks.readiness(now_utc(), settings.health_timeout_seconds, settings.worker_stale_seconds))


def _direct_peer(request: Request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The connecting address, only when no proxy stands between (a proxied request's peer is the proxy)."""
    if any(request.headers.get(name) for name in FORWARDING_HEADERS):
        return None
    client = request.scope.get("client")
    try:
        return ipaddress.ip_address(client[0]) if client else None
    except ValueError:
        return None


def may_read_metrics(request: Request) -> bool:
    settings = get_ops_settings()
    authorization = request.headers.get("authorization", "")
    if settings.metrics_token and authorization[:7].lower() == "bearer ":
        if hmac.compare_digest(authorization[7:].strip().encode(), settings.metrics_token.encode()):
            return True
    peer = _direct_peer(request)
    return peer is not None and any(peer in network for network in settings.metrics_allow)


@get("/metrics", include_in_schema=False, cache_control=None)
async def prometheus_metrics(request: Request) -> Response:
    """The Prometheus text format, for the token or the allowed addresses only."""
    if not may_read_metrics(request):
        raise Forbidden(_("The metrics are only for the monitoring system (a token or an allowed address)"))
    body = await metrics.exposition(get_ops_settings().health_timeout_seconds)
    return Response(content=body, media_type=metrics.MEDIA_TYPE, headers=NO_STORE)


ROUTE_HANDLERS = [healthz, readyz, prometheus_metrics]
