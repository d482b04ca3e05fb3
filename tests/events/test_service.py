"""The service against a real database: sign-up, waitlist, promotion, cancellation, check-in, fairness."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from src import clock
from src.events import queries
from src.events import service as events_service
from src.events.service import EventChange
from src.events.tables import Event, Registration
from src.exceptions import Conflict, Forbidden, Invalid
from src.notifications.tables import Outbox
from src.timeutil import now_utc
from tests import dates
from tests.events.conftest import during_opening, make_readers, new_event, principal, soon


async def _counts(event_id: int) -> tuple[int, int, int]:
    event = await Event.select(Event.seats_taken).where(Event.id == event_id).first()
    confirmed = await Registration.count().where((Registration.event == event_id) & (Registration.status == "confirmed"))
    waiting = await Registration.count().where((Registration.event == event_id) & (Registration.status == "waitlisted"))
    return event["seats_taken"], confirmed, waiting


async def test_confirmed_then_waitlisted_with_positions(staff):
    event_id = await new_event(staff, capacity=2)
    readers = await make_readers(4)
    results = [await events_service.sign_up(reader, event_id) for reader in readers]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]
    assert await _counts(event_id) == (2, 2, 2)


async def test_cancel_promotes_first_waitlisted_and_notifies(staff):
    event_id = await new_event(staff, capacity=1)
    first, second, third = await make_readers(3)
    mine = await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    await events_service.sign_up(third, event_id)
    await events_service.cancel_registration(first, mine.id)
    event = await queries.get_event(event_id)
    assert (await queries.registration_of(event, second.id)).status == "confirmed"
    assert (await queries.registration_of(event, third.id)).waitlist_position == 1
    messages = await Outbox.select().where(Outbox.kind == "registration_promoted")
    assert [m["recipient"] for m in messages] == [second.id]
    assert messages[0]["subject"].startswith("Место за вами")


async def test_group_waits_as_one_and_is_not_overtaken(staff):
    event_id = await new_event(staff, capacity=3, seats_per_signup=3)
    a, family, single = await make_readers(3)
    one = await events_service.sign_up(a, event_id, seats=2)
    group = await events_service.sign_up(family, event_id, seats=3)
    late = await events_service.sign_up(single, event_id, seats=1)
    assert (group.status, late.status, late.waitlist_position) == ("waitlisted", "waitlisted", 2)  # a free seat, but the family is first
    await events_service.cancel_registration(a, one.id)
    assert await _counts(event_id) == (3, 1, 1)
    event = await queries.get_event(event_id)
    assert (await queries.registration_of(event, family.id)).status == "confirmed"
    assert (await queries.registration_of(event, single.id)).status == "waitlisted"


async def test_bad_sign_ups_write_nothing(staff):
    readers = await make_readers(3)
    young = (await make_readers(1, birth_date=dates.birth_date(11), prefix="kid"))[0]
    closed = await new_event(staff, capacity=1, waitlist=False)
    await events_service.sign_up(readers[0], closed)
    with pytest.raises(Conflict):
        await events_service.sign_up(readers[1], closed)  # full, no waitlist
    with pytest.raises(Conflict):
        await events_service.sign_up(readers[0], closed)  # second sign-up
    with pytest.raises(Invalid) as age:
        await events_service.sign_up(young, closed)
    assert age.value.errors[0].field == "age"
    later = await new_event(staff, registration_opens_at=now_utc() + timedelta(days=1))
    with pytest.raises(Invalid) as window:
        await events_service.sign_up(readers[1], later)
    assert window.value.extra["registration_opens_at"]
    assert await Registration.count() == 1


async def test_under_14_needs_guardian_consent(staff):
    event_id = await new_event(staff, min_age=None, max_age=None, category="family")
    without = (await make_readers(1, birth_date=dates.birth_date(10), prefix="a"))[0]
    with_consent = (await make_readers(1, birth_date=dates.birth_date(10), prefix="b", guardian=True))[0]
    with pytest.raises(Invalid):
        await events_service.sign_up(without, event_id)
    assert (await events_service.sign_up(with_consent, event_id)).status == "confirmed"


async def test_capacity_cannot_drop_below_confirmed_and_raising_it_promotes(staff):
    event_id = await new_event(staff, capacity=2)
    readers = await make_readers(3)
    for reader in readers:
        await events_service.sign_up(reader, event_id)
    with pytest.raises(Invalid) as lowered:
        await events_service.update_event(staff, event_id, EventChange(values={"capacity": 1}))
    assert lowered.value.errors[0].field == "capacity"
    await events_service.update_event(staff, event_id, EventChange(values={"capacity": 3}))
    assert await _counts(event_id) == (3, 3, 0)


async def test_staff_cancel_keeps_event_and_notifies_everyone(staff):
    event_id = await new_event(staff, capacity=1)
    readers = await make_readers(2)
    for reader in readers:
        await events_service.sign_up(reader, event_id)
    other_staff = await principal("staff.dialog@libspace.local")
    with pytest.raises(Forbidden):
        await events_service.cancel_event(other_staff, event_id, "Не моё")
    with pytest.raises(Invalid):  # staff say why: everyone signed up reads it
        await events_service.cancel_event(staff, event_id, "  ")
    await events_service.cancel_event(staff, event_id, "Болезнь ведущего")
    event = await queries.get_event(event_id)
    assert event.status == "cancelled" and event.seats_taken == 0
    assert sorted(m["recipient"] for m in await Outbox.select().where(Outbox.kind == "event_cancelled")) == sorted(r.id for r in readers)
    with pytest.raises(Conflict):
        await events_service.sign_up((await make_readers(1, prefix="x"))[0], event_id)


async def test_series_occurrences_move_and_cancel_alone(staff):
    first = await new_event(staff, recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=4", category="reading_club", min_age=None, max_age=None)
    event = await queries.get_event(first)
    dates = await queries.series_dates(event.series_id)
    assert len(dates) == 4 and all((b[1] - a[1]) == timedelta(days=14) for a, b in zip(dates, dates[1:]))
    second_id = dates[1][0]
    new_start = dates[1][1] + timedelta(days=1)
    await events_service.update_event(staff, second_id, EventChange(values={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}))
    await events_service.cancel_event(staff, dates[2][0], "Ведущий в отпуске")
    after = await queries.series_dates(event.series_id)
    assert after[1][1] == new_start and [d[2] for d in after] == ["scheduled", "scheduled", "cancelled", "scheduled"]
    assert after[0][1] == dates[0][1] and after[3][1] == dates[3][1]


async def test_check_in_by_code_and_card_and_wrong_event(staff, frozen_clock):
    today_start = await during_opening(frozen_clock) + timedelta(minutes=30)
    event_id = await new_event(staff, starts_at=today_start, ends_at=today_start + timedelta(hours=1), registration_closes_at=None)
    other_id = await new_event(staff, starts_at=today_start, ends_at=today_start + timedelta(hours=1), title="Другое событие")
    tomorrow = await new_event(staff, starts_at=today_start + timedelta(days=2), title="Завтрашнее")
    a, b, c = await make_readers(3)
    ticket = await events_service.sign_up(a, event_id)
    await events_service.sign_up(b, event_id)
    later = await events_service.sign_up(c, tomorrow)
    with pytest.raises(Invalid):
        await events_service.check_in(staff, code=ticket.ticket_code, event_id=other_id)
    with pytest.raises(Invalid):
        await events_service.check_in(staff, code=later.ticket_code)
    assert await Registration.count().where(Registration.checked_in_at.is_not_null()) == 0
    done = await events_service.check_in(staff, code=ticket.ticket_code.lower(), event_id=event_id)
    assert not done.already
    again = await events_service.check_in(staff, code=ticket.ticket_code)
    assert again.already
    by_card = await events_service.check_in(staff, card_number=b.card_number, event_id=event_id)
    assert by_card.reader_name == b.full_name


async def test_no_shows_lead_to_confirmation_and_release(staff, monkeypatch):
    reader, keen = await make_readers(2)
    past = now_utc() - timedelta(days=3)
    for index in range(2):
        with clock.at(past - timedelta(days=1)):  # made back then: staff cannot create an event already over
            event_id = await new_event(staff, starts_at=past + timedelta(hours=index * 3), title=f"Прошедшее {index}")
        # signed up back then: insert directly, the window is over now
        await Registration.insert(Registration(event=event_id, reader=reader.id, seats=1, status="confirmed", ticket_code=f"PAST{index}", created_at=past))
        await Event.update({Event.seats_taken: 1, Event.attendance_taken: True}).where(Event.id == event_id)
    assert await events_service.no_show_count(reader.id) == 2
    upcoming = await new_event(staff, capacity=1, starts_at=now_utc() + timedelta(hours=30))
    held = await events_service.sign_up(reader, upcoming)
    assert held.status == "confirmed" and held.confirmation_required
    queued = await events_service.sign_up(keen, upcoming)
    assert queued.status == "waitlisted"
    assert await events_service.release_unconfirmed(now=now_utc()) == 0  # deadline (24 h before) not reached
    later = now_utc() + timedelta(hours=7)
    assert await events_service.release_unconfirmed(now=later) == 1
    assert await events_service.release_unconfirmed(now=later) == 0  # idempotent
    event = await queries.get_event(upcoming)
    assert (await queries.registration_of(event, keen.id)).status == "confirmed"
    assert (await queries.registration_of(event, reader.id)).status == "cancelled"


async def test_confirmed_seat_is_kept(staff):
    event_id = await new_event(staff, capacity=1, confirm_hours_before=24, starts_at=now_utc() + timedelta(hours=30))
    reader, = await make_readers(1)
    held = await events_service.sign_up(reader, event_id)
    assert held.confirmation_required
    await events_service.confirm_registration(reader, held.id)
    assert await events_service.release_unconfirmed(now=now_utc() + timedelta(hours=8)) == 0


async def test_event_reserves_its_zone_and_a_clash_creates_nothing(staff):
    from src.rooms.tables import Booking
    from tests.events.conftest import wednesday_afternoon, zone_id

    hall = await zone_id()
    start = await wednesday_afternoon(weeks_ahead=2)
    first = await new_event(staff, zone_id=hall, starts_at=start, ends_at=start + timedelta(hours=2), capacity=20)
    held = await Booking.select().where((Booking.holder_kind == "event") & (Booking.holder_ref == first)).first()
    assert held["holder_kind"] == "event" and held["zone"] == hall and held["status"] == "confirmed"
    with pytest.raises(Conflict):
        await new_event(staff, zone_id=hall, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=3), title="Наложение")
    with pytest.raises(Conflict):  # a series with one clashing date: nothing at all
        await new_event(staff, zone_id=hall, starts_at=start - timedelta(weeks=1) + timedelta(minutes=30), ends_at=start - timedelta(weeks=1) + timedelta(hours=2),
                        recurrence="FREQ=WEEKLY;COUNT=3", title="Серия")
    assert await Event.count() == 1 and await Booking.count().where(Booking.holder_kind == "event") == 1
    with pytest.raises(Invalid) as too_many:
        await new_event(staff, zone_id=hall, starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=2), capacity=500, title="Толпа")
    assert too_many.value.errors[0].field == "capacity"


async def test_moving_into_a_clash_changes_nothing_and_cancelling_frees_the_zone(staff):
    from src.rooms.tables import Booking
    from tests.events.conftest import wednesday_afternoon, zone_id

    hall = await zone_id()
    start = await wednesday_afternoon()
    first = await new_event(staff, zone_id=hall, starts_at=start, ends_at=start + timedelta(hours=1), capacity=20)
    second = await new_event(staff, zone_id=hall, starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=3), capacity=20, title="Второе")
    with pytest.raises(Conflict):
        await events_service.update_event(staff, second, EventChange(values={"starts_at": start + timedelta(minutes=30), "ends_at": start + timedelta(hours=1, minutes=30)}))
    assert (await queries.get_event(second)).starts_at == start + timedelta(hours=2)
    assert await Booking.count().where((Booking.status == "confirmed") & (Booking.holder_kind == "event")) == 2
    await events_service.update_event(staff, second, EventChange(values={"starts_at": start + timedelta(hours=4), "ends_at": start + timedelta(hours=5)}))
    moved = await Booking.select().where((Booking.holder_kind == "event") & (Booking.holder_ref == second) & (Booking.status == "confirmed")).first()
    assert moved["starts_at"].replace(tzinfo=None) == (start + timedelta(hours=4)).astimezone(timezone.utc).replace(tzinfo=None)
    await events_service.cancel_event(staff, first, "Перенесли в другой зал")
    assert await Booking.count().where((Booking.holder_kind == "event") & (Booking.holder_ref == first) & (Booking.status == "confirmed")) == 0
    assert await new_event(staff, zone_id=hall, starts_at=start, ends_at=start + timedelta(hours=1), title="На освободившееся время")


async def test_moving_keeps_the_length_and_the_window(staff):
    start = soon(5)
    event_id = await new_event(staff, starts_at=start, ends_at=start + timedelta(hours=2), registration_closes_at=start - timedelta(hours=3))
    await events_service.update_event(staff, event_id, EventChange(values={"starts_at": start + timedelta(days=1)}))
    event = await queries.get_event(event_id)
    assert event.ends_at == start + timedelta(days=1, hours=2)
    assert event.registration_closes_at == start + timedelta(days=1) - timedelta(hours=3)


async def test_the_service_refuses_an_event_already_over_or_past_its_zones_closing(staff, client):
    """Issue 16, item 7: the rule lives in the service, so the editor page and the API both refuse."""
    from tests.conftest import bearer
    from tests.events.conftest import zone_id

    hall = await zone_id()
    branch = await dates.branch("chekhov")
    schedule = next(zone for zone in branch.zones if zone.id == hall).schedule
    opens, closes = dates.hours_of(schedule, dates.open_day(schedule, 3, tz=branch.tz), branch.tz)
    with pytest.raises(Invalid) as late:
        await new_event(staff, zone_id=hall, starts_at=closes - timedelta(hours=1), ends_at=closes + timedelta(hours=1))
    assert late.value.errors[0].field == "ends_at" and closes.strftime("%H:%M") in late.value.errors[0].message
    past = now_utc() - timedelta(hours=3)
    with pytest.raises(Invalid) as over:
        await new_event(staff, starts_at=past, ends_at=past + timedelta(hours=1))
    assert over.value.errors[0].field == "ends_at"
    event_id = await new_event(staff, zone_id=hall, starts_at=opens, ends_at=opens + timedelta(hours=1))
    with pytest.raises(Invalid):
        await events_service.update_event(staff, event_id, EventChange(values={"starts_at": past}))
    assert (await queries.get_event(event_id)).starts_at == opens
    answer = await client.post("/api/v1/events", headers=await bearer(client, "staff.chekhov@libspace.local"), json={
        "title": "После закрытия", "category": "lecture", "branch": "chekhov", "zone_id": hall,
        "starts_at": (closes - timedelta(minutes=30)).isoformat(), "ends_at": (closes + timedelta(minutes=30)).isoformat()})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "ends_at", answer.text
    assert await Event.count() == 1
