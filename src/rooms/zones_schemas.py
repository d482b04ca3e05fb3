"""API input and output of the zones' administration: a zone with its ``rules`` object, and the lists of zone
kinds and features."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from src import bounds
from src.rooms.zones_admin import LIMITS

Unset = msgspec.UnsetType


def _number(name: str, description: str) -> Any:
    low, high = LIMITS[name]
    return bounds.count(low, high, description=description)


class RulesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Every booking rule; those left out keep their value (or the default on creation)."""

    slot_minutes: _number("slot_minutes", "The grid bookings start and end on") | Unset = msgspec.UNSET
    min_minutes: _number("min_minutes", "The shortest booking (a multiple of the slot)") | Unset = msgspec.UNSET
    max_minutes: _number("max_minutes", "The longest booking (a multiple of the slot)") | Unset = msgspec.UNSET
    lead_minutes: _number("lead_minutes", "How long before its start a reader may book") | Unset = msgspec.UNSET
    horizon_days: _number("horizon_days", "How far ahead a reader may book") | Unset = msgspec.UNSET
    buffer_before_minutes: _number("buffer_before_minutes", "Set-up time kept free before each booking") | Unset = msgspec.UNSET
    buffer_after_minutes: _number("buffer_after_minutes", "Clean-up time kept free after each booking") | Unset = msgspec.UNSET
    needs_approval: bool | Unset = msgspec.UNSET
    min_age: _number("min_age", "Readers younger than this may not book the zone") | None | Unset = msgspec.UNSET
    weekly_quota_minutes: _number("weekly_quota_minutes", "The most minutes one reader may hold in a week; null: no quota") | None | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        result = {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET}
        if "needs_approval" in result:
            result["requires_approval"] = result.pop("needs_approval")
        return result


Features = bounds.items(bounds.line(40), 40, description="Feature codes (GET /api/v1/zone-features)")


class ZoneCreate(bounds.Input):
    branch: bounds.line(64, 1, description="The branch's slug")
    name: bounds.line(200, 1)
    kind: bounds.line(32, 1, description="A zone kind's code (GET /api/v1/zone-kinds)")
    capacity: _number("capacity", "How many people the zone holds")
    features: Features = []
    description: bounds.text(5000) = ""
    photo_url: bounds.line(500, description="A photo's https address, or empty for none") = ""
    bookable_by_readers: bool = True
    bookable_by_schools: bool = False
    rules: RulesIn = msgspec.field(default_factory=RulesIn)

    def values(self) -> dict[str, Any]:
        result = {name: value for name, value in msgspec.structs.asdict(self).items() if name not in ("branch", "rules")}
        return {**result, **self.rules.values()}


class ZonePatch(bounds.Input):
    name: bounds.line(200, 1) | Unset = msgspec.UNSET
    kind: bounds.line(32, 1) | Unset = msgspec.UNSET
    capacity: _number("capacity", "How many people the zone holds") | Unset = msgspec.UNSET
    features: Features | Unset = msgspec.UNSET
    description: bounds.text(5000) | Unset = msgspec.UNSET
    photo_url: bounds.line(500) | Unset = msgspec.UNSET
    bookable_by_readers: bool | Unset = msgspec.UNSET
    bookable_by_schools: bool | Unset = msgspec.UNSET
    rules: RulesIn | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        result = {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET and name != "rules"}
        return {**result, **(self.rules.values() if self.rules is not msgspec.UNSET else {})}


class RulesOut(msgspec.Struct):
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    lead_minutes: int
    horizon_days: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    needs_approval: bool
    min_age: int | None
    weekly_quota_minutes: int | None


class ZoneAdminOut(msgspec.Struct):
    id: int
    branch: str
    name: str
    kind: str
    capacity: int
    features: list[str]
    description: str
    photo_url: str
    bookable_by_readers: bool
    bookable_by_schools: bool
    is_active: bool
    rules: RulesOut


def zone_admin_out(row: dict) -> ZoneAdminOut:
    rules = {name: row[name] for name in RulesOut.__struct_fields__ if name != "needs_approval"}
    return ZoneAdminOut(
        id=row["id"], branch=row["branch_slug"], name=row["name"], kind=row["kind"], capacity=row["capacity"], features=row["features"],
        description=row["description"], photo_url=row["photo_url"], bookable_by_readers=row["bookable_by_readers"],
        bookable_by_schools=row["bookable_by_schools"], is_active=row["is_active"], rules=RulesOut(**rules, needs_approval=row["requires_approval"]),
    )


class CodeIn(bounds.Input):
    code: bounds.line(32, 1, description="Lower-case Latin letters, digits and underscores")
    name: bounds.line(100, 1, description="The name in Russian")
    name_en: bounds.line(100) = ""


class CodePatch(bounds.Input):
    name: bounds.line(100, 1, description="The name in Russian") | Unset = msgspec.UNSET
    name_en: bounds.line(100) | Unset = msgspec.UNSET
    is_active: Annotated[bool, msgspec.Meta(description="false: no longer offered for zones (the zones that have it keep it)")] | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET}


class CodeOut(msgspec.Struct):
    code: str
    name: str


CodeList = Annotated[list[CodeOut], msgspec.Meta(description="Built-in and added codes with their names in the caller's language")]
