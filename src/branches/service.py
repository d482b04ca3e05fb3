"""Branches and their hours: the read side (cached for the whole network, see src/cache.py) and the closures
editor. Zones and bookings are the rooms domain's (src/rooms/), which builds on this."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo as TimeZone

from piccolo.engine import engine_finder

from src import audit, cache
from src.accounts.permissions import Principal, can_manage_branch
from src.branches.constants import CLOSURE_KINDS
from src.branches.rules import ClosureRow, DateRow, HoursRow, Schedule, zone_schedule
from src.branches.tables import Branch, Closure, DateHours, WeeklyHours
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.timeutil import now_utc, today_in

CACHE_NAME = "branches"  # one revision for the network: branches, hours, closures, and the rooms' zones


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
    directions: str
    latitude: float | None
    longitude: float | None
    schedule: Schedule
    # The schedules of the zones that have hours of their own (zone id -> the branch's hours with the zone's).
    zone_schedules: dict[int, Schedule] = field(default_factory=dict)

    @property
    def tz(self) -> TimeZone:
        return TimeZone(self.timezone)

    def schedule_of_zone(self, zone_id: int) -> Schedule:
        """When one zone of this branch is open: its own hours where it has them, else the branch's."""
        return self.zone_schedules.get(zone_id, self.schedule)


async def _load_branches(since: date) -> tuple[BranchInfo, ...]:
    """The active branches with their hours in four queries; cached (see src/cache.py) and invalidated on every
    write.

    Closures that ended before ``since`` are left out: nothing is shown or booked in the past. Hours and
    closures rows with a zone are that zone's overrides (see rules.zone_schedule).
    """
    branches = await Branch.select().where(Branch.is_active == True).order_by(Branch.name)  # noqa: E712
    weekly = await WeeklyHours.select().order_by(WeeklyHours.opens)
    dates = await DateHours.select()
    closures = await Closure.select().where(Closure.ends_on >= since).order_by(Closure.starts_on)

    # Keyed by ("branch", id) for a branch's own rows and ("zone", id) for a zone's overrides.
    weekly_by: dict[tuple[str, int], list[HoursRow]] = defaultdict(list)
    zones_of: dict[int, set[int]] = defaultdict(set)  # branch id -> the zones with rows of their own
    for row in weekly:
        weekly_by[_owner(row)].append(HoursRow(row["weekday"], row["opens"], row["closes"]))
    dates_by: dict[tuple[str, int], dict[date, list[DateRow]]] = defaultdict(lambda: defaultdict(list))
    for row in dates:
        dates_by[_owner(row)][row["on"]].append(DateRow(row["on"], row["opens"], row["closes"], row["note"]))
    closures_by: dict[tuple[str, int], list[ClosureRow]] = defaultdict(list)
    for row in closures:
        closures_by[_owner(row)].append(ClosureRow(row["starts_on"], row["ends_on"], row["kind"], row["reason"]))
    for row in (*weekly, *dates, *closures):
        if row["zone"] is not None:
            zones_of[row["branch"]].add(row["zone"])

    def schedule_of(owner: tuple[str, int]) -> Schedule:
        return Schedule(
            weekly=tuple(weekly_by[owner]),
            dates={on: tuple(rows) for on, rows in dates_by[owner].items()},
            closures=tuple(closures_by[owner]),
        )

    result = []
    for row in branches:
        schedule = schedule_of(("branch", row["id"]))
        zone_schedules = {}
        for zone_id in zones_of[row["id"]]:
            own = schedule_of(("zone", zone_id))
            zone_schedules[zone_id] = zone_schedule(schedule, own.weekly, own.dates, own.closures)
        result.append(
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
                directions=row["directions"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                schedule=schedule,
                zone_schedules=zone_schedules,
            )
        )
    return tuple(result)


def _owner(row: dict) -> tuple[str, int]:
    return ("zone", row["zone"]) if row["zone"] is not None else ("branch", row["branch"])


def shown_since() -> date:
    """Closures that ended before this day are not loaded (a key of every cache built on the branches)."""
    return today_in(get_settings().tz) - timedelta(days=7)


async def list_branches(since: date | None = None) -> tuple[BranchInfo, ...]:
    """``since``: with the closures from that day on (the statistics of a past period), else from
    :func:`shown_since`."""
    since = min(since, shown_since()) if since else shown_since()
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


# --- closures editor ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClosureView:
    id: int
    branch_id: int
    zone_id: int | None
    starts_on: date
    ends_on: date
    kind: str
    reason: str


async def list_closures(branch: BranchInfo, from_on: date) -> list[ClosureView]:
    return await list_closures_of(branch.id, from_on)


async def list_closures_of(branch_id: int, from_on: date) -> list[ClosureView]:
    """The closures of a branch (active or not) that end on ``from_on`` or later."""
    rows = await Closure.select().where((Closure.branch == branch_id) & (Closure.ends_on >= from_on)).order_by(Closure.starts_on)
    return [ClosureView(row["id"], row["branch"], row["zone"], row["starts_on"], row["ends_on"], row["kind"], row["reason"]) for row in rows]


def closure_errors(starts_on: date | None, ends_on: date | None, kind: str, reason: str, zone_id: int | None, zone_ids: set[int], today: date) -> list[FieldError]:
    """``zone_ids``: the zones of the branch (a closure may close one of them only)."""
    errors = []
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError("ends_on", _("The last day is before the first")))
    elif starts_on and ends_on and (ends_on - starts_on).days > 366:
        errors.append(FieldError("ends_on", _("A closure can last at most a year")))
    if ends_on and ends_on < today:
        errors.append(FieldError("ends_on", _("This date has already passed")))
    if kind not in CLOSURE_KINDS:
        errors.append(FieldError("kind", _("Choose what kind of closure this is")))
    if not reason.strip():
        errors.append(FieldError("reason", _("Give a reason readers will see")))
    if zone_id is not None and zone_id not in zone_ids:
        errors.append(FieldError("zone_id", _("This zone is not in this library")))
    return errors


async def delete_closure(principal: Principal, branch: BranchInfo, closure_id: int) -> None:
    if not can_manage_branch(principal, branch.id):
        raise Forbidden(_("Only staff of this library can edit its closures"))
    async with write_transaction(engine_finder()):
        deleted = await Closure.delete().where((Closure.id == closure_id) & (Closure.branch == branch.id)).returning(
            Closure.id, Closure.starts_on, Closure.ends_on, Closure.kind, Closure.reason
        )
        if not deleted:
            raise NotFound(_("This closure does not exist"))
        gone = {name: value for name, value in deleted[0].items() if name != "id"}
        await audit.record(principal, "delete", "closure", closure_id, branch_id=branch.id, changes=audit.diff(gone, None))
        await changed()
