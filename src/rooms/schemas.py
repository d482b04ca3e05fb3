"""API shapes for branches, hours, zones, availability and bookings (msgspec Structs), and their mappers.

Every instant goes out in the branch's time zone, ISO 8601 with its offset."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo as TZ

import msgspec

from src import bounds
from src.branches.rules import Interval, open_intervals, week_start
from src.branches.service import BranchInfo
from src.rooms.availability import BranchWeek, Taken
from src.rooms.bookings import BookingResult, BookingView
from src.rooms.rules import Recurrence
from src.rooms.service import BranchZones, ZoneInfo
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
    directions: str = ""  # how to get there (several lines); last, so that the answer's order stays as it was


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


def branch_out(branch: BranchZones, today: date | None = None) -> BranchOut:
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
        directions=branch.directions,
    )


# --- zones, availability, the week grid -----------------------------------------------------------------


class ZoneRulesOut(msgspec.Struct):
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    lead_minutes: int
    horizon_days: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    weekly_quota_minutes: int | None
    requires_approval: bool


class ZoneOut(msgspec.Struct):
    id: int
    branch: str
    branch_name: str
    name: str
    kind: str
    capacity: int
    features: list[str]
    bookable_by: list[str]
    description: str
    photo_url: str
    timezone: str
    rules: ZoneRulesOut


def zone_out(branch: BranchInfo, zone: ZoneInfo) -> ZoneOut:
    rules = zone.rules
    return ZoneOut(
        id=zone.id,
        branch=branch.slug,
        branch_name=branch.name,
        name=zone.name,
        kind=zone.kind,
        capacity=zone.capacity,
        features=list(zone.features),
        bookable_by=bookable_by(zone),
        description=zone.description,
        photo_url=zone.photo_url,
        timezone=branch.timezone,
        rules=ZoneRulesOut(
            slot_minutes=rules.slot_minutes,
            min_minutes=rules.min_minutes,
            max_minutes=rules.max_minutes,
            lead_minutes=rules.lead_minutes,
            horizon_days=rules.horizon_days,
            buffer_before_minutes=rules.buffer_before_minutes,
            buffer_after_minutes=rules.buffer_after_minutes,
            weekly_quota_minutes=rules.weekly_quota_minutes,
            requires_approval=rules.requires_approval,
        ),
    )


def intervals_out(intervals: list[Interval], tz: TZ) -> list[IntervalOut]:
    return [IntervalOut(start.astimezone(tz), end.astimezone(tz)) for start, end in intervals]


class AvailabilityOut(msgspec.Struct):
    zone_id: int
    start: datetime
    end: datetime
    free: list[IntervalOut]


class BusyOut(msgspec.Struct):
    """A busy time. Who holds it is never shown; staff of the branch also see what it is for."""

    starts_at: datetime
    ends_at: datetime
    status: str
    booking_id: int | None = None
    holder_kind: str | None = None
    purpose: str | None = None


class ZoneDayOut(msgspec.Struct):
    date: date
    open: bool
    closed_reason: str
    free: list[IntervalOut]
    busy: list[BusyOut]


class ZoneWeekOut(msgspec.Struct):
    zone_id: int
    name: str
    kind: str
    capacity: int
    days: list[ZoneDayOut]


class BranchWeekOut(msgspec.Struct):
    branch: str
    timezone: str
    start: date
    end: date
    zones: list[ZoneWeekOut]


def _busy_out(item: Taken, tz: TZ, manager: bool) -> BusyOut:
    details = {"booking_id": item.id, "holder_kind": item.holder_kind, "purpose": item.purpose} if manager else {}
    return BusyOut(starts_at=item.starts_at.astimezone(tz), ends_at=item.ends_at.astimezone(tz), status=item.status, **details)


def branch_week_out(week: BranchWeek) -> BranchWeekOut:
    tz = week.branch.tz
    return BranchWeekOut(
        branch=week.branch.slug,
        timezone=week.branch.timezone,
        start=week.days[0],
        end=week.days[-1],
        zones=[
            ZoneWeekOut(
                zone_id=zone_week.zone.id,
                name=zone_week.zone.name,
                kind=zone_week.zone.kind,
                capacity=zone_week.zone.capacity,
                days=[
                    ZoneDayOut(
                        date=day.on,
                        open=day.hours.is_open,
                        closed_reason=day.hours.closed_reason,
                        free=intervals_out(day.free, tz),
                        busy=[_busy_out(item, tz, week.manager) for item in day.busy],
                    )
                    for day in zone_week.days
                ],
            )
            for zone_week in week.zones
        ],
    )


# --- bookings --------------------------------------------------------------------------------------------

Purpose = bounds.line(300, description="What the zone is booked for")


class RecurrenceIn(bounds.Input):
    freq: bounds.line(16, description="weekly or daily") = "weekly"
    interval: bounds.count(1, 52, description="Every N weeks (or days)") = 1
    count: bounds.count(1, 1000, description="How many bookings in all (or give until)") | None = None
    until: Annotated[bounds.ScheduleDate | None, msgspec.Meta(description="The last date, inclusive (or give count)")] = None


class BookingCreate(bounds.Input):
    zone_id: bounds.Id
    starts_at: bounds.ScheduleLocal
    ends_at: bounds.ScheduleLocal
    purpose: Purpose = ""
    headcount: bounds.count(0, 10000) = 1
    recurrence: RecurrenceIn | None = None
    skip_conflicts: Annotated[bool, msgspec.Meta(description="Book the free dates of a series and list the others")] = False
    block: Annotated[bool, msgspec.Meta(description="Staff: an internal block (maintenance) rather than a booking")] = False
    override_hours: Annotated[bool, msgspec.Meta(description="Staff: outside opening hours or on a closure (recorded)")] = False
    card_number: bounds.optional_line(20, description="Staff: book for this reader (their card number): the reader holds the booking, staff are recorded as making it") = None


class BookingOut(msgspec.Struct):
    id: int
    zone_id: int
    branch: str
    starts_at: datetime
    ends_at: datetime
    status: str
    holder_kind: str
    holder_name: str
    purpose: str
    headcount: int
    series_id: str | None
    override_hours: bool
    reason: str
    created_at: datetime
    status_changed_at: datetime | None


class SkippedOut(msgspec.Struct):
    date: date
    starts_at: datetime
    ends_at: datetime
    reason: str


class BookingCreated(msgspec.Struct):
    """The first (or only) booking's fields, every booking made, and the dates of a series that were skipped."""

    id: int
    zone_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    series_id: str | None
    bookings: list[BookingOut]
    skipped: list[SkippedOut]


class BookingsChanged(msgspec.Struct):
    bookings: list[BookingOut]


class ScopeIn(bounds.Input):
    scope: bounds.line(16, description="one, or rest: this and the later bookings of its series") = "one"
    reason: bounds.text(300) = ""


class DeclineIn(bounds.Input):
    reason: bounds.text(300, description="Shown to the holder")
    scope: bounds.line(16) = "one"


class RescheduleIn(bounds.Input):
    starts_at: bounds.ScheduleLocal
    ends_at: bounds.ScheduleLocal


class ExtendIn(bounds.Input):
    ends_at: bounds.ScheduleLocal


def recurrence_in(data: RecurrenceIn | None) -> Recurrence | None:
    return None if data is None else Recurrence(freq=data.freq, interval=data.interval, count=data.count, until=data.until)


def booking_out(booking: BookingView, branch: BranchInfo) -> BookingOut:
    tz = branch.tz
    return BookingOut(
        id=booking.id,
        zone_id=booking.zone_id,
        branch=branch.slug,
        starts_at=booking.starts_at.astimezone(tz),
        ends_at=booking.ends_at.astimezone(tz),
        status=booking.status,
        holder_kind=booking.holder_kind,
        holder_name=booking.holder_name,
        purpose=booking.purpose,
        headcount=booking.headcount,
        series_id=booking.series,
        override_hours=booking.override_hours,
        reason=booking.reason,
        created_at=booking.created_at.astimezone(tz),
        status_changed_at=booking.status_changed_at.astimezone(tz) if booking.status_changed_at else None,
    )


def booking_created(result: BookingResult, branch: BranchInfo) -> BookingCreated:
    items = [booking_out(booking, branch) for booking in result.bookings]
    first = items[0]
    return BookingCreated(
        id=first.id,
        zone_id=first.zone_id,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        status=first.status,
        series_id=result.series,
        bookings=items,
        skipped=[SkippedOut(item.on, item.starts_at, item.ends_at, item.reason) for item in result.skipped],
    )


parse_instant = bounds.moment  # the API convention for start and end (src/bounds.py)
