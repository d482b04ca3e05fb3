"""Guidance service against the database: saving results, who sees them, availability, booking, notes."""

import json
from datetime import time, timedelta

import pytest

from src.accounts.tables import Account
from src.exceptions import Conflict, Forbidden, Invalid, NotFound
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance import service as guidance_service
from src.guidance.tables import Consultation
from src.notifications.tables import Outbox
from src.timeutil import now_utc
from tests import dates
from tests.guidance.conftest import first_free_slot, make_counsellor, make_reader, open_every_day, principal
from tests.guidance.test_rules import answers_for


async def test_results_are_saved_listed_newest_first_and_private(demo, counsellor):
    reader = await principal(await make_reader(1))
    other = await principal(await make_reader(2))
    first = await guidance_service.save_response(reader, answers_for("nature", {"nature": 4}))
    second = await guidance_service.save_response(reader, answers_for("art"))
    assert [r.id for r in await guidance_service.results_of(reader.id)] == [second.id, first.id]
    assert (await guidance_service.get_result(reader, first.id)).top_types == ("nature",)
    with pytest.raises(NotFound):
        await guidance_service.get_result(other, first.id)
    with pytest.raises(Forbidden):
        await guidance_service.save_response(await principal(counsellor), answers_for("art"))
    with pytest.raises(Invalid) as bad:
        await guidance_service.save_response(reader, {"c01": "a"})
    assert len(bad.value.errors) == 24


async def test_counsellor_sees_results_only_of_their_readers(demo, counsellor):
    reader_id = await make_reader(3)
    reader = await principal(reader_id)
    result = await guidance_service.save_response(reader, answers_for("people"))
    card = (await guidance_service.reader_ref(reader_id)).card_number
    them = await principal(counsellor)
    with pytest.raises(Forbidden):
        await guidance_service.profile_for(them, card)
    with pytest.raises(NotFound):
        await guidance_service.get_result(them, result.id)
    slot = await first_free_slot(counsellor)
    await guidance_consultations.book(reader, counsellor, slot.starts_at)
    _ref, results = await guidance_service.profile_for(them, card)
    assert [r.id for r in results] == [result.id]
    assert (await guidance_service.get_result(them, result.id)).id == result.id
    another = await principal(await make_counsellor("c2@test.local"))
    with pytest.raises(Forbidden):
        await guidance_service.profile_for(another, card)


async def test_booking_rules_422_outside_409_taken_and_reader_busy(demo, counsellor):
    reader = await principal(await make_reader(4))
    second_reader = await principal(await make_reader(5))
    slot = await first_free_slot(counsellor)
    with pytest.raises(Invalid) as outside:
        await guidance_consultations.book(reader, counsellor, slot.starts_at + timedelta(minutes=10))
    assert outside.value.errors[0].field == "starts_at"
    booked = await guidance_consultations.book(reader, counsellor, slot.starts_at, "Куда поступать?")
    assert booked.status == "booked" and booked.topic == "Куда поступать?" and booked.branch_id == slot.branch_id
    with pytest.raises(Conflict):
        await guidance_consultations.book(second_reader, counsellor, slot.starts_at)
    # the same reader, the same time, another counsellor: the reader is busy
    other = await make_counsellor("c3@test.local")
    await open_every_day(other)
    with pytest.raises(Conflict) as busy:
        await guidance_consultations.book(reader, other, slot.starts_at)
    assert busy.value.errors[0].message == "В это время вы заняты"
    free_after = await guidance_availability.slots(slot.starts_at.date(), slot.starts_at.date() + timedelta(days=1), None, counsellor)
    assert slot.starts_at not in [s.starts_at for s in free_after]
    with pytest.raises(Forbidden):
        await guidance_consultations.book(await principal(counsellor), counsellor, slot.starts_at)


async def test_the_database_refuses_a_second_booked_row_on_either_engine(demo, counsellor):
    """The invariant holds even for a writer that skips the service's checks."""
    reader_a, reader_b = await make_reader(6), await make_reader(7)
    slot = await first_free_slot(counsellor)
    row = dict(counsellor=counsellor, branch=slot.branch_id, starts_at=slot.starts_at, ends_at=slot.ends_at, status="booked", created_at=now_utc())
    await Consultation.insert(Consultation(reader=reader_a, **row))
    with pytest.raises(Exception) as clash:
        await Consultation.insert(Consultation(reader=reader_b, **row))
    assert guidance_consultations.is_clash(clash.value)
    overlapping = {**row, "starts_at": slot.starts_at + timedelta(minutes=15), "ends_at": slot.ends_at + timedelta(minutes=15)}
    with pytest.raises(Exception) as overlap:
        await Consultation.insert(Consultation(reader=reader_b, **overlapping))
    assert guidance_consultations.is_clash(overlap.value)
    other = await make_counsellor("c4@test.local")
    with pytest.raises(Exception) as reader_busy:
        await Consultation.insert(Consultation(reader=reader_a, **{**overlapping, "counsellor": other}))
    assert guidance_consultations.is_clash(reader_busy.value)
    await Consultation.insert(Consultation(reader=reader_b, **{**row, "status": "cancelled"}))  # cancelled rows do not count


async def test_cancel_cutoff_for_readers_not_for_counsellors(demo, counsellor):
    reader = await principal(await make_reader(8))
    slot = await first_free_slot(counsellor)
    booked = await guidance_consultations.book(reader, counsellor, slot.starts_at)
    with pytest.raises(Conflict):
        await guidance_consultations.cancel(reader, booked.id, now=slot.starts_at - timedelta(hours=2))
    stranger = await principal(await make_reader(9))
    with pytest.raises(NotFound):
        await guidance_consultations.cancel(stranger, booked.id)
    with pytest.raises(Invalid):  # the library's side says why
        await guidance_consultations.cancel(await principal(counsellor), booked.id, now=slot.starts_at - timedelta(hours=2))
    cancelled = await guidance_consultations.cancel(await principal(counsellor), booked.id, now=slot.starts_at - timedelta(hours=2), reason="Заболела")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None and cancelled.cancel_reason == "Заболела"
    told = await Outbox.select().where(Outbox.kind == "consultation_cancelled")
    payload = told[0]["payload"] if isinstance(told[0]["payload"], dict) else json.loads(told[0]["payload"])
    assert [row["recipient"] for row in told] == [reader.id] and payload["reason"] == "Заболела"
    with pytest.raises(Conflict):
        await guidance_consultations.cancel(reader, booked.id)
    again = await guidance_consultations.book(reader, counsellor, slot.starts_at)  # the slot is free again
    assert (await guidance_consultations.cancel(reader, again.id)).status == "cancelled"


async def test_notes_only_by_the_counsellor(demo, counsellor):
    reader = await principal(await make_reader(10))
    slot = await first_free_slot(counsellor)
    booked = await guidance_consultations.book(reader, counsellor, slot.starts_at)
    with pytest.raises(Forbidden):
        await guidance_consultations.write_notes(reader, booked.id, "сам себе", "тайна")
    other = await principal(await make_counsellor("c5@test.local"))
    with pytest.raises(NotFound):
        await guidance_consultations.write_notes(other, booked.id, "x", "y")
    written = await guidance_consultations.write_notes(await principal(counsellor), booked.id, "Сходить на день открытых дверей", "Тревожится")
    assert written.next_steps == "Сходить на день открытых дверей" and written.private_notes == "Тревожится"
    only_steps = await guidance_consultations.write_notes(await principal(counsellor), booked.id, "Новый шаг", None)
    assert only_steps.private_notes == "Тревожится"


async def test_availability_editing_and_exceptions(demo):
    counsellor_id = await make_counsellor()
    me = await principal(counsellor_id)
    window = await guidance_availability.add_window(me, counsellor_id, guidance_availability.WindowInput("chekhov", 2, time(12), time(14), 60, 0))
    with pytest.raises(Conflict):
        await guidance_availability.add_window(me, counsellor_id, guidance_availability.WindowInput("dialog", 2, time(13), time(15), 60, 0))
    with pytest.raises(Invalid) as bad:
        await guidance_availability.add_window(me, counsellor_id, guidance_availability.WindowInput("nowhere", 9, time(15), time(14), 50, 0))
    assert {e.field for e in bad.value.errors} == {"branch", "weekday", "ends", "slot_minutes"}
    other = await principal(await make_counsellor("c6@test.local"))
    with pytest.raises(Forbidden):
        await guidance_availability.add_window(other, counsellor_id, guidance_availability.WindowInput("chekhov", 3, time(12), time(14)))
    # inside the branch's hours (issue 16, item 7): Dialog is closed on Mondays and open 10-19 on Wednesdays
    for weekday, starts, ends, field in ((0, time(12), time(14), "weekday"), (2, time(18), time(20), "ends"), (2, time(8), time(10), "starts")):
        with pytest.raises(Invalid) as outside:
            await guidance_availability.add_window(me, counsellor_id, guidance_availability.WindowInput("dialog", weekday, starts, ends, 60, 0))
        assert [e.field for e in outside.value.errors] == [field]
    assert "10:00–19:00" in outside.value.errors[0].message
    dialog = await dates.branch("dialog")
    for on, starts, ends, field in ((dates.closed_day(dialog.schedule, tz=dialog.tz), time(12), time(14), "on"), (dates.open_day(dialog.schedule, 3, tz=dialog.tz), time(18), time(20), "ends")):
        with pytest.raises(Invalid) as outside:
            await guidance_availability.add_exception(me, counsellor_id, guidance_availability.ExceptionInput(on, "extra", "dialog", starts, ends, 60, 0))
        assert [e.field for e in outside.value.errors] == [field]
    today = dates.today()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    before = [s for s in await guidance_availability.slots(wednesday, wednesday, None, counsellor_id)]
    exception = await guidance_availability.add_exception(me, counsellor_id, guidance_availability.ExceptionInput(wednesday, "off"))
    assert await guidance_availability.slots(wednesday, wednesday, None, counsellor_id) == []
    await guidance_availability.delete_exception(me, exception.id)
    assert await guidance_availability.slots(wednesday, wednesday, None, counsellor_id) == before
    await guidance_availability.delete_window(me, window.id)
    assert await guidance_availability.availability_of(counsellor_id) == ([], [])
    with pytest.raises(Invalid):
        await guidance_availability.add_exception(me, counsellor_id, guidance_availability.ExceptionInput(today - timedelta(days=1), "off"))


async def test_availability_listing_by_period_and_removal_scoped_to_the_counsellor(demo):
    counsellor_id = await make_counsellor()
    me = await principal(counsellor_id)
    today = dates.today()
    soon = guidance_availability.WindowInput("chekhov", 1, time(12), time(14), 60, 0, valid_until=today + timedelta(days=30))
    later = guidance_availability.WindowInput("chekhov", 1, time(12), time(14), 60, 0, valid_from=today + timedelta(days=60))
    always = guidance_availability.WindowInput("chekhov", 3, time(12), time(14), 60, 0)
    soon_w, later_w, always_w = [await guidance_availability.add_window(me, counsellor_id, data) for data in (soon, later, always)]
    off = await guidance_availability.add_exception(me, counsellor_id, guidance_availability.ExceptionInput(today + timedelta(days=40), "off"))
    weekly, dated = await guidance_availability.listing(me, counsellor_id)
    assert [w.id for w in weekly] == [soon_w.id, later_w.id, always_w.id] and [e.id for e in dated] == [off.id]
    weekly, dated = await guidance_availability.listing(me, counsellor_id, today + timedelta(days=35), today + timedelta(days=50))
    assert [w.id for w in weekly] == [always_w.id] and [e.id for e in dated] == [off.id]
    weekly, dated = await guidance_availability.listing(me, counsellor_id, today + timedelta(days=41))
    assert [w.id for w in weekly] == [later_w.id, always_w.id] and dated == []
    with pytest.raises(Invalid):
        await guidance_availability.listing(me, counsellor_id, today, today - timedelta(days=1))
    with pytest.raises(Forbidden):
        await guidance_availability.listing(await principal(await make_counsellor("c7@test.local")), counsellor_id)
    other_id = await make_counsellor("c8@test.local")
    with pytest.raises(NotFound):  # the window is not the other counsellor's
        await guidance_availability.delete_window(await principal(other_id), soon_w.id, other_id)
    with pytest.raises(NotFound):
        await guidance_availability.delete_exception(me, off.id, other_id)
    await guidance_availability.delete_window(me, soon_w.id, counsellor_id)
    await guidance_availability.delete_exception(me, off.id, counsellor_id)
    weekly, dated = await guidance_availability.listing(me, counsellor_id)
    assert [w.id for w in weekly] == [later_w.id, always_w.id] and dated == []


async def test_slot_search_bounds(demo):
    today = dates.today()
    with pytest.raises(Invalid):
        await guidance_availability.slots(today, today - timedelta(days=1))
    with pytest.raises(Invalid):
        await guidance_availability.slots(today, today + timedelta(days=90))
    with pytest.raises(Invalid):
        await guidance_availability.slots(today, today, "nowhere")


async def test_profession_fields_are_managed_by_staff(demo):
    staff = await principal((await Account.select(Account.id).where(Account.email == "staff.chekhov@libspace.local").first())["id"])
    data = guidance_service.FieldInput("robotics", "Робототехника", "Robotics", types=("technology", "signs"))
    created = await guidance_service.save_field(staff, data)
    assert created.types == ("technology", "signs") and created.name("en") == "Robotics"
    with pytest.raises(Conflict):
        await guidance_service.save_field(staff, data)
    with pytest.raises(Invalid) as bad:
        await guidance_service.save_field(staff, guidance_service.FieldInput("Bad Slug", "x", "", types=("magic",)))
    assert {e.field for e in bad.value.errors} == {"slug", "name_ru", "name_en", "types"}
    reader = await principal(await make_reader(11))
    with pytest.raises(Forbidden):
        await guidance_service.save_field(reader, data)
    hidden = await guidance_service.save_field(staff, guidance_service.FieldInput("robotics", "Робототехника", "Robotics", types=("technology",), is_active=False), created.id)
    assert hidden.id == created.id and "robotics" not in [f.slug for f in await guidance_service.list_fields()]


async def _room_bookings(booking_id: int) -> list[dict]:
    from src.rooms.tables import Booking

    return await Booking.select(Booking.id, Booking.status, Booking.zone.kind, Booking.starts_at, Booking.ends_at, Booking.holder_ref).where(Booking.id == booking_id)


async def test_a_consultation_room_is_reserved_through_rooms_and_released_on_cancel(demo, counsellor):
    reader = await principal(await make_reader(30))
    slot = await first_free_slot(counsellor)  # the test counsellor receives at chekhov, which has a consultation room
    booked = await guidance_consultations.book(reader, counsellor, slot.starts_at)
    assert booked.zone_booking is not None
    [room] = await _room_bookings(booked.zone_booking)
    assert room["zone.kind"] == "consultation_room" and room["status"] == "confirmed" and room["holder_ref"] == booked.id
    assert room["starts_at"] <= slot.starts_at and room["ends_at"] >= slot.ends_at  # widened to the room's grid
    await guidance_consultations.cancel(reader, booked.id)
    [room] = await _room_bookings(booked.zone_booking)
    assert room["status"] == "cancelled"


async def test_no_free_room_still_books_the_consultation_and_no_room_where_there_is_none(demo, counsellor):
    from src.rooms import bookings
    from src.rooms.constants import HOLDER_BLOCK
    from src.rooms import service as rooms_service

    slot = await first_free_slot(counsellor)
    branch = await rooms_service.branch_by_id(slot.branch_id)
    room = next(zone for zone in branch.zones if zone.kind == "consultation_room")
    from src.rooms.rules import snap

    held = (snap(slot.starts_at, 30, branch.tz, up=False), snap(slot.ends_at, 30, branch.tz, up=True))
    await bookings.reserve(bookings.Reservation(zone_id=room.id, starts_at=held[0], ends_at=held[1], holder_kind=HOLDER_BLOCK, purpose="Ремонт"))
    booked = await guidance_consultations.book(await principal(await make_reader(31)), counsellor, slot.starts_at)
    assert booked.status == "booked" and booked.zone_booking is None
    elsewhere = await make_counsellor("c.dialog@test.local")
    await open_every_day(elsewhere, branch="dialog")  # the «Диалог» library has no consultation room
    other_slot = await first_free_slot(elsewhere)
    assert (await guidance_consultations.book(await principal(await make_reader(32)), elsewhere, other_slot.starts_at)).zone_booking is None
