"""Branches, their hours, closures and zones: the read side (cached for the whole network, see src/cache.py)
and the closures editor. Bookings live in ``bookings.py`` (writes) and ``availability.py`` (reads)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo as TimeZone

from piccolo.engine import engine_finder

from src import cache
from src.accounts.permissions import Principal, can_manage_branch
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.rooms.constants import CLOSURE_KINDS
from src.rooms.rules import ClosureRow, DateRow, HoursRow, Schedule, ZoneRules, zone_schedule
from src.rooms.tables import Branch, Closure, DateHours, WeeklyHours, Zone, ZoneFeature
from src.timeutil import now_utc, today_in

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
    photo_url: str = ""
    rules: ZoneRules = field(default_factory=ZoneRules)
    schedule: Schedule = field(default_factory=Schedule)  # the branch's hours with the zone's own overrides


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

    @property
    def tz(self) -> TimeZone:
        return TimeZone(self.timezone)


def _zone_rules(row: dict) -> ZoneRules:
    return ZoneRules(
        capacity=row["capacity"],
        slot_minutes=row["slot_minutes"],
        min_minutes=row["min_minutes"],
        max_minutes=row["max_minutes"],
        lead_minutes=row["lead_minutes"],
        horizon_days=row["horizon_days"],
        buffer_before_minutes=row["buffer_before_minutes"],
        buffer_after_minutes=row["buffer_after_minutes"],
        weekly_quota_minutes=row["weekly_quota_minutes"],
        requires_approval=row["requires_approval"],
    )


async def _load_branches(since: date) -> tuple[BranchInfo, ...]:
    """The whole network in six queries; cached (see src/cache.py) and invalidated on every write.

    Closures that ended before ``since`` are left out: nothing is shown or booked in the past. Hours and
    closures rows with a zone are that zone's overrides (see rules.zone_schedule).
    """
    branches = await Branch.select().where(Branch.is_active == True).order_by(Branch.name)  # noqa: E712
    weekly = await WeeklyHours.select().order_by(WeeklyHours.opens)
    dates = await DateHours.select()
    closures = await Closure.select().where(Closure.ends_on >= since).order_by(Closure.starts_on)
    zones = await Zone.select().where(Zone.is_active == True).order_by(Zone.name)  # noqa: E712
    features = await ZoneFeature.select(ZoneFeature.zone, ZoneFeature.feature).order_by(ZoneFeature.feature)

    # Keyed by ("branch", id) for a branch's own rows and ("zone", id) for a zone's overrides.
    weekly_by: dict[tuple[str, int], list[HoursRow]] = defaultdict(list)
    for row in weekly:
        weekly_by[_owner(row)].append(HoursRow(row["weekday"], row["opens"], row["closes"]))
    dates_by: dict[tuple[str, int], dict[date, list[DateRow]]] = defaultdict(lambda: defaultdict(list))
    for row in dates:
        dates_by[_owner(row)][row["on"]].append(DateRow(row["on"], row["opens"], row["closes"], row["note"]))
    closures_by: dict[tuple[str, int], list[ClosureRow]] = defaultdict(list)
    for row in closures:
        closures_by[_owner(row)].append(ClosureRow(row["starts_on"], row["ends_on"], row["kind"], row["reason"]))
    features_by: dict[int, list[str]] = defaultdict(list)
    for row in features:
        features_by[row["zone"]].append(row["feature"])

    def schedule_of(owner: tuple[str, int]) -> Schedule:
        return Schedule(
            weekly=tuple(weekly_by[owner]),
            dates={on: tuple(rows) for on, rows in dates_by[owner].items()},
            closures=tuple(closures_by[owner]),
        )

    branch_schedules = {row["id"]: schedule_of(("branch", row["id"])) for row in branches}
    zones_by: dict[int, list[ZoneInfo]] = defaultdict(list)
    for row in zones:
        if row["branch"] not in branch_schedules:
            continue
        own = schedule_of(("zone", row["id"]))
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
                photo_url=row["photo_url"],
                rules=_zone_rules(row),
                schedule=zone_schedule(branch_schedules[row["branch"]], own.weekly, own.dates, own.closures),
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
            schedule=branch_schedules[row["id"]],
            zones=tuple(zones_by[row["id"]]),
        )
        for row in branches
    )


def _owner(row: dict) -> tuple[str, int]:
    return ("zone", row["zone"]) if row["zone"] is not None else ("branch", row["branch"])


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


async def zone_index() -> dict[int, tuple[BranchInfo, ZoneInfo]]:
    async def build() -> dict[int, tuple[BranchInfo, ZoneInfo]]:
        return {zone.id: (branch, zone) for branch in await list_branches() for zone in branch.zones}

    return await cache.cached(CACHE_NAME, "zones", build)


async def get_zone(zone_id: int) -> tuple[BranchInfo, ZoneInfo]:
    """A zone and its branch, from the cache; 404 for an unknown or inactive zone."""
    found = (await zone_index()).get(zone_id)
    if found is None:
        raise NotFound(_("There is no zone number %(id)s", id=zone_id))
    return found


async def all_zones() -> list[tuple[BranchInfo, ZoneInfo]]:
    return list((await zone_index()).values())


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
    rows = await Closure.select().where((Closure.branch == branch.id) & (Closure.ends_on >= from_on)).order_by(Closure.starts_on)
    return [ClosureView(row["id"], row["branch"], row["zone"], row["starts_on"], row["ends_on"], row["kind"], row["reason"]) for row in rows]


def closure_errors(starts_on: date | None, ends_on: date | None, kind: str, reason: str, zone_id: int | None, branch: BranchInfo, today: date) -> list[FieldError]:
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
    if zone_id is not None and zone_id not in {zone.id for zone in branch.zones}:
        errors.append(FieldError("zone_id", _("This zone is not in this library")))
    return errors


async def add_closure(principal: Principal, branch: BranchInfo, starts_on: date | None, ends_on: date | None, kind: str, reason: str, zone_id: int | None, today: date) -> int:
    """Close the branch (or one zone) on whole days. Bookings already made on those days stay; staff see them."""
    if not can_manage_branch(principal, branch.id):
        raise Forbidden(_("Only staff of this library can edit its closures"))
    errors = closure_errors(starts_on, ends_on, kind, reason, zone_id, branch, today)
    if starts_on is None:
        errors.insert(0, FieldError("starts_on", _("This field is required")))
    if ends_on is None:
        errors.append(FieldError("ends_on", _("This field is required")))
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        closure = Closure(branch=branch.id, zone=zone_id, starts_on=starts_on, ends_on=ends_on, kind=kind, reason=reason.strip(), created_at=now_utc())
        await closure.save()
        await changed()
    return closure.id


async def delete_closure(principal: Principal, branch: BranchInfo, closure_id: int) -> None:
    if not can_manage_branch(principal, branch.id):
        raise Forbidden(_("Only staff of this library can edit its closures"))
    async with write_transaction(engine_finder()):
        deleted = await Closure.delete().where((Closure.id == closure_id) & (Closure.branch == branch.id)).returning(Closure.id)
        if not deleted:
            raise NotFound(_("This closure does not exist"))
        await changed()
