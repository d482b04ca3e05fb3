"""The booking service against the database: each rule that needs data, status changes, the invariant."""

from datetime import time, timedelta

import pytest
from piccolo.engine import engine_finder

from src.branches.rules import week_start
from src.branches.tables import Closure, WeeklyHours
from src.db import write_transaction
from src.exceptions import Conflict, Forbidden, Invalid, NotFound
from src.rooms import availability, bookings, rules
from src.rooms import service as rooms_service
from src.rooms.bookings import BookingRequest, Reservation
from src.rooms.constants import CANCELLED, CONFIRMED, DECLINED, HOLDER_EVENT, HOLDER_READER, PENDING
from src.rooms.exceptions import BookingClash
from src.rooms.rules import Recurrence
from src.rooms.tables import Booking
from src.timeutil import now_utc, today_in
from tests import dates
from tests.rooms.helpers import ADMIN, READER, TEEN, at, open_day, principal, staff_of, zone_named


async def coworking():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    return branch, zone, open_day(zone, branch.tz, weeks=4)


async def book(email, zone, start, end, **kw):
    return await bookings.book(await principal(email), BookingRequest(zone_id=zone.id, starts_at=start, ends_at=end, headcount=kw.pop("headcount", 2), **kw))


async def test_a_reader_books_a_free_slot_and_it_is_confirmed(demo):
    branch, zone, day = await coworking()
    result = await book(READER, zone, at(branch, day, 10), at(branch, day, 12), purpose="Подготовка к экзамену")
    (booking,) = result.bookings
    assert booking.status == CONFIRMED and booking.holder_kind == HOLDER_READER and result.series is None
    assert booking.starts_at == at(branch, day, 10) and booking.purpose == "Подготовка к экзамену"


async def test_a_zone_that_needs_approval_gives_a_pending_booking_but_staff_are_confirmed(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    (pending,) = (await book(READER, hall, at(branch, day, 12), at(branch, day, 14))).bookings
    assert pending.status == PENDING
    (staff,) = (await book(staff_of("chekhov"), hall, at(branch, day, 15), at(branch, day, 16))).bookings
    assert staff.status == CONFIRMED and staff.holder_kind == "staff"


async def test_a_clash_is_a_409_naming_the_time_and_nothing_is_written(demo):
    branch, zone, day = await coworking()
    await book(READER, zone, at(branch, day, 10), at(branch, day, 12))
    before = await Booking.count()
    with pytest.raises(BookingClash) as clash:
        await book(TEEN, zone, at(branch, day, 11), at(branch, day, 13))
    assert clash.value.status_code == 409
    (conflict,) = clash.value.extra["conflicts"]
    assert conflict["starts_at"] == at(branch, day, 10) and conflict["ends_at"] == at(branch, day, 12)
    assert set(conflict) == {"date", "starts_at", "ends_at"}  # the time only: never who holds it
    assert await Booking.count() == before
    (adjacent,) = (await book(TEEN, zone, at(branch, day, 12), at(branch, day, 13))).bookings  # half-open
    assert adjacent.status == CONFIRMED


async def test_buffers_keep_the_clean_up_time_free(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")  # 15 minutes of clean-up after each booking
    day = open_day(hall, branch.tz)
    await book(staff_of("chekhov"), hall, at(branch, day, 12), at(branch, day, 13))
    with pytest.raises(BookingClash):
        await book(staff_of("chekhov"), hall, at(branch, day, 13), at(branch, day, 14))
    with pytest.raises(BookingClash):  # the new booking's clean-up would run into the first
        await book(staff_of("chekhov"), hall, at(branch, day, 11), at(branch, day, 12))
    assert (await book(staff_of("chekhov"), hall, at(branch, day, 13, 30), at(branch, day, 14, 30))).bookings


@pytest.mark.parametrize(
    "case, field, words",
    [
        ("end before start", "ends_at", "after the start"),
        ("off the grid", "starts_at", "grid"),
        ("outside hours", "starts_at", "outside opening hours"),
        ("on a closure", "starts_at", "closed"),
        ("too long", "ends_at", "too long"),
        ("too soon", "starts_at", "too soon"),
        ("too far", "starts_at", "too far"),
        ("too many people", "headcount", "at most"),
    ],
)
async def test_each_bad_input_is_a_422_with_field_and_reason(demo, case, field, words):
    branch, zone, day = await coworking()
    tz = branch.tz
    closure = next(c for c in zone.schedule.closures if c.starts_on > today_in(tz) + timedelta(days=1))
    soon = rules.snap(now_utc() + timedelta(minutes=10), 30, tz)
    far = today_in(tz) + timedelta(days=zone.rules.horizon_days + 1)
    start, end, headcount = {
        "end before start": (at(branch, day, 12), at(branch, day, 11), 1),
        "off the grid": (at(branch, day, 10, 10), at(branch, day, 11), 1),
        "outside hours": (at(branch, day, 8), at(branch, day, 9), 1),
        "on a closure": (at(branch, closure.starts_on, 11), at(branch, closure.starts_on, 12), 1),
        "too long": (at(branch, day, 10), at(branch, day, 10) + timedelta(minutes=zone.rules.max_minutes + 30), 1),
        "too soon": (soon, soon + timedelta(hours=1), 1),
        "too far": (at(branch, far, 11), at(branch, far, 12), 1),
        "too many people": (at(branch, day, 10), at(branch, day, 11), zone.capacity + 1),
    }[case]
    before = await Booking.count()
    with pytest.raises(Invalid) as invalid:
        await book(READER, zone, start, end, headcount=headcount)
    assert invalid.value.status_code == 422
    assert field in [error.field for error in invalid.value.errors]
    assert any(words in error.message for error in invalid.value.errors), invalid.value.errors
    assert await Booking.count() == before


async def test_too_short_on_a_zone_with_a_minimum(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")  # at least 60 minutes
    day = open_day(hall, branch.tz)
    with pytest.raises(Invalid) as invalid:
        await book(READER, hall, at(branch, day, 12), at(branch, day, 12, 30))
    assert "too short" in invalid.value.errors[0].message


async def test_a_zone_not_open_to_readers_is_a_422(demo):
    branch, room = await zone_named("chekhov", "Кабинет профконсультаций")
    day = open_day(room, branch.tz)
    with pytest.raises(Invalid) as invalid:
        await book(READER, room, at(branch, day, 12), at(branch, day, 13), headcount=1)
    assert invalid.value.errors[0].field == "zone_id"


async def test_acting_outside_ones_rights_is_403_and_unknown_zone_404(demo):
    branch, zone, day = await coworking()
    with pytest.raises(Forbidden):
        await book(READER, zone, at(branch, day, 8), at(branch, day, 9), override_hours=True)
    with pytest.raises(Forbidden):
        await book(READER, zone, at(branch, day, 10), at(branch, day, 11), block=True)
    with pytest.raises(Invalid):  # staff of another branch may not book here (not their zone)
        await book(staff_of("chekhov"), zone, at(branch, day, 10), at(branch, day, 11))
    with pytest.raises(NotFound):
        await bookings.book(await principal(READER), BookingRequest(zone_id=999999, starts_at=at(branch, day, 10), ends_at=at(branch, day, 11)))


async def test_staff_override_opening_hours_and_it_is_recorded(demo):
    branch, zone, day = await coworking()
    staff = await principal(staff_of("centralnaya"))
    (booking,) = (await book(staff_of("centralnaya"), zone, at(branch, day, 8), at(branch, day, 9, 30), override_hours=True)).bookings
    row = await Booking.select(Booking.override_hours, Booking.override_by).where(Booking.id == booking.id).first()
    assert row == {"override_hours": True, "override_by": staff.id}
    with pytest.raises(Invalid):
        await book(staff_of("centralnaya"), zone, at(branch, day, 7), at(branch, day, 8))


async def test_weekly_quota_counts_one_card_across_every_branch(demo):
    # coworking: at most 10 hours a week per reader, wherever
    places = [await zone_named(slug, "Коворкинг") for slug in ("centralnaya", "chekhov", "mashuk-observatory")]
    branch, first = places[0]
    monday = week_start(today_in(branch.tz) + timedelta(days=14))
    # a week when each coworking keeps its ordinary hours on its day (no holiday, no sanitary Friday)
    while not all(dates.ordinary(zone.schedule, monday + timedelta(days=n)) for (_branch, zone), n in zip(places, (2, 3, 4))):
        monday += timedelta(weeks=1)
    wednesday, thursday, friday = (monday + timedelta(days=n) for n in (2, 3, 4))
    assert first.rules.weekly_quota_minutes == 600
    await book(READER, first, at(branch, wednesday, 12), at(branch, wednesday, 16))
    await book(READER, places[1][1], at(branch, thursday, 12), at(branch, thursday, 16))
    with pytest.raises(Invalid) as invalid:
        await book(READER, places[2][1], at(branch, friday, 12), at(branch, friday, 15))
    assert "Weekly limit" in invalid.value.errors[0].message and "2 hours left" in invalid.value.errors[0].message
    assert (await book(READER, places[2][1], at(branch, friday, 12), at(branch, friday, 14))).bookings
    # another reader has their own quota; cancelled bookings do not count
    assert (await book(TEEN, places[2][1], at(branch, friday, 15), at(branch, friday, 18))).bookings


async def test_a_weekly_series_that_clashes_on_one_date(demo):
    branch, zone, day = await coworking()
    week3 = day + timedelta(days=14)
    taken = (await book(TEEN, zone, at(branch, week3, 17), at(branch, week3, 18))).bookings[0]
    series = Recurrence(freq="weekly", count=4)
    before = await Booking.count()
    with pytest.raises(BookingClash) as clash:
        await book(READER, zone, at(branch, day, 16), at(branch, day, 18), recurrence=series)
    assert [c["date"] for c in clash.value.extra["conflicts"]] == [week3.isoformat()]
    assert clash.value.extra["conflicts"][0]["starts_at"] == taken.starts_at
    assert await Booking.count() == before  # all or nothing

    result = await book(READER, zone, at(branch, day, 16), at(branch, day, 18), recurrence=series, skip_conflicts=True)
    assert len(result.bookings) == 3 and result.series
    assert {booking.series for booking in result.bookings} == {result.series}
    assert [item.on for item in result.skipped] == [week3] and "already booked" in result.skipped[0].reason


async def test_a_series_over_a_closure_lists_the_date_or_skips_it(demo):
    branch, zone, day = await coworking()
    closure_day = day + timedelta(days=7)
    async with write_transaction(engine_finder()):
        await Closure.insert(Closure(branch=branch.id, starts_on=closure_day, ends_on=closure_day, kind="repair", reason="Ремонт", created_at=now_utc()))
        await rooms_service.changed()
    with pytest.raises(Invalid) as invalid:
        await book(READER, zone, at(branch, day, 11), at(branch, day, 12), recurrence=Recurrence(freq="weekly", count=3))
    (error,) = invalid.value.errors
    assert "Ремонт" in error.message and str(closure_day.day) in error.message
    result = await book(READER, zone, at(branch, day, 11), at(branch, day, 12), recurrence=Recurrence(freq="weekly", count=3), skip_conflicts=True)
    assert len(result.bookings) == 2 and [item.on for item in result.skipped] == [closure_day]


async def test_cancel_one_occurrence_or_the_rest_of_a_series(demo):
    branch, zone, day = await coworking()
    result = await book(READER, zone, at(branch, day, 11), at(branch, day, 12), recurrence=Recurrence(freq="weekly", count=4))
    first, second, third, fourth = result.bookings
    reader = await principal(READER)
    (cancelled,) = await bookings.cancel(reader, second.id)
    assert cancelled.status == CANCELLED
    rest = await bookings.cancel(reader, third.id, rest=True)
    assert [b.id for b in rest] == [third.id, fourth.id]
    assert (await bookings.get_booking(reader, first.id)).status == CONFIRMED
    with pytest.raises(Conflict):
        await bookings.cancel(reader, second.id)
    with pytest.raises(Forbidden):
        await bookings.cancel(await principal(TEEN), first.id)
    # the freed time can be booked again
    assert (await book(TEEN, zone, at(branch, day + timedelta(days=7), 11), at(branch, day + timedelta(days=7), 12))).bookings


async def test_reschedule_runs_the_same_checks(demo):
    branch, zone, day = await coworking()
    reader = await principal(READER)
    mine = (await book(READER, zone, at(branch, day, 10), at(branch, day, 11))).bookings[0]
    await book(TEEN, zone, at(branch, day, 14), at(branch, day, 15))
    moved = await bookings.reschedule(reader, mine.id, at(branch, day, 12), at(branch, day, 13, 30))
    assert (moved.starts_at, moved.ends_at) == (at(branch, day, 12), at(branch, day, 13, 30))
    with pytest.raises(BookingClash):
        await bookings.reschedule(reader, mine.id, at(branch, day, 14, 30), at(branch, day, 15, 30))
    with pytest.raises(Invalid):
        await bookings.reschedule(reader, mine.id, at(branch, day, 8), at(branch, day, 9))
    # moving within its own old time is no clash with itself
    assert (await bookings.reschedule(reader, mine.id, at(branch, day, 12, 30), at(branch, day, 13, 30))).status == CONFIRMED


async def test_rescheduling_a_zone_that_needs_approval_asks_again(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    pending = (await book(READER, hall, at(branch, day, 12), at(branch, day, 14))).bookings[0]
    (approved,) = await bookings.approve(await principal(staff_of("chekhov")), pending.id)
    assert approved.status == CONFIRMED
    moved = await bookings.reschedule(await principal(READER), pending.id, at(branch, day, 15), at(branch, day, 17))
    assert moved.status == PENDING


async def _open_all_day(branch, zone):
    """Give the zone round-the-clock hours, so bookings in progress can be tested at any time of day."""
    async with write_transaction(engine_finder()):
        await WeeklyHours.insert(*[WeeklyHours(branch=branch.id, zone=zone.id, weekday=weekday, opens=time(0), closes=time(0)) for weekday in range(7)])
        await Closure.delete().where(Closure.branch == branch.id)
        await rooms_service.changed()
    return await rooms_service.get_zone(zone.id)


async def _in_progress(branch, zone, reader, minutes):
    start = rules.snap(now_utc(), zone.rules.slot, branch.tz, up=False)
    result = await bookings.reserve(Reservation(zone_id=zone.id, starts_at=start, ends_at=start + timedelta(minutes=minutes), holder_kind=HOLDER_READER, holder_id=reader.id, headcount=1))
    return result.bookings[0]


async def test_extend_a_booking_in_progress_while_the_zone_is_free(demo):
    branch, zone = await _open_all_day(*(await zone_named("centralnaya", "Коворкинг")))
    reader = await principal(READER)
    booking = await _in_progress(branch, zone, reader, 60)
    longer = await bookings.extend(reader, booking.id, booking.ends_at + timedelta(minutes=30))
    assert longer.ends_at == booking.ends_at + timedelta(minutes=30)
    await bookings.reserve(Reservation(zone_id=zone.id, starts_at=longer.ends_at + timedelta(minutes=30), ends_at=longer.ends_at + timedelta(minutes=90), holder_kind="staff"))
    with pytest.raises(BookingClash):
        await bookings.extend(reader, booking.id, longer.ends_at + timedelta(minutes=60))
    with pytest.raises(Invalid):
        await bookings.extend(reader, booking.id, longer.ends_at - timedelta(minutes=30))


async def test_end_early_frees_the_rest(demo):
    branch, zone = await _open_all_day(*(await zone_named("centralnaya", "Коворкинг")))
    reader = await principal(READER)
    booking = await _in_progress(branch, zone, reader, 180)
    ended = await bookings.end_early(reader, booking.id)
    assert booking.starts_at < ended.ends_at <= rules.snap(now_utc(), zone.rules.slot, branch.tz) + timedelta(minutes=zone.rules.slot)
    assert ended.ends_at < booking.ends_at
    # the freed rest can be held by someone else
    assert await bookings.reserve(Reservation(zone_id=zone.id, starts_at=ended.ends_at, ends_at=booking.ends_at, holder_kind="staff"))


async def test_approve_and_decline_by_staff_of_that_branch_only(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    first = (await book(READER, hall, at(branch, day, 12), at(branch, day, 13))).bookings[0]
    second = (await book(TEEN, hall, at(branch, day, 15), at(branch, day, 16))).bookings[0]
    with pytest.raises(Forbidden):
        await bookings.approve(await principal(staff_of("dialog")), first.id)
    with pytest.raises(Forbidden):
        await bookings.approve(await principal(READER), first.id)
    staff = await principal(staff_of("chekhov"))
    (approved,) = await bookings.approve(staff, first.id)
    assert approved.status == CONFIRMED and approved.status_changed_at is not None
    with pytest.raises(Conflict):
        await bookings.approve(staff, first.id)
    with pytest.raises(Invalid):
        await bookings.decline(staff, second.id, reason=" ")
    (declined,) = await bookings.decline(staff, second.id, reason="Зал занят городским мероприятием")
    assert declined.status == DECLINED and declined.reason == "Зал занят городским мероприятием"
    row = await Booking.select(Booking.status_changed_by).where(Booking.id == second.id).first()
    assert row["status_changed_by"] == staff.id
    assert (await bookings.approve(await principal(ADMIN), (await book(READER, hall, at(branch, day, 17), at(branch, day, 18))).bookings[0].id))[0].status == CONFIRMED


async def test_the_database_itself_refuses_overlapping_active_bookings(demo):
    branch, zone, day = await coworking()
    start, end = at(branch, day, 10), at(branch, day, 11)
    row = dict(zone=zone.id, starts_at=start, ends_at=end, blocked_from=start, blocked_until=end, status=CONFIRMED, holder_kind="staff", created_at=now_utc())
    await Booking.insert(Booking(**row))
    with pytest.raises(Exception, match="booking_no_overlap"):
        await Booking.insert(Booking(**{**row, "starts_at": start + timedelta(minutes=30), "blocked_from": start + timedelta(minutes=30), "ends_at": end + timedelta(minutes=30), "blocked_until": end + timedelta(minutes=30)}))
    await Booking.insert(Booking(**{**row, "status": CANCELLED}))  # inactive rows may overlap
    with pytest.raises(Exception, match="booking_times_valid"):
        await Booking.insert(Booking(**{**row, "starts_at": end, "ends_at": start, "blocked_from": end, "blocked_until": start}))


async def test_reserve_for_another_domain_joins_the_callers_transaction(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    await book(staff_of("chekhov"), hall, at(branch, day, 12), at(branch, day, 14))
    closures = await Closure.count()
    with pytest.raises(BookingClash):
        async with write_transaction(engine_finder()):
            await Closure.insert(Closure(branch=branch.id, starts_on=day, ends_on=day, kind="other", reason="x", created_at=now_utc()))
            await bookings.reserve(Reservation(zone_id=hall.id, starts_at=at(branch, day, 13), ends_at=at(branch, day, 15), holder_kind=HOLDER_EVENT, holder_ref=42, headcount=30))
    assert await Closure.count() == closures  # the caller's work was rolled back with it
    async with write_transaction(engine_finder()):
        result = await bookings.reserve(Reservation(zone_id=hall.id, starts_at=at(branch, day, 15), ends_at=at(branch, day, 17), holder_kind=HOLDER_EVENT, holder_ref=42, headcount=30, purpose="Лекция"))
    (event,) = result.bookings
    assert event.holder_kind == HOLDER_EVENT and event.holder_ref == 42 and event.status == CONFIRMED
    assert await bookings.release([event.id], actor_id=None, reason="Событие отменено") == 1


async def test_zone_availability_subtracts_bookings_and_buffers(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    await book(staff_of("chekhov"), hall, at(branch, day, 13), at(branch, day, 14))
    _branch, _zone, free = await availability.zone_free(hall.id, at(branch, day, 0), at(branch, day + timedelta(days=1), 0))
    opens, closes = hall.schedule.day(day).intervals[0]
    assert free == [(at(branch, day, opens.hour), at(branch, day, 12, 30)), (at(branch, day, 14, 30), at(branch, day, closes.hour))]
    with pytest.raises(Invalid):
        await availability.zone_free(hall.id, at(branch, day, 10), at(branch, day, 9))


async def test_branch_week_and_search_across_branches(demo):
    branch, zone, day = await coworking()
    monday = week_start(day)
    week = await availability.branch_week("centralnaya", monday)
    assert week.days[0] == monday and len(week.days) == 7 and {z.zone.id for z in week.zones} == {z.id for z in branch.zones}
    await book(READER, zone, at(branch, day, 12), at(branch, day, 14))
    week = await availability.branch_week("centralnaya", monday)
    cowork = next(z for z in week.zones if z.zone.id == zone.id)
    that_day = next(d for d in cowork.days if d.on == day)
    assert [(b.starts_at, b.ends_at) for b in that_day.busy] == [(at(branch, day, 12), at(branch, day, 14))]
    assert not rules.is_free((at(branch, day, 12), at(branch, day, 13)), that_day.free)
    assert rules.is_free((at(branch, day, 14), at(branch, day, 15)), that_day.free)

    found = await availability.search(availability.ZoneFilter(kind="coworking", min_capacity=10, features=("whiteboard",), free_from=at(branch, day, 12), free_to=at(branch, day, 13)))
    slugs = {b.slug for b, _z in found}
    assert "centralnaya" not in slugs and {"chekhov", "mashuk-observatory"} <= slugs
    anytime = await availability.search(availability.ZoneFilter(kind="coworking", min_capacity=10, features=("whiteboard",)))
    assert "centralnaya" in {b.slug for b, _z in anytime}
    with pytest.raises(Invalid):
        await availability.search(availability.ZoneFilter(free_from=at(branch, day, 10)))


async def test_internal_blocks_have_no_buffers_of_their_own(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")  # 15 minutes of clean-up after a booking
    day = open_day(hall, branch.tz)
    await book(staff_of("chekhov"), hall, at(branch, day, 14), at(branch, day, 15))
    (block,) = (await book(staff_of("chekhov"), hall, at(branch, day, 13), at(branch, day, 14), block=True, purpose="Настройка звука", headcount=0)).bookings
    assert block.holder_kind == "block"
    with pytest.raises(BookingClash):  # but the booking's own clean-up still keeps the block out
        await book(staff_of("chekhov"), hall, at(branch, day, 15), at(branch, day, 16), block=True, purpose="Уборка", headcount=0)


async def test_the_free_zone_search_counts_each_zones_buffers(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")  # 15 minutes of clean-up after a booking
    assert hall.rules.buffer_after.total_seconds() == 900 and not hall.rules.buffer_before
    day = open_day(hall, branch.tz)
    await book(staff_of("chekhov"), hall, at(branch, day, 14), at(branch, day, 15))

    async def free(start_hour: float, end_hour: float) -> bool:
        start = at(branch, day, 0) + timedelta(hours=start_hour)
        found = await availability.search(availability.ZoneFilter(branch="chekhov", free_from=start, free_to=at(branch, day, 0) + timedelta(hours=end_hour)))
        return hall.id in {zone.id for _branch, zone in found}

    assert not await free(15, 15.5)  # the clean-up of the booking before
    assert await free(15.25, 16)
    assert not await free(13.5, 14)  # this booking's own clean-up would reach into the next
    assert await free(12, 13.75)
