"""Fifty readers race for one consultation slot against `libspace serve --workers 4` (four processes, real HTTP
over loopback): exactly one consultation, and every loser told 409 (a clash), never 500."""

from __future__ import annotations

import asyncio

import httpx

from src.guidance.tables import Consultation
from tests.guidance.conftest import first_free_slot, make_reader, token_for
from tests.support import running_server

RACERS = 50


async def test_fifty_bookings_of_one_slot_across_four_server_processes_give_one_consultation(counsellor):
    headers = [await token_for(await make_reader(300 + n)) for n in range(RACERS)]
    slot = await first_free_slot(counsellor)
    body = {"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}

    async with running_server(workers=4, timeout=120) as base_url:
        limits = httpx.Limits(max_connections=RACERS, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            answers = await asyncio.wait_for(asyncio.gather(*[client.post("/api/v1/guidance/consultations", json=body, headers=h) for h in headers]), timeout=240)

    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(201) == 1 and codes.count(409) == RACERS - 1, codes
    losers = [answer.json() for answer in answers if answer.status_code == 409]
    assert all(loser["detail"] for loser in losers)  # the documented error shape, in words
    assert await Consultation.count().where((Consultation.counsellor == counsellor) & (Consultation.status == "booked")) == 1
