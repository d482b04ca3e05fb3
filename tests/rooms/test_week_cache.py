"""The week grid is kept per process under the revision "bookings" that the database's triggers bump on every
write to ``booking`` (issue 17): this worker's writes show at once, another worker's within the revision check,
and a kept grid is only served for the moments it was right for."""

from __future__ import annotations

import random
from datetime import timedelta

from src.branches.rules import week_start
from src.db import write_transaction
from src.rooms import availability, rules
from src.rooms.constants import CANCELLED, CONFIRMED
from src.rooms.tables import Booking
from src.timeutil import now_utc
from tests.rooms.helpers import at, open_day, zone_named


async def _setting():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    return branch, zone, day


async def _busy(branch, zone, day) -> list:
    week = await availability.branch_week(branch.slug, week_start(day))
    zone_week = next(item for item in week.zones if item.zone.id == zone.id)
    return [(item.starts_at, item.status) for zone_day in zone_week.days for item in zone_day.busy if zone_day.on == day]


async def _book(zone, start, end) -> int:
    rows = await Booking.insert(Booking(zone=zone.id, starts_at=start, ends_at=end, blocked_from=start, blocked_until=end, status=CONFIRMED, holder_kind="staff", created_at=now_utc())).returning(Booking.id)
    return rows[0]["id"]


async def test_this_workers_bookings_show_at_once(demo):
    branch, zone, day = await _setting()
    before = await _busy(branch, zone, day)
    booking_id = await _book(zone, at(branch, day, 10), at(branch, day, 11))
    assert len(await _busy(branch, zone, day)) == len(before) + 1
    await Booking.update({Booking.status: CANCELLED}).where(Booking.id == booking_id)
    assert await _busy(branch, zone, day) == before


async def test_another_workers_bookings_show_within_the_check(demo, other_worker):
    branch, zone, day = await _setting()
    before = await _busy(branch, zone, day)
    booking_id = await _book(zone, at(branch, day, 10), at(branch, day, 11))
    assert await _busy(branch, zone, day) == before  # this worker has not looked at the revision yet
    other_worker.later()
    assert len(await _busy(branch, zone, day)) == len(before) + 1
    await Booking.delete().where(Booking.id == booking_id)
    assert await _busy(branch, zone, day) == before


async def test_a_kept_grid_is_served_only_for_the_moments_it_was_right_for(demo, frozen_clock):
    branch, zone, _day = await _setting()
    monday = week_start(now_utc().astimezone(branch.tz).date())
    first = await availability.branch_week(branch.slug, monday)
    assert await availability.branch_week(branch.slug, monday) is first  # kept
    lead = timedelta(minutes=min(item.rules.lead_minutes for item in branch.zones))
    slot = min(item.rules.slot for item in branch.zones)
    frozen_clock.move_to(rules.snap(now_utc() + lead, slot, branch.tz) - lead + timedelta(seconds=1))  # the next grid instant
    moved = await availability.branch_week(branch.slug, monday)
    assert moved is not first
    assert moved == await availability._branch_week(branch, monday, rules.READER_POLICY, None, 7, now_utc())
    frozen_clock.advance(hours=-1)  # back in time: not what was computed later
    assert await availability.branch_week(branch.slug, monday) == await availability._branch_week(branch, monday, rules.READER_POLICY, None, 7, now_utc())


async def test_at_most_weeks_kept(demo, monkeypatch):
    monkeypatch.setattr(availability._kept, "size", 3)
    branch, _zone, day = await _setting()
    for weeks in range(6):
        await availability.branch_week(branch.slug, week_start(day) + timedelta(days=7 * weeks))
    assert len(availability._kept.values) <= 3


async def test_free_intervals_depend_on_the_moment_and_period_only_through_the_grid_instants_that_key_them(demo):
    branch, zone, day = await _setting()
    await _book(zone, at(branch, day, 11), at(branch, day, 12, 30))
    midday = at(branch, day, 12)
    busy = await availability.taken([zone.id], midday - timedelta(days=1), midday + timedelta(days=9))
    rng = random.Random(17)
    seen: dict = {}
    for _ in range(300):
        now = midday - timedelta(minutes=rng.uniform(0, 150)) - timedelta(hours=zone.rules.lead_minutes / 60)
        start = now - timedelta(minutes=rng.choice((0, rng.uniform(0, 120))))
        end = start + timedelta(days=rng.choice((1, 7))) + timedelta(minutes=rng.uniform(-60, 60))
        for policy in (rules.READER_POLICY, rules.STAFF_POLICY):
            not_before = now if policy.limits else now + timedelta(minutes=zone.rules.lead_minutes)
            key = (policy, rules.snap(max(start, not_before), zone.rules.slot, branch.tz), rules.snap(end, zone.rules.slot, branch.tz, up=False))
            free = availability._free(branch, zone, (start, end), busy, policy, now)
            assert seen.setdefault(key, free) == free
    assert len(seen) < 300  # the keys did meet


async def test_a_zones_free_time_is_kept_for_its_grid_instants(demo, frozen_clock):
    branch, zone, _day = await _setting()
    now = now_utc()
    first = await availability.zone_free(zone.id, now, now + timedelta(days=7))
    assert (await availability.zone_free(zone.id, now, now + timedelta(days=7)))[2] is first[2]
    frozen_clock.advance(minutes=zone.rules.slot)
    now = now_utc()
    moved = await availability.zone_free(zone.id, now, now + timedelta(days=7))
    assert moved[2] == availability._free(branch, zone, (now, now + timedelta(days=7)), await availability.taken([zone.id], now, now + timedelta(days=7)), rules.READER_POLICY, now)


async def test_nothing_is_kept_from_inside_a_transaction(demo):
    branch, zone, day = await _setting()
    before = await _busy(branch, zone, day)

    class Undo(Exception):
        pass

    try:
        async with write_transaction(Booking._meta.db):
            await _book(zone, at(branch, day, 10), at(branch, day, 11))
            assert len(await _busy(branch, zone, day)) == len(before) + 1  # its own booking, not kept
            raise Undo
    except Undo:
        pass
    assert await _busy(branch, zone, day) == before
