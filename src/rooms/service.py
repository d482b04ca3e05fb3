"""Branches, their hours and zones (read side). Bookings come with the rooms issue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from src import cache
from src.config import get_settings
from src.exceptions import NotFound
from src.i18n import _
from src.rooms.rules import ClosureRow, DateRow, HoursRow, Schedule
from src.rooms.tables import Branch, Closure, DateHours, WeeklyHours, Zone, ZoneFeature
from src.timeutil import today_in

CACHE_NAME = "branches"


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    id: int
    branch_id: int
    name: str
    kind: str
    capacity: int
    description: str
    features: tuple[str, ...]
    bookable_by_readers: bool
    bookable_by_schools: bool
    requires_approval: bool


@dataclass(frozen=True, slots=True)
class BranchInfo:
    id: int
    slug: str
    name: str
    short_name: str
    address: str
    timezone: str
    phone: str
    email: str
    description: str
    accessibility: str
    latitude: float | None
    longitude: float | None
    schedule: Schedule
    zones: tuple[ZoneInfo, ...] = field(default_factory=tuple)


async def _load_branches(since: date) -> tuple[BranchInfo, ...]:
    """The whole network in six queries; cached (see src/cache.py) and invalidated on every write.

    Closures that ended before ``since`` are left out: nothing is shown or booked in the past.
    """
    branches = await Branch.select().where(Branch.is_active == True).order_by(Branch.name)  # noqa: E712
    weekly = await WeeklyHours.select().where(WeeklyHours.zone.is_null()).order_by(WeeklyHours.opens)
    dates = await DateHours.select().where(DateHours.zone.is_null())
    closures = await Closure.select().where(Closure.zone.is_null() & (Closure.ends_on >= since)).order_by(Closure.starts_on)
    zones = await Zone.select().where(Zone.is_active == True).order_by(Zone.name)  # noqa: E712
    features = await ZoneFeature.select(ZoneFeature.zone, ZoneFeature.feature).order_by(ZoneFeature.feature)

    weekly_by: dict[int, list[HoursRow]] = defaultdict(list)
    for row in weekly:
        weekly_by[row["branch"]].append(HoursRow(row["weekday"], row["opens"], row["closes"]))
    dates_by: dict[int, dict[date, list[DateRow]]] = defaultdict(lambda: defaultdict(list))
    for row in dates:
        dates_by[row["branch"]][row["on"]].append(DateRow(row["on"], row["opens"], row["closes"], row["note"]))
    closures_by: dict[int, list[ClosureRow]] = defaultdict(list)
    for row in closures:
        closures_by[row["branch"]].append(ClosureRow(row["starts_on"], row["ends_on"], row["kind"], row["reason"]))
    features_by: dict[int, list[str]] = defaultdict(list)
    for row in features:
        features_by[row["zone"]].append(row["feature"])
    zones_by: dict[int, list[ZoneInfo]] = defaultdict(list)
    for row in zones:
        zones_by[row["branch"]].append(
            ZoneInfo(
                id=row["id"],
                branch_id=row["branch"],
                name=row["name"],
                kind=row["kind"],
                capacity=row["capacity"],
                description=row["description"],
                features=tuple(features_by[row["id"]]),
                bookable_by_readers=row["bookable_by_readers"],
                bookable_by_schools=row["bookable_by_schools"],
                requires_approval=row["requires_approval"],
            )
        )
    return tuple(
        BranchInfo(
            id=row["id"],
            slug=row["slug"],
            name=row["name"],
            short_name=row["short_name"] or row["name"],
            address=row["address"],
            timezone=row["timezone"],
            phone=row["phone"],
            email=row["email"],
            description=row["description"],
            accessibility=row["accessibility"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            schedule=Schedule(
                weekly=tuple(weekly_by[row["id"]]),
                dates={on: tuple(rows) for on, rows in dates_by[row["id"]].items()},
                closures=tuple(closures_by[row["id"]]),
            ),
            zones=tuple(zones_by[row["id"]]),
        )
        for row in branches
    )


async def list_branches() -> tuple[BranchInfo, ...]:
    since = today_in(get_settings().tz) - timedelta(days=7)
    return await cache.cached(CACHE_NAME, ("all", since), lambda: _load_branches(since))


async def get_branch(slug: str) -> BranchInfo:
    for branch in await list_branches():
        if branch.slug == slug:
            return branch
    raise NotFound(_("There is no library branch called %(slug)s", slug=slug))


async def branch_by_id(branch_id: int) -> BranchInfo:
    for branch in await list_branches():
        if branch.id == branch_id:
            return branch
    raise NotFound(_("Unknown library branch"))


async def changed() -> None:
    """Call inside any transaction that writes branches, hours, closures or zones."""
    await cache.bump(CACHE_NAME)
