"""Retention: the worker prunes cancelled items, sent messages and expired tokens once they are old enough,
and nothing else. The rows are made through the services today; then the test clock moves on."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from prometheus_client import REGISTRY

from src import retention
from src.accounts import service as accounts_service
from src.accounts.tables import ApiToken
from src.audit.tables import AuditEntry
from src.events import service as events_service
from src.events.tables import Event, Registration
from src.notifications.tables import Outbox
from src.ops.settings import get_ops_settings
from src.rooms import bookings
from src.rooms.bookings import BookingRequest
from src.rooms.tables import Booking
from tests import dates
from tests.events.conftest import make_readers, new_event, principal
from tests.notifications.support import account, enqueue

KEEP = get_ops_settings().retention


async def made_today():
    """A cancelled and a kept booking, a cancelled and a kept sign-up, a sent and an unsent message, a token."""
    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    on = dates.open_day(zone.schedule, after_days=8)
    reader = await principal("reader@libspace.local")
    made = []
    for hour in (11, 14):
        result = await bookings.book(reader, BookingRequest(zone_id=zone.id, starts_at=dates.at(on, hour, tz=branch.tz), ends_at=dates.at(on, hour + 1, tz=branch.tz)))
        made.append(result.bookings[0].id)
    await bookings.cancel(reader, made[0])

    event_id = await new_event(await principal("staff.chekhov@libspace.local"), min_age=None, max_age=None)
    leaving, staying = await make_readers(2, prefix="retention")
    gone = await events_service.sign_up(leaving, event_id)
    await events_service.cancel_registration(leaving, gone.id)
    kept = await events_service.sign_up(staying, event_id)

    await Outbox.delete(force=True)  # the messages of the sign-ups and bookings above: this test counts its own two
    recipient = await account("retention@example.org")
    await enqueue("notice", [recipient], {"title": "x"}, cause="retention-sent")
    await enqueue("notice", [recipient], {"title": "y"}, cause="retention-waiting")
    sent = (await Outbox.select(Outbox.id).order_by(Outbox.id).first())["id"]
    await Outbox.update({Outbox.sent_at: dates.now()}).where(Outbox.id == sent)
    await accounts_service.issue_token(reader)
    return {"booking": made, "registration": [gone.id, kept.id], "sent": sent, "event": event_id}


async def test_nothing_goes_before_its_time_and_everything_old_goes_after(demo, frozen_clock):
    rows = await made_today()
    await AuditEntry.insert(AuditEntry(at=dates.now(), object_kind="test", action="made"))
    soon = await retention.prune(frozen_clock.advance(days=20))
    assert soon == {"cancelled": 0, "messages": 0, "tokens": 0, "audit": 0}

    frozen_clock.advance(days=KEEP.sent_messages_days)  # past the messages' and the token's time
    some = await retention.prune(frozen_clock.now())
    assert some["messages"] == 1 and some["tokens"] >= 1 and some["cancelled"] == 0
    assert await Outbox.count() == 1 and not await Outbox.exists().where(Outbox.id == rows["sent"])
    assert not await ApiToken.exists()

    frozen_clock.advance(days=KEEP.cancelled_days)
    late = await retention.prune(frozen_clock.now())
    assert late["cancelled"] >= 2
    assert [row["id"] for row in await Booking.select(Booking.id).where(Booking.id.is_in(rows["booking"]))] == [rows["booking"][1]]
    assert [row["id"] for row in await Registration.select(Registration.id).where(Registration.id.is_in(rows["registration"]))] == [rows["registration"][1]]
    assert await Event.exists().where(Event.id == rows["event"])
    assert await Outbox.count() == 1, "a message not sent yet is never pruned"
    assert await AuditEntry.exists().where(AuditEntry.object_kind == "test")
    frozen_clock.advance(days=KEEP.audit_days)
    assert (await retention.prune(frozen_clock.now()))["audit"] >= 1
    assert not await AuditEntry.exists().where(AuditEntry.object_kind == "test")


async def test_zero_keeps_forever_and_the_whole_demo_prunes_cleanly(demo, demo_events, frozen_clock):
    await made_today()
    frozen_clock.advance(days=3 * 365)
    forever = replace(KEEP, cancelled_days=0, sent_messages_days=0, expired_tokens_days=0, audit_days=0)
    assert await retention.prune(frozen_clock.now(), forever) == {}
    before = await Booking.count()
    counts = await retention.prune(frozen_clock.now())  # every domain's cancelled rows, on this engine's keys
    assert counts["cancelled"] >= 1 and await Booking.count() < before


async def test_the_worker_runs_the_retention_job(database):
    from src import registrations  # noqa: F401 - registers the retention job, as at start-up
    from src.notifications import worker

    def runs() -> float:
        return REGISTRY.get_sample_value("libspace_job_runs_total", {"job": "retention"}) or 0.0

    before = runs()
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    for _ in range(200):
        if runs() > before:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert runs() == before + 1, "the first pass runs it, the next one an hour later"
    assert REGISTRY.get_sample_value("libspace_job_failures_total", {"job": "retention"}) in (None, 0.0)
