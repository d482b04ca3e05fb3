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


async def test_concurrent_sign_ups_keep_the_queue_in_id_order_with_their_audit_entries_and_messages(client, staff):
    """The outcome is decided under the lock and its audit entry and message are written with it (the rush of
    issue 17): ids, statuses and positions agree with each other, and each sign-up has exactly one of both."""
    from src.audit.tables import AuditEntry
    from src.notifications.tables import Outbox

    event_id = await new_event(staff, capacity=5, title="Мастер-класс: 3D-печать")
    readers = await make_readers(40, prefix="q")
    tokens = [(await accounts_service.issue_token(reader))[0] for reader in readers]
    answers = await asyncio.gather(*(
        client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"}) for token in tokens
    ))
    assert [a.status_code for a in answers] == [201] * 40, [a.text for a in answers if a.status_code != 201][:3]
    bodies = sorted((a.json() for a in answers), key=lambda body: body["id"])
    assert [b["status"] for b in bodies] == ["confirmed"] * 5 + ["waitlisted"] * 35  # nobody overtook the queue
    assert [b["waitlist_position"] for b in bodies[5:]] == list(range(1, 36))
    rows = await Registration.select(Registration.id, Registration.status).where(Registration.event == event_id).order_by(Registration.id)
    assert [(row["id"], row["status"]) for row in rows] == [(b["id"], b["status"]) for b in bodies]
    entries = await AuditEntry.select(AuditEntry.object_id, AuditEntry.changes).where(
        (AuditEntry.object_kind == "registration") & (AuditEntry.action == "create") & AuditEntry.object_id.is_in([b["id"] for b in bodies])
    )
    assert sorted(entry["object_id"] for entry in entries) == [b["id"] for b in bodies]
    status_of = {b["id"]: b["status"] for b in bodies}
    assert all(f'"after":"{status_of[entry["object_id"]]}"' in entry["changes"].replace(" ", "") for entry in entries)
    messages = await Outbox.select(Outbox.message_id, Outbox.kind, Outbox.payload).where(Outbox.kind.is_in(["registration_confirmed", "registration_waitlisted"])).output(load_json=True)
    mine = {message["payload"]["registration_id"]: message for message in messages if message["payload"].get("event_id") == event_id}
    assert sorted(mine) == [b["id"] for b in bodies]
    for body in bodies:
        message = mine[body["id"]]
        assert message["kind"] == ("registration_confirmed" if body["status"] == "confirmed" else "registration_waitlisted")
        assert message["message_id"].startswith(f"{message['kind']}:{body['id']}:")
        assert message["payload"]["position"] == body["waitlist_position"]


async def test_a_waiting_group_is_never_overtaken_by_concurrent_newcomers(client, staff):
    """A group of two waits for two seats while one is free: readers signing up at once all queue behind it."""
    event_id = await new_event(staff, capacity=4, seats_per_signup=3, title="Мастер-класс: керамика")
    readers = await make_readers(22, prefix="g")
    tokens = [(await accounts_service.issue_token(reader))[0] for reader in readers]

    async def sign_up(token: str, seats: int):
        return await client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": seats}, headers={"Authorization": f"Bearer {token}"})

    assert (await sign_up(tokens[0], 3)).json()["status"] == "confirmed"
    group = (await sign_up(tokens[1], 2)).json()
    assert group["status"] == "waitlisted" and group["waitlist_position"] == 1
    answers = await asyncio.gather(*(sign_up(token, 1) for token in tokens[2:]))
    bodies = [a.json() for a in answers]
    assert [b["status"] for b in bodies] == ["waitlisted"] * 20, bodies[:3]
    assert sorted(b["waitlist_position"] for b in bodies) == list(range(2, 22))
    assert (await Event.select(Event.seats_taken).where(Event.id == event_id).first())["seats_taken"] == 3
