"""Zones of the branches: the read side, cached with the network (see src/cache.py). A branch as the rooms
domain sees it is the branch (src/branches/) with its active zones. Bookings live in ``bookings.py`` (writes)
and ``availability.py`` (reads)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date

from src import cache
from src.branches import service as branches_service
from src.branches.rules import Schedule
from src.branches.service import CACHE_NAME, BranchInfo
from src.exceptions import NotFound
from src.i18n import _
from src.labels import set_added
from src.rooms.rules import ZoneRules
from src.rooms.tables import Feature, Zone, ZoneFeature, ZoneKind


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
    min_age: int | None = None  # readers younger than this may not book it
    rules: ZoneRules = field(default_factory=ZoneRules)
    schedule: Schedule = field(default_factory=Schedule)  # the branch's hours with the zone's own overrides


@dataclass(frozen=True, slots=True)
class BranchZones(BranchInfo):
    """A branch with its active zones."""

    zones: tuple[ZoneInfo, ...] = ()


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


async def _load_added_names() -> None:
    """The names of the zone kinds and features admins added (deactivated ones too: zones may still have them)
    for ``label()``."""
    names = {}
    for table in (ZoneKind, Feature):
        for row in await table.select(table.code, table.name, table.name_en):
            names[row["code"]] = (row["name"], row["name_en"])
    set_added(names)


async def _load(branches: tuple[BranchInfo, ...]) -> tuple[BranchZones, ...]:
    """The active zones of the active branches in two queries (and the added kinds' and features' names)."""
    await _load_added_names()
    zones = await Zone.select().where(Zone.is_active == True).order_by(Zone.name)  # noqa: E712
    features = await ZoneFeature.select(ZoneFeature.zone, ZoneFeature.feature).order_by(ZoneFeature.feature)
    features_by: dict[int, list[str]] = defaultdict(list)
    for row in features:
        features_by[row["zone"]].append(row["feature"])
    by_id = {branch.id: branch for branch in branches}
    zones_by: dict[int, list[ZoneInfo]] = defaultdict(list)
    for row in zones:
        branch = by_id.get(row["branch"])
        if branch is None:
            continue
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
                min_age=row["min_age"],
                rules=_zone_rules(row),
                schedule=branch.schedule_of_zone(row["id"]),
            )
        )
    names = [item.name for item in fields(BranchInfo)]
    return tuple(BranchZones(**{name: getattr(branch, name) for name in names}, zones=tuple(zones_by[branch.id])) for branch in branches)


async def list_branches(since: date | None = None) -> tuple[BranchZones, ...]:
    """The active branches, each with its active zones (``since``: closures from that day on, for the
    statistics of a past period; see branches_service.list_branches)."""
    since = min(since, branches_service.shown_since()) if since else branches_service.shown_since()

    async def build() -> tuple[BranchZones, ...]:
        return await _load(await branches_service.list_branches(since))

    return await cache.cached(CACHE_NAME, ("with zones", since), build)


async def get_branch(slug: str) -> BranchZones:
    for branch in await list_branches():
        if branch.slug == slug:
            return branch
    raise NotFound(_("There is no library branch called %(slug)s", slug=slug))


async def branch_by_id(branch_id: int) -> BranchZones:
    for branch in await list_branches():
        if branch.id == branch_id:
            return branch
    raise NotFound(_("Unknown library branch"))


async def changed() -> None:
    """Call inside any transaction that writes zones or their features (cached with the branches)."""
    await branches_service.changed()


async def zone_index() -> dict[int, tuple[BranchZones, ZoneInfo]]:
    async def build() -> dict[int, tuple[BranchZones, ZoneInfo]]:
        return {zone.id: (branch, zone) for branch in await list_branches() for zone in branch.zones}

    return await cache.cached(CACHE_NAME, "zones", build)


async def get_zone(zone_id: int) -> tuple[BranchZones, ZoneInfo]:
    """A zone and its branch, from the cache; 404 for an unknown or inactive zone."""
    found = (await zone_index()).get(zone_id)
    if found is None:
        raise NotFound(_("There is no zone number %(id)s", id=zone_id))
    return found


async def all_zones() -> list[tuple[BranchZones, ZoneInfo]]:
    return list((await zone_index()).values())
