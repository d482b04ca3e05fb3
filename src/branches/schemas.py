"""API input and output of the branches' administration: a branch's fields, its weekly hours, exceptions and
closures, and what an hours change left outside the new hours."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

import msgspec

from src import bounds
from src.branches.admin import ExceptionView, HoursChange
from src.branches.constants import DIRECTIONS_LENGTH
from src.branches.occupancy import Held
from src.branches.rules import WEEKDAY_CODES

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
OnConflict = Annotated[str, msgspec.Meta(max_length=8, pattern="^(keep|cancel)$", description="What to do with bookings, events and visits the change leaves outside the hours: keep or cancel")]
Unset = msgspec.UnsetType


class BranchCreate(bounds.Input):
    slug: bounds.line(64, 1, description="Lower-case Latin letters, digits and hyphens; once used it always leads here")
    name: bounds.line(200, 1)
    name_en: bounds.line(200) = ""
    short_name: bounds.line(100) = ""
    address: bounds.line(300) = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    phone: bounds.line(40) = ""
    email: bounds.line(254) = ""
    website: bounds.line(500) = ""
    timezone: bounds.line(64) = "Asia/Yakutsk"
    description: bounds.text(5000) = ""
    accessibility: bounds.text(5000, description="Accessibility notes: entrances, lifts, toilets, parking") = ""
    directions: bounds.text(DIRECTIONS_LENGTH, description="How to get there: public transport stops and routes, the entrance, its accessibility; several lines") = ""
    photo_url: bounds.line(500, description="A photo's https address, or empty for none") = ""

    def values(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


class BranchPatch(bounds.Input):
    slug: bounds.line(64, 1) | Unset = msgspec.UNSET
    name: bounds.line(200, 1) | Unset = msgspec.UNSET
    name_en: bounds.line(200) | Unset = msgspec.UNSET
    short_name: bounds.line(100) | Unset = msgspec.UNSET
    address: bounds.line(300) | Unset = msgspec.UNSET
    latitude: Latitude | None | Unset = msgspec.UNSET
    longitude: Longitude | None | Unset = msgspec.UNSET
    phone: bounds.line(40) | Unset = msgspec.UNSET
    email: bounds.line(254) | Unset = msgspec.UNSET
    website: bounds.line(500) | Unset = msgspec.UNSET
    timezone: bounds.line(64) | Unset = msgspec.UNSET
    description: bounds.text(5000) | Unset = msgspec.UNSET
    accessibility: bounds.text(5000) | Unset = msgspec.UNSET
    directions: bounds.text(DIRECTIONS_LENGTH) | Unset = msgspec.UNSET
    photo_url: bounds.line(500) | Unset = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET}


class BranchAdminOut(msgspec.Struct):
    id: int
    slug: str
    name: str
    name_en: str
    short_name: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    email: str
    website: str
    timezone: str
    description: str
    accessibility: str
    directions: str
    photo_url: str
    is_active: bool


def branch_admin_out(row: dict) -> BranchAdminOut:
    return BranchAdminOut(**{name: row[name] for name in BranchAdminOut.__struct_fields__})


HourMinute = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, local time of the branch")]


class IntervalIn(msgspec.Struct, forbid_unknown_fields=True):
    opens: HourMinute
    closes: HourMinute

    def pair(self) -> tuple[time, time]:
        return time.fromisoformat(self.opens), time.fromisoformat(self.closes)


Day = Annotated[list[IntervalIn], msgspec.Meta(max_length=6)]


class WeeklyIn(msgspec.Struct, forbid_unknown_fields=True):
    mon: Day = []
    tue: Day = []
    wed: Day = []
    thu: Day = []
    fri: Day = []
    sat: Day = []
    sun: Day = []


class HoursIn(bounds.Input):
    weekly: Annotated[WeeklyIn, msgspec.Meta(description="Intervals by day; a day absent or an empty list means closed")]
    on_conflict: OnConflict | None = None
    reason: bounds.line(300, description="Told to each person whose booking is cancelled") = ""

    def intervals(self) -> dict[str, list[tuple[time, time]]]:
        return {day: [item.pair() for item in getattr(self.weekly, day)] for day in WEEKDAY_CODES}


class RemovalIn(bounds.Input):
    on_conflict: OnConflict | None = None
    reason: bounds.line(300, description="Told to each person whose booking is cancelled") = ""


class IntervalOut(msgspec.Struct):
    opens: str
    closes: str


def _intervals_out(intervals) -> list[IntervalOut]:
    return [IntervalOut(f"{opens:%H:%M}", f"{closes:%H:%M}") for opens, closes in intervals]


class HeldOut(msgspec.Struct):
    kind: str
    id: int
    starts_at: str
    ends_at: str
    label: str = ""


def held_out(item: Held) -> HeldOut:
    return HeldOut(item.kind, item.id, item.starts_at.isoformat(), item.ends_at.isoformat(), item.label)


class HoursOut(msgspec.Struct):
    weekly: dict[str, list[IntervalOut]]
    kept: list[HeldOut] = []
    cancelled: list[HeldOut] = []


def hours_out(weekly: dict[str, list[tuple[time, time]]], change: HoursChange | None = None) -> HoursOut:
    change = change or HoursChange()
    return HoursOut(
        weekly={day: _intervals_out(weekly.get(day, [])) for day in WEEKDAY_CODES},
        kept=[held_out(item) for item in change.kept],
        cancelled=[held_out(item) for item in change.cancelled],
    )


class ExceptionIn(bounds.Input):
    date: bounds.ScheduleDate
    reason: bounds.line(300, 1)
    hours: Annotated[list[IntervalIn], msgspec.Meta(max_length=6, description="The hours that day; empty or absent: closed")] = []
    on_conflict: OnConflict | None = None
    cancel_reason: bounds.line(300) = ""


class ExceptionOut(msgspec.Struct):
    date: date
    reason: str
    hours: list[IntervalOut]
    kept: list[HeldOut] = []
    cancelled: list[HeldOut] = []


def exception_out(view: ExceptionView, change: HoursChange | None = None) -> ExceptionOut:
    change = change or HoursChange()
    return ExceptionOut(view.on, view.reason, _intervals_out(view.intervals), [held_out(item) for item in change.kept], [held_out(item) for item in change.cancelled])


class ClosureIn(bounds.Input):
    date: Annotated[bounds.ScheduleDate, msgspec.Meta(description="The first day closed")]
    reason: bounds.line(300, 1)
    ends_on: Annotated[bounds.ScheduleDate | None, msgspec.Meta(description="The last day closed (default: the same day)")] = None
    kind: Annotated[str, msgspec.Meta(max_length=20, description="holiday, sanitary, repair or other")] = "other"
    on_conflict: OnConflict | None = None
    cancel_reason: bounds.line(300) = ""


class ClosureOut(msgspec.Struct):
    id: int
    date: date
    ends_on: date
    kind: str
    reason: str
    kept: list[HeldOut] = []
    cancelled: list[HeldOut] = []
