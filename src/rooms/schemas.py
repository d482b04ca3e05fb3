"""API shapes for branches, hours and zones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo as TZ

import msgspec

from src.rooms.rules import open_intervals, week_start
from src.rooms.service import BranchInfo, ZoneInfo
from src.timeutil import today_in


class WeeklyHoursOut(msgspec.Struct):
    weekday: int  # 0 = Monday
    opens: time
    closes: time


class IntervalOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime


class DayOut(msgspec.Struct):
    date: date
    open: bool
    intervals: list[IntervalOut]
    closed_reason: str = ""
    note: str = ""


class HoursOut(msgspec.Struct):
    weekly: list[WeeklyHoursOut]
    today: DayOut
    week: list[DayOut]


class ZoneSummary(msgspec.Struct):
    id: int
    name: str
    kind: str
    capacity: int
    features: list[str]
    bookable_by: list[str]


class BranchOut(msgspec.Struct):
    slug: str
    name: str
    short_name: str
    address: str
    timezone: str
    phone: str
    email: str
    latitude: float | None
    longitude: float | None
    accessibility: str
    hours: HoursOut
    zones: list[ZoneSummary]


def bookable_by(zone: ZoneInfo) -> list[str]:
    return ["staff"] + (["schools"] if zone.bookable_by_schools else []) + (["readers"] if zone.bookable_by_readers else [])


def zone_summary(zone: ZoneInfo) -> ZoneSummary:
    return ZoneSummary(id=zone.id, name=zone.name, kind=zone.kind, capacity=zone.capacity, features=list(zone.features), bookable_by=bookable_by(zone))


def _day_out(branch: BranchInfo, on: date) -> DayOut:
    tz = TZ(branch.timezone)
    day = branch.schedule.day(on)
    return DayOut(
        date=on,
        open=day.is_open,
        intervals=[IntervalOut(start, end) for start, end in open_intervals(day, tz)],
        closed_reason=day.closed_reason,
        note=day.note,
    )


def hours_out(branch: BranchInfo, today: date | None = None) -> HoursOut:
    today = today or today_in(branch.timezone)
    monday = week_start(today)
    return HoursOut(
        weekly=[WeeklyHoursOut(row.weekday, row.opens, row.closes) for row in sorted(branch.schedule.weekly, key=lambda r: (r.weekday, r.opens))],
        today=_day_out(branch, today),
        week=[_day_out(branch, monday + timedelta(days=offset)) for offset in range(7)],
    )


def branch_out(branch: BranchInfo, today: date | None = None) -> BranchOut:
    return BranchOut(
        slug=branch.slug,
        name=branch.name,
        short_name=branch.short_name,
        address=branch.address,
        timezone=branch.timezone,
        phone=branch.phone,
        email=branch.email,
        latitude=branch.latitude,
        longitude=branch.longitude,
        accessibility=branch.accessibility,
        hours=hours_out(branch, today),
        zones=[zone_summary(zone) for zone in branch.zones],
    )
