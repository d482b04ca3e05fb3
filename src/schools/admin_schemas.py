"""API input and output of the schools' and programmes' administration."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

import msgspec

from src import bounds
from src.schools.constants import GRADE_MAX, GRADE_MIN, MAX_GROUP
from src.schools.programmes import ProgrammeInput
from src.schools.schemas import ProgrammeHoursOut, ProgrammeOut

Unset = msgspec.UnsetType
HourMinute = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, local time of the branch")]


def _given(struct: msgspec.Struct, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: value for name, value in msgspec.structs.asdict(struct).items() if value is not msgspec.UNSET and name not in skip}


class SchoolIn(bounds.Input):
    slug: bounds.line(64, 1, description="Latin letters, digits and hyphens, such as school-5")
    name: bounds.line(300, 1)
    number: bounds.line(20) = ""
    address: bounds.line(300) = ""
    contact_name: bounds.line(200) = ""
    contact_phone: bounds.line(32) = ""
    contact_email: bounds.line(254) = ""


class SchoolPatch(bounds.Input):
    slug: bounds.line(64, 1) | Unset = msgspec.UNSET
    name: bounds.line(300, 1) | Unset = msgspec.UNSET
    number: bounds.line(20) | Unset = msgspec.UNSET
    address: bounds.line(300) | Unset = msgspec.UNSET
    contact_name: bounds.line(200) | Unset = msgspec.UNSET
    contact_phone: bounds.line(32) | Unset = msgspec.UNSET
    contact_email: bounds.line(254) | Unset = msgspec.UNSET
    is_active: Annotated[bool, msgspec.Meta(description="false: deactivate (its teachers stay attached)")] | Unset = msgspec.UNSET
    merge_into: Annotated[str, msgspec.Meta(max_length=64, pattern=bounds.ONE_LINE_PATTERN, description="Merge this duplicate into the school with this slug")] | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        return _given(self, ("merge_into",))


class ProgrammeHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    weekday: bounds.count(0, 6, description="0 = Monday")
    starts: HourMinute
    ends: HourMinute


def _hours(items: list[ProgrammeHoursIn]) -> list[tuple]:
    return [(item.weekday, time.fromisoformat(item.starts), time.fromisoformat(item.ends)) for item in items]


Grade = bounds.count(GRADE_MIN, GRADE_MAX)
Group = bounds.count(1, MAX_GROUP)
Codes = bounds.items(bounds.line(32), 20)
Slugs = bounds.items(bounds.line(64), 50)
Hours = Annotated[list[ProgrammeHoursIn], msgspec.Meta(max_length=28)]


class ProgrammeIn(bounds.Input):
    title: bounds.line(200, 1)
    topic: bounds.line(32, 1)
    duration_minutes: bounds.count(15, 240)
    grade_min: Grade
    grade_max: Grade
    group_min: Group
    group_max: Group
    branches: Slugs
    zone_kinds: Codes
    hours: Hours
    description: bounds.text(5000) = ""
    lead_days: bounds.count(0, 60) = 7

    def to_input(self) -> ProgrammeInput:
        values = msgspec.structs.asdict(self)
        return ProgrammeInput(**{**values, "hours": _hours(self.hours)})


class ProgrammePatch(bounds.Input):
    title: bounds.line(200, 1) | Unset = msgspec.UNSET
    topic: bounds.line(32, 1) | Unset = msgspec.UNSET
    duration_minutes: bounds.count(15, 240) | Unset = msgspec.UNSET
    grade_min: Grade | Unset = msgspec.UNSET
    grade_max: Grade | Unset = msgspec.UNSET
    group_min: Group | Unset = msgspec.UNSET
    group_max: Group | Unset = msgspec.UNSET
    branches: Slugs | Unset = msgspec.UNSET
    zone_kinds: Codes | Unset = msgspec.UNSET
    hours: Hours | Unset = msgspec.UNSET
    description: bounds.text(5000) | Unset = msgspec.UNSET
    lead_days: bounds.count(0, 60) | Unset = msgspec.UNSET
    is_active: bool | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        result = _given(self)
        if "hours" in result:
            result["hours"] = _hours(self.hours)
        return result


class ProgrammeAdminOut(ProgrammeOut):
    """A programme as its editors see it: active or not."""

    is_active: bool


def programme_admin_out(row: dict, data: ProgrammeInput) -> ProgrammeAdminOut:
    values = {name: getattr(data, name) for name in ("title", "description", "topic", "duration_minutes", "grade_min", "grade_max", "group_min", "group_max", "lead_days")}
    return ProgrammeAdminOut(
        id=row["id"], **values, zone_kinds=list(data.zone_kinds), branches=list(data.branches),
        hours=[ProgrammeHoursOut(weekday, starts, ends) for weekday, starts, ends in data.hours], is_active=row["is_active"],
    )
