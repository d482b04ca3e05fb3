"""200 readers sign up at once for 30 seats against `libspace serve --workers 4` (four processes, real HTTP over
loopback): never a seat that does not exist, every answer a sign-up, the waitlist numbered without gaps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from src.accounts import service as accounts_service
from src.events.tables import Event, Registration
from tests import dates
from tests.events.conftest import make_readers, new_event
from tests.support import running_server

READERS = 200
SEATS = 30


async def test_200_sign_ups_for_30_seats_across_four_server_processes(staff):
    starts = dates.now() + timedelta(days=5)
    event_id = await new_event(staff, capacity=SEATS, title="Мастер-класс: робототехника", starts_at=starts, min_age=None, max_age=None)
    readers = await make_readers(READERS, birth_date=dates.birth_date(16))
    tokens = [(await accounts_service.issue_token(reader))[0] for reader in readers]

    async with running_server(workers=4, timeout=120) as base_url:
        limits = httpx.Limits(max_connections=READERS, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            sign_ups = [client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"}) for token in tokens]
            answers = await asyncio.wait_for(asyncio.gather(*sign_ups), timeout=240)

    assert [a.status_code for a in answers] == [201] * READERS, sorted({(a.status_code, a.text[:200]) for a in answers if a.status_code != 201})[:3]
    bodies = [a.json() for a in answers]
    confirmed = [b for b in bodies if b["status"] == "confirmed"]
    waitlisted = [b for b in bodies if b["status"] == "waitlisted"]
    assert len(confirmed) == SEATS and len(waitlisted) == READERS - SEATS
    assert sorted(b["waitlist_position"] for b in waitlisted) == list(range(1, READERS - SEATS + 1))
    assert (await Event.select(Event.seats_taken).where(Event.id == event_id).first())["seats_taken"] == SEATS
    assert await Registration.count().where((Registration.event == event_id) & (Registration.status == "confirmed")) == SEATS
    assert await Registration.count().where(Registration.event == event_id) == READERS  # one sign-up per reader, none lost
