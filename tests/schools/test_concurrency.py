"""20 concurrent confirmations of different requests into one zone and time give exactly one confirmed visit
and one booking, on SQLite and on PostgreSQL: in-process through the ASGI app, and against a real server
with four worker processes."""

import asyncio

import httpx

from src.rooms.constants import ACTIVE_STATUSES
from src.rooms.tables import Booking
from src.schools.tables import VisitRequest
from tests.conftest import bearer
from tests.schools.conftest import career_request, hall_id, local, open_day
from tests.support import running_server

CLASSES = [f"{grade}{letter}" for grade in (8, 9, 10, 11) for letter in "АБВГД"]  # 20 classes


async def twenty_requests(people):
    day = await open_day()
    visits = [await career_request(people.teacher, day, class_name=name) for name in CLASSES]
    return day, [visit.id for visit in visits]


async def confirm_all(client: httpx.AsyncClient, headers: dict, visit_ids: list[int], zone_id: int, starts_at: str) -> list[int]:
    async def one(visit_id: int) -> int:
        answer = await client.post(f"/api/v1/visits/{visit_id}/confirm", json={"zone_id": zone_id, "starts_at": starts_at}, headers=headers)
        assert answer.status_code in (200, 409), answer.text
        return answer.status_code

    return list(await asyncio.gather(*[one(visit_id) for visit_id in visit_ids]))


async def assert_exactly_one(visit_ids: list[int], zone_id: int, codes: list[int]) -> None:
    assert sorted(codes) == [200] + [409] * 19
    confirmed = await VisitRequest.select(VisitRequest.id).where(VisitRequest.id.is_in(visit_ids) & (VisitRequest.status == "confirmed"))
    assert len(confirmed) == 1
    bookings = await Booking.select(Booking.holder_ref).where((Booking.zone == zone_id) & Booking.status.is_in(list(ACTIVE_STATUSES)) & (Booking.holder_kind == "visit"))
    assert [row["holder_ref"] for row in bookings if row["holder_ref"] in visit_ids] == [confirmed[0]["id"]]
    still_requested = await VisitRequest.count().where(VisitRequest.id.is_in(visit_ids) & (VisitRequest.status == "requested"))
    assert still_requested == 19


async def test_twenty_concurrent_confirmations_in_process(client, people):
    day, visit_ids = await twenty_requests(people)
    zone_id = await hall_id()
    staff = await bearer(client, "staff.chekhov@libspace.local")
    codes = await confirm_all(client, staff, visit_ids, zone_id, (await local(day, 12)).isoformat())
    await assert_exactly_one(visit_ids, zone_id, codes)


async def test_twenty_concurrent_confirmations_against_four_workers(people):
    day, visit_ids = await twenty_requests(people)
    zone_id = await hall_id()
    async with running_server(workers=4) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            staff = await bearer(client, "staff.chekhov@libspace.local")
            codes = await confirm_all(client, staff, visit_ids, zone_id, (await local(day, 12)).isoformat())
    await assert_exactly_one(visit_ids, zone_id, codes)
