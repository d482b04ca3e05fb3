"""The rooms side of a visit: which zones suit it, when they are free, and holding them through the rooms
booking service (holder kind ``visit``). Holding and releasing join the caller's write transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Sequence

from src.rooms import availability as rooms_availability
from src.rooms import bookings as rooms_bookings
from src.rooms import rules as rooms_rules
from src.rooms.bookings import Reservation
from src.rooms.constants import HOLDER_VISIT
from src.rooms.service import BranchZones, ZoneInfo
from src.schools.rules import Interval, ProgrammeRules, ZoneFit, zone_problem


def zone_fit(zone: ZoneInfo) -> ZoneFit:
    return ZoneFit(id=zone.id, kind=zone.kind, capacity=zone.capacity, bookable_by_schools=zone.bookable_by_schools, slot_minutes=zone.rules.slot)


def suitable(branch: BranchZones, programme: ProgrammeRules, headcount: int = 0) -> list[ZoneInfo]:
    """The branch's zones the programme can use for this many people, the smallest first."""
    fitting = [zone for zone in branch.zones if zone_problem(programme, zone_fit(zone), headcount) is None]
    return sorted(fitting, key=lambda zone: (zone.capacity, zone.id))


def largest(branch: BranchZones, programme: ProgrammeRules) -> int | None:
    capacities = [zone.capacity for zone in suitable(branch, programme)]
    return max(capacities) if capacities else None


async def free_time(branch: BranchZones, zones: Sequence[ZoneInfo], start: datetime, end: datetime, now: datetime) -> dict[int, list[Interval]]:
    """Each zone's free intervals over ``[start, end)`` (its hours minus closures minus bookings and buffers),
    with one query for all of them."""
    blocked: dict[int, list[Interval]] = defaultdict(list)
    for item in await rooms_availability.taken([zone.id for zone in zones], start, end):
        blocked[item.zone_id].append(item.blocked)
    tz = branch.tz
    return {
        zone.id: rooms_rules.free_intervals(
            zone.schedule, tz, (start, end), blocked[zone.id], zone.rules, not_before=now, min_minutes=zone.rules.slot, policy=rooms_rules.STAFF_POLICY
        )
        for zone in zones
    }


async def hold(zone_id: int, starts_at: datetime, ends_at: datetime, visit_id: int, purpose: str, headcount: int, holder_id: int | None, actor_id: int) -> int:
    """Book the zone for the visit; a clash is the rooms service's BookingClash (409). Returns the booking id."""
    result = await rooms_bookings.reserve(
        Reservation(
            zone_id=zone_id,
            starts_at=starts_at,
            ends_at=ends_at,
            holder_kind=HOLDER_VISIT,
            holder_id=holder_id,
            holder_ref=visit_id,
            purpose=purpose,
            headcount=headcount,
            actor_id=actor_id,
        )
    )
    return result.bookings[0].id


async def release(booking_id: int | None, actor_id: int, reason: str = "") -> None:
    if booking_id is not None:
        await rooms_bookings.release([booking_id], actor_id, reason)
