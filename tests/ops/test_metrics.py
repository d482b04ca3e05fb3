"""/metrics: the Prometheus text format, parsed with prometheus-client's parser; never public."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from src.ops.heartbeat import Heartbeat
from src.ops.settings import get_ops_settings
from src.timeutil import now_utc
from tests.ops.metrics_support import scrape, value


@pytest.fixture
def ops_env(monkeypatch):
    """Change LIBSPACE_* ops settings for one test (they are read once and cached)."""

    def set_env(**values: str) -> None:
        for name, setting in values.items():
            monkeypatch.setenv(f"LIBSPACE_{name}", setting)
        get_ops_settings.cache_clear()

    yield set_env
    get_ops_settings.cache_clear()


def client_from(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://testserver")


async def test_only_allowed_addresses_and_the_token_may_read_metrics(app, ops_env):
    async with client_from(app, "127.0.0.1") as local, client_from(app, "203.0.113.7") as outside:
        assert (await local.get("/metrics")).status_code == 200
        assert (await outside.get("/metrics")).status_code == 403
        # through a proxy the peer is the proxy, not the client: the address alone opens nothing
        proxied = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7", "Accept": "application/json"})
        assert proxied.status_code == 403 and proxied.json()["detail"]

        ops_env(METRICS_TOKEN="s3cret-token-for-prometheus", METRICS_ALLOW="10.0.0.0/8")
        assert (await local.get("/metrics")).status_code == 403
        assert (await outside.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 403
        assert (await outside.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})).status_code == 200


async def test_requests_are_counted_by_route_template_and_status(client):
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get("/api/v1/branches/no-such-branch")).status_code == 404
    assert (await client.get("/no/such/page")).status_code == 404
    after = await scrape(client)
    route = "/api/v1/branches/{slug}"
    assert value(after, "libspace_http_requests_total", method="GET", route=route, status="404") - value(before, "libspace_http_requests_total", method="GET", route=route, status="404") == 3
    assert value(after, "libspace_http_request_duration_seconds_count", method="GET", route=route, status="404") >= 3
    assert value(after, "libspace_http_requests_total", method="GET", route="(unmatched)", status="404") >= 1
    assert not any("no-such-branch" in str(labels) or "/no/such/page" in str(labels) for _name, labels in after)
    assert value(after, "libspace_db_pool_max_connections") > 0


async def test_bookings_sign_ups_messages_and_jobs_are_counted(client, demo):
    from src.notifications import worker
    from src.notifications.clock import Clock
    from src.notifications.settings import get_mail_settings
    from src.notifications.transport import make_transport
    from src.rooms import bookings
    from src.rooms.bookings import BookingRequest
    from tests.events.conftest import make_readers, new_event, principal
    from tests.rooms.helpers import READER, at, open_day, zone_named

    before = await scrape(client)
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    await bookings.book(await principal(READER), BookingRequest(zone_id=zone.id, starts_at=at(branch, day, 10), ends_at=at(branch, day, 11), headcount=1))

    from src.events import service as events_service

    event_id = await new_event(await principal("staff.chekhov@libspace.local"), capacity=1, min_age=None, max_age=None)
    first, second = await make_readers(2, prefix="metrics")
    await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)

    from tests.notifications.support import account, enqueue

    await enqueue("notice", [await account("metrics.counted@example.org")], {"title": "x"}, cause="metrics-counted")
    settings = get_mail_settings()
    transport = make_transport(settings)
    try:
        await worker.send_job(transport, Clock(), settings)
    finally:
        await transport.close()
    after = await scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("libspace_bookings_total", status="confirmed") == 1
    assert grew("libspace_signups_total", status="confirmed") == 1
    assert grew("libspace_signups_total", status="waitlisted") == 1
    assert grew("libspace_job_runs_total", job="send") == 1
    assert grew("libspace_messages_total", outcome="sent") >= 1
    assert value(after, "libspace_job_last_success_timestamp_seconds", job="send") > 0


async def test_outbox_backlog_oldest_age_and_worker_beat_come_from_the_database(client, demo):
    from tests.notifications.support import account, enqueue

    empty = await scrape(client)
    assert value(empty, "libspace_database_up") == 1
    assert value(empty, "libspace_outbox_backlog") == 0 and value(empty, "libspace_outbox_oldest_unsent_age_seconds") == 0
    reader = await account("metrics.reader@example.org")
    await enqueue("notice", [reader], {"title": "x"}, cause="metrics-1")
    from src.notifications.tables import Outbox

    await Outbox.update({Outbox.created_at: now_utc() - timedelta(minutes=5)}).where(Outbox.recipient == reader)
    await Heartbeat("metrics-host:1").beat(now_utc() - timedelta(seconds=30))
    waiting = await scrape(client)
    assert value(waiting, "libspace_outbox_backlog") == 1
    assert 290 < value(waiting, "libspace_outbox_oldest_unsent_age_seconds") < 900
    assert 25 < value(waiting, "libspace_worker_last_beat_age_seconds") < 600
