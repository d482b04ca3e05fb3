"""docs/messages.md as a test: each state change writes exactly the listed messages, once, to the right people,
in their language."""

from __future__ import annotations

import re

import pytest

from src.events import service as events_service
from src.notifications.tables import Outbox
from tests.events.conftest import make_readers, new_event, staff  # noqa: F401 - staff is a fixture

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


async def written_since(last_id: int) -> list[dict]:
    return await Outbox.select(Outbox.kind, Outbox.recipient, Outbox.subject, Outbox.payload).where(Outbox.id > last_id).order_by(Outbox.id).output(load_json=True)


async def last_outbox_id() -> int:
    row = await Outbox.select(Outbox.id).order_by(Outbox.id, ascending=False).first()
    return row["id"] if row else 0


async def sign_up_free(staff):
    event_id = await new_event(staff, capacity=2)
    (reader,) = await make_readers(1)
    mark = await last_outbox_id()
    await events_service.sign_up(reader, event_id)
    return mark, [("registration_confirmed", reader.id)]


async def sign_up_full(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2)
    await events_service.sign_up(first, event_id)
    mark = await last_outbox_id()
    await events_service.sign_up(second, event_id)
    return mark, [("registration_waitlisted", second.id)]


async def cancel_promotes(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2)
    mine = await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    mark = await last_outbox_id()
    await events_service.cancel_registration(first, mine.id)
    return mark, [("registration_promoted", second.id)]


async def event_cancelled(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2)
    await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    mark = await last_outbox_id()
    await events_service.cancel_event(staff, event_id, "Болезнь лектора")
    return mark, [("event_cancelled", first.id), ("event_cancelled", second.id)]


async def staff_cancel_a_sign_up(staff):
    event_id = await new_event(staff, capacity=2)
    (reader,) = await make_readers(1)
    mine = await events_service.sign_up(reader, event_id)
    mark = await last_outbox_id()
    await events_service.cancel_registration(staff, mine.id)
    return mark, [("registration_cancelled", reader.id)]


@pytest.mark.parametrize("change", [sign_up_free, sign_up_full, cancel_promotes, event_cancelled, staff_cancel_a_sign_up], ids=lambda change: change.__name__)
async def test_a_state_change_writes_exactly_its_messages(staff, change):
    mark, expected = await change(staff)
    rows = await written_since(mark)
    assert sorted((row["kind"], row["recipient"]) for row in rows) == sorted(expected)
    assert all(CYRILLIC.search(row["subject"]) for row in rows)  # the readers' language (the site's: Russian)
    if rows[0]["kind"] == "registration_waitlisted":
        assert rows[0]["payload"]["position"] == 1
    if rows[0]["kind"] == "registration_confirmed":
        assert rows[0]["payload"]["ticket_code"]


async def test_booking_requests_reach_the_branchs_staff_as_one_digest_per_half_hour(staff, frozen_clock):
    from datetime import timedelta

    from src.accounts.tables import StaffBranch
    from src.rooms import bookings
    from src.rooms import messages as rooms_messages
    from src.rooms.bookings import BookingRequest
    from tests import dates
    from tests.events.conftest import principal

    branch = await dates.branch("chekhov")
    zone = next(zone for zone in branch.zones if zone.name == "Конференц-зал")  # needs approval
    on = dates.open_day(zone.schedule, after_days=8)
    reader = await principal("reader@libspace.local")
    mark = await last_outbox_id()
    for hour in (11, 14):
        await bookings.book(reader, BookingRequest(zone_id=zone.id, starts_at=dates.at(on, hour, tz=branch.tz), ends_at=dates.at(on, hour + 1, tz=branch.tz), headcount=5))
    assert sorted(row["kind"] for row in await written_since(mark)) == ["booking_received", "booking_received"]
    mark = await last_outbox_id()
    from src.notifications.scheduler import next_slot

    later = frozen_clock.move_to(next_slot(frozen_clock.now(), rooms_messages.DIGEST_EVERY) + timedelta(seconds=5))
    await rooms_messages.approval_digest(later)
    await rooms_messages.approval_digest(later)  # a rerun of the same half hour writes nothing again
    staff_ids = {row["account"] for row in await StaffBranch.select(StaffBranch.account).where(StaffBranch.branch == branch.id)}
    digests = [row for row in await written_since(mark) if row["payload"]["branch"] == branch.name]  # (the demo's own requests wait elsewhere too)
    assert {row["recipient"] for row in digests} == staff_ids and len(digests) == len(staff_ids)
    assert all(row["kind"] == "booking_approval_digest" and row["payload"]["count"] >= 2 for row in digests)
    mark = await last_outbox_id()
    await rooms_messages.approval_digest(later + timedelta(minutes=30))
    assert await written_since(mark) == []  # nothing new in the next half hour


async def test_confirm_or_release_asks_a_day_before_then_releases(staff, frozen_clock):
    from datetime import timedelta

    from src.events import messages as event_messages
    from src.events.tables import Event
    from src.timeutil import aware

    event_id = await new_event(staff, capacity=5, confirm_hours_before=24)
    (reader,) = await make_readers(1)
    mark = await last_outbox_id()
    await events_service.sign_up(reader, event_id)
    (signed,) = await written_since(mark)
    assert signed["kind"] == "registration_confirmed" and signed["payload"]["confirm_by"]  # "confirm by …" in words
    starts_at = aware((await Event.select(Event.starts_at).where(Event.id == event_id).first())["starts_at"])
    deadline = starts_at - timedelta(hours=24)
    mark = await last_outbox_id()
    assert await event_messages.confirmation_requests(deadline - timedelta(hours=25)) == {"asked": 0}  # too early
    assert await event_messages.confirmation_requests(deadline - timedelta(hours=23)) == {"asked": 1}
    assert await event_messages.confirmation_requests(deadline - timedelta(hours=22)) == {"asked": 0}  # once
    (asked,) = await written_since(mark)
    assert asked["kind"] == "registration_confirm_request" and asked["recipient"] == reader.id and asked["payload"]["confirm_by"]
    mark = await last_outbox_id()
    assert await events_service.release_unconfirmed(deadline + timedelta(minutes=1)) == 1
    assert [(row["kind"], row["recipient"]) for row in await written_since(mark)] == [("registration_released", reader.id)]


async def test_staff_moving_a_readers_booking_tells_the_reader(staff):
    from src.rooms import bookings
    from src.rooms.bookings import BookingRequest
    from tests import dates
    from tests.events.conftest import principal

    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    on = dates.open_day(zone.schedule, after_days=9)
    reader = await principal("reader@libspace.local")
    mark = await last_outbox_id()
    made = await bookings.book(reader, BookingRequest(zone_id=zone.id, starts_at=dates.at(on, 11, tz=branch.tz), ends_at=dates.at(on, 12, tz=branch.tz), headcount=1))
    assert [(row["kind"], row["recipient"]) for row in await written_since(mark)] == [("booking_confirmed", reader.id)]
    mark = await last_outbox_id()
    librarian = await principal("staff.centralnaya@libspace.local")
    await bookings.reschedule(librarian, made.bookings[0].id, dates.at(on, 13, tz=branch.tz), dates.at(on, 14, tz=branch.tz))
    await bookings.reschedule(librarian, made.bookings[0].id, dates.at(on, 15, tz=branch.tz), dates.at(on, 16, tz=branch.tz))
    assert [(row["kind"], row["recipient"]) for row in await written_since(mark)] == [("booking_changed", reader.id)] * 2
    mark = await last_outbox_id()
    await bookings.reschedule(reader, made.bookings[0].id, dates.at(on, 11, tz=branch.tz), dates.at(on, 12, tz=branch.tz))
    (own,) = await written_since(mark)  # the reader moved it: a receipt with the new time
    assert (own["kind"], own["recipient"], own["payload"]["by_holder"]) == ("booking_changed", reader.id, True)
