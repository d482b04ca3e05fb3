"""Finding zones, free days and people in the demo data for rooms tests.

Demo bookings fall within the coming week (and a weekly series in the fireplace lounge of «Дом семьи»), so
tests book from eight days ahead on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from src.accounts import service as accounts_service
from src.accounts.permissions import Principal
from src.accounts.tables import Account
from src.rooms import service as rooms_service
from src.rooms.service import BranchZones, ZoneInfo
from src.timeutil import today_in

READER = "reader@libspace.local"
TEEN = "teen@libspace.local"
ADMIN = "admin@libspace.local"


def staff_of(slug: str) -> str:
    return f"staff.{slug}@libspace.local"


async def zone_named(slug: str, name: str) -> tuple[BranchZones, ZoneInfo]:
    branch = await rooms_service.get_branch(slug)
    return branch, next(zone for zone in branch.zones if zone.name == name)


def open_day(zone: ZoneInfo, tz, days_ahead: int = 8, weeks: int = 1) -> date:
    """The first ordinary open day (no closure, no exception) at least ``days_ahead`` days from today, that is
    also an ordinary open day in each of the following ``weeks - 1`` weeks (for weekly series)."""
    on = today_in(tz) + timedelta(days=days_ahead)
    while not all(_ordinary(zone, on + timedelta(days=7 * week)) for week in range(weeks)):
        on += timedelta(days=1)
    return on


def _ordinary(zone: ZoneInfo, on: date) -> bool:
    day = zone.schedule.day(on)
    return day.is_open and not day.exceptional


def at(branch: BranchZones, on: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=branch.tz)


async def principal(email: str) -> Principal:
    row = await Account.select(Account.id).where(Account.email == email).first()
    found = await accounts_service.load_principal(row["id"])
    assert found is not None
    return found
