"""Finding zones, free days and people in the demo data for rooms tests.

Demo bookings fall on the first open days from one to four days ahead (and a weekly series in the fireplace
lounge of «Дом семьи»), so tests book from eight days ahead on, and after the demo's bookings.
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
    """The first ordinary open day (no closure, no exception) at least ``days_ahead`` days from today and past
    the demo's bookings, that is also an ordinary open day in each of the following ``weeks - 1`` weeks (for
    weekly series)."""
    on = max(today_in(tz) + timedelta(days=days_ahead), after_demo_bookings(zone, tz))
    while not all(_ordinary(zone, on + timedelta(days=7 * week)) for week in range(weeks)):
        on += timedelta(days=1)
    return on


def after_demo_bookings(zone: ZoneInfo, tz) -> date:
    """A day after the demo's own bookings: the demo books each zone on its first open day from one to four days
    ahead (``src/demo.py``), which after the New Year holidays is more than a week away; a week's margin covers
    the other zones of the branch (a zone may keep weekend hours its neighbours do not)."""
    on = today_in(tz) + timedelta(days=4)
    while not zone.schedule.day(on).is_open:
        on += timedelta(days=1)
    return on + timedelta(days=7)


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
