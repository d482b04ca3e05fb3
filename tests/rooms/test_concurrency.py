"""The promise that matters most: a zone is never double-booked, whatever the concurrency, on either engine.

100 requests for the same slot at once give exactly one booking and 99 clean 409s: through the app in this
process, and against a real server with four worker processes (how a peer system failed on this machine).
"""

import asyncio
from collections import Counter
from datetime import datetime

import httpx

from src.rooms.tables import Booking
from tests.rooms.helpers import READER, TEEN, at, open_day, zone_named
from tests.support import running_server

REQUESTS = 100


async def _slot():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    return zone, {"zone_id": zone.id, "starts_at": at(branch, day, 14).isoformat(), "ends_at": at(branch, day, 16).isoformat(), "purpose": "Гонка", "headcount": 1}


async def _tokens(client: httpx.AsyncClient) -> list[dict[str, str]]:
    headers = []
    for login in (READER, TEEN):
        answer = await client.post("/api/v1/auth/token", json={"login": login, "password": "libspace-demo"})
        assert answer.status_code == 200, answer.text
        headers.append({"Authorization": f"Bearer {answer.json()['access_token']}"})
    return headers


async def _race(client: httpx.AsyncClient, payload: dict) -> list[httpx.Response]:
    headers = await _tokens(client)
    requests = [client.post("/api/v1/bookings", json=payload, headers=headers[n % len(headers)]) for n in range(REQUESTS)]
    return await asyncio.wait_for(asyncio.gather(*requests), timeout=120)


async def _assert_one_winner(answers: list[httpx.Response], zone_id: int, payload: dict) -> None:
    codes = Counter(answer.status_code for answer in answers)
    assert codes == {201: 1, 409: REQUESTS - 1}, {code: count for code, count in codes.items()} | {"sample": [a.text for a in answers if a.status_code not in (201, 409)][:3]}
    for answer in answers:
        if answer.status_code == 409:
            body = answer.json()
            assert body["detail"] and len(body["conflicts"]) == 1 and set(body["conflicts"][0]) == {"date", "starts_at", "ends_at"}
    starts_at = datetime.fromisoformat(payload["starts_at"])
    assert await Booking.count().where((Booking.zone == zone_id) & (Booking.starts_at == starts_at)) == 1


async def test_100_concurrent_requests_through_the_app_give_one_booking(client, demo):
    zone, payload = await _slot()
    await _assert_one_winner(await _race(client, payload), zone.id, payload)


async def test_100_concurrent_requests_against_four_workers_give_one_booking(demo):
    zone, payload = await _slot()
    async with running_server(workers=4, timeout=60) as base_url:
        limits = httpx.Limits(max_connections=REQUESTS + 10, max_keepalive_connections=REQUESTS + 10)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            answers = await _race(client, payload)
    await _assert_one_winner(answers, zone.id, payload)
