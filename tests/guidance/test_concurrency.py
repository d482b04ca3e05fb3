"""Fifty readers race for one slot through the API at once: exactly one consultation, the rest 409."""

import asyncio

from src.guidance.tables import Consultation
from tests.guidance.conftest import first_free_slot, make_reader, token_for

RACERS = 50


async def test_fifty_concurrent_bookings_of_one_slot_give_one_consultation(client, counsellor):
    headers = [await token_for(await make_reader(100 + n)) for n in range(RACERS)]
    slot = await first_free_slot(counsellor)
    body = {"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}
    answers = await asyncio.gather(*[client.post("/api/v1/guidance/consultations", json=body, headers=h) for h in headers])
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(201) == 1 and codes.count(409) == RACERS - 1, codes
    assert await Consultation.count().where((Consultation.counsellor == counsellor) & (Consultation.status == "booked")) == 1


async def test_one_reader_racing_for_two_counsellors_at_the_same_time_gets_one(client, counsellor):
    from tests.guidance.conftest import make_counsellor, open_every_day

    second = await make_counsellor("c.race@test.local")
    await open_every_day(second)
    headers = await token_for(await make_reader(200))
    slot = await first_free_slot(counsellor)
    bodies = [{"counsellor_id": c, "starts_at": slot.starts_at.isoformat()} for c in (counsellor, second)] * 5
    answers = await asyncio.gather(*[client.post("/api/v1/guidance/consultations", json=b, headers=headers) for b in bodies])
    assert sorted(a.status_code for a in answers).count(201) == 1
