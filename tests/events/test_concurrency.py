"""200 readers sign up at once for 30 seats through the HTTP app: never a seat that does not exist."""

from __future__ import annotations

import asyncio

from src.accounts import service as accounts_service
from src.events.tables import Event, Registration
from tests.events.conftest import make_readers, new_event

READERS = 200
SEATS = 30


async def test_200_concurrent_sign_ups_for_30_seats(client, staff):
    event_id = await new_event(staff, capacity=SEATS, title="Мастер-класс: робототехника")
    readers = await make_readers(READERS)
    tokens = [(await accounts_service.issue_token(reader))[0] for reader in readers]

    async def sign_up(token: str):
        return await client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"})

    answers = await asyncio.gather(*(sign_up(token) for token in tokens))
    assert [a.status_code for a in answers] == [201] * READERS, [a.text for a in answers if a.status_code != 201][:3]
    bodies = [a.json() for a in answers]
    confirmed = [b for b in bodies if b["status"] == "confirmed"]
    waitlisted = [b for b in bodies if b["status"] == "waitlisted"]
    assert len(confirmed) == SEATS and len(waitlisted) == READERS - SEATS
    assert sorted(b["waitlist_position"] for b in waitlisted) == list(range(1, READERS - SEATS + 1))
    assert all(b["ticket_code"] for b in confirmed) and not any(b["ticket_code"] for b in waitlisted)
    assert (await Event.select(Event.seats_taken).where(Event.id == event_id).first())["seats_taken"] == SEATS
    assert await Registration.count().where((Registration.event == event_id) & (Registration.status == "confirmed")) == SEATS

    # five cancellations hand their seats to the first five in the queue, in order
    by_position = {b["waitlist_position"]: b["id"] for b in waitlisted}
    token_of = {b["id"]: token for b, token in zip(bodies, tokens)}
    for body in confirmed[:5]:
        answer = await client.post(f"/api/v1/registrations/{body['id']}/cancel", headers={"Authorization": f"Bearer {token_of[body['id']]}"})
        assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
        promoted = await Registration.select(Registration.status).where(Registration.id == by_position[confirmed.index(body) + 1]).first()
        assert promoted["status"] == "confirmed"
    head = await client.get(f"/api/v1/events/{event_id}/registrations", headers=await _staff_headers(client))
    rows = head.json()["items"]
    assert sum(1 for r in rows if r["status"] == "confirmed") == SEATS
    assert [r["waitlist_position"] for r in rows if r["status"] == "waitlisted"] == list(range(1, READERS - SEATS - 5 + 1))
    assert (await Event.select(Event.seats_taken).where(Event.id == event_id).first())["seats_taken"] == SEATS


async def _staff_headers(client):
    from tests.conftest import bearer

    return await bearer(client, "staff.chekhov@libspace.local")
