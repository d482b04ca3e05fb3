"""Reminders 24 h and 2 h before, with a clock the test controls; per-reader settings and the stop link."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from src.events.tables import Registration
from src.notifications import reminders, rules
from src.notifications.clock import FixedClock
from src.notifications.messages import category_unsubscribe_path, unsubscribe_path
from src.notifications.preferences import reminder_hours, set_reminders
from src.notifications.tables import Outbox
from tests.conftest import bearer
from tests.notifications.support import account, an_event

UTC = timezone.utc
START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 18:00 in Blagoveshchensk


async def sign_up(reader: int, event_id: int, at: datetime) -> None:
    import secrets

    await Registration.insert(Registration(event=event_id, reader=reader, seats=1, status="confirmed", ticket_code=secrets.token_hex(6).upper(), created_at=at))


async def reminders_of(reader: int) -> list[int]:
    rows = await Outbox.select(Outbox.payload).where((Outbox.recipient == reader) & (Outbox.kind == "reminder")).order_by(Outbox.id).output(load_json=True)
    return [row["payload"]["hours"] for row in rows]


def test_reminder_rules():
    signed = START - timedelta(days=5)
    hours = (24, 2)
    assert not rules.reminder_due(START, 24, hours, signed, START - timedelta(hours=25))
    assert rules.reminder_due(START, 24, hours, signed, START - timedelta(hours=24))
    assert rules.reminder_due(START, 24, hours, signed, START - timedelta(hours=3))
    assert not rules.reminder_due(START, 24, hours, signed, START - timedelta(hours=2))  # the 2-hour one is due instead
    assert rules.reminder_due(START, 2, hours, signed, START - timedelta(hours=2))
    assert not rules.reminder_due(START, 2, hours, signed, START)  # it has started
    late = START - timedelta(hours=10)
    assert not rules.reminder_due(START, 24, hours, late, START - timedelta(hours=9))  # signed up after the moment
    assert rules.reminder_due(START, 2, hours, late, START - timedelta(hours=1))
    assert rules.parse_hours("2, 24,24, 5, x") == (24, 2)
    assert rules.backoff(1, 60, 3600) == timedelta(seconds=60) and rules.backoff(4, 60, 3600) == timedelta(seconds=480)
    assert rules.backoff(20, 60, 3600) == timedelta(seconds=3600)


async def test_24_and_2_hours_before_once_each(demo):
    reader = await account("anna@example.org")
    event_id = await an_event(starts_at=START)
    await sign_up(reader, event_id, START - timedelta(days=7))
    clock = FixedClock(START - timedelta(hours=30))
    assert await reminders.schedule(clock.now()) == 0
    clock.set(START - timedelta(hours=24))
    assert await reminders.schedule(clock.now()) == 1
    clock.advance(minutes=1)
    assert await reminders.schedule(clock.now()) == 0  # never twice
    clock.set(START - timedelta(hours=2, seconds=1))
    assert await reminders.schedule(clock.now()) == 0
    clock.advance(seconds=1)
    assert await reminders.schedule(clock.now()) == 1
    clock.set(START + timedelta(minutes=1))
    assert await reminders.schedule(clock.now()) == 0
    assert await reminders_of(reader) == [24, 2]


async def test_a_reader_chooses_other_hours_or_none(demo):
    chooser, silent = await account("a@example.org"), await account("b@example.org")
    event_id = await an_event(starts_at=START)
    for reader in (chooser, silent):
        await sign_up(reader, event_id, START - timedelta(days=7))
    await set_reminders(chooser, True, (72,))
    await set_reminders(silent, False, (24, 2))
    for hours in (72, 24, 2):
        await reminders.schedule(START - timedelta(hours=hours))
    assert await reminders_of(chooser) == [72]
    assert await reminders_of(silent) == []


async def test_a_moved_event_is_reminded_of_again(demo):
    from src.events.tables import Event

    reader = await account("anna@example.org")
    event_id = await an_event(starts_at=START)
    await sign_up(reader, event_id, START - timedelta(days=7))
    await reminders.schedule(START - timedelta(hours=24))
    later = START + timedelta(days=1)
    await Event.update({Event.starts_at: later, Event.ends_at: later + timedelta(hours=2)}).where(Event.id == event_id)
    await reminders.schedule(later - timedelta(hours=24))
    assert await reminders_of(reader) == [24, 24]


async def test_reminder_settings_api_and_the_stop_link(client, demo):
    headers = await bearer(client, "reader@libspace.local")
    me = (await client.get("/api/v1/me", headers=headers)).json()
    shown = await client.get("/api/v1/me/reminders", headers=headers)
    assert shown.json()["enabled"] is True and shown.json()["hours"] == [24, 2]
    changed = await client.put("/api/v1/me/reminders", headers=headers, json={"enabled": True, "hours": [2, 48]})
    assert changed.status_code == 200 and changed.json()["hours"] == [48, 2]
    assert (await client.put("/api/v1/me/reminders", headers=headers, json={"enabled": True, "hours": [5]})).status_code == 422

    path = unsubscribe_path(me["id"])
    assert (await client.get(path)).status_code == 200
    assert (await client.get(path[:-1] + ("0" if path[-1] != "0" else "1"))).status_code == 404
    one_click = await client.post(path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200
    assert await reminder_hours(me["id"]) == (False, (48, 2))


@pytest.mark.parametrize("hours", [(24, 2)])
async def test_a_reminder_email_has_the_stop_link(smtp, demo, hours):
    from tests.notifications.test_worker import parts, send

    reader = await account("anna@example.org", language="en")
    event_id = await an_event(starts_at=START)
    await sign_up(reader, event_id, START - timedelta(days=7))
    await reminders.schedule(START - timedelta(hours=24))
    await send(smtp, FixedClock(START - timedelta(hours=24)))
    (received,) = smtp.received
    assert received.message["List-Unsubscribe"].strip() == f"<http://127.0.0.1:8000{category_unsubscribe_path(reader, 'reminders')}>"
    assert "A reminder" in parts(received.message)["text/plain"].get_content()
    assert parts(received.message)["text/calendar"].get_param("method") == "REQUEST"
