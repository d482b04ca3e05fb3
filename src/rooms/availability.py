"""When zones are free: one zone over a period, a branch's week grid, and a search across every branch.

Zones, hours and closures come from the cached network (service.py); bookings are read in one query per call
(index on ``(zone, starts_at)``, bounded by the longest possible booking) and the rest is computed by the pure
functions in rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo as TimeZone

from src import cache, db
from src.accounts.permissions import Principal, can_manage_branch
from src.branches.rules import DayHours, Interval, open_between, overlaps
from src.branches.service import BranchInfo
from src.exceptions import FieldError, Invalid
from src.i18n import _
from src.rooms import rules
from src.rooms import service as rooms_service
from src.rooms.constants import ACTIVE_STATUSES, MAX_AVAILABILITY_DAYS
from src.rooms.rules import Policy
from src.rooms.service import ZoneInfo
from src.rooms.tables import Booking
from src.timeutil import UTC, aware, now_utc


@dataclass(frozen=True, slots=True)
class Taken:
    """An active booking as availability and the clash check see it."""

    id: int
    zone_id: int
    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime
    blocked_until: datetime
    status: str
    holder_kind: str
    holder_id: int | None
    purpose: str
    series: str | None

    @property
    def own(self) -> Interval:
        return (self.starts_at, self.ends_at)

    @property
    def blocked(self) -> Interval:
        return (self.blocked_from, self.blocked_until)


ACTIVE_SQL = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)


def placeholders(count: int) -> str:
    return ", ".join("{}" for _ in range(count))


async def taken(zone_ids: Sequence[int], start: datetime, end: datetime, exclude_ids: Iterable[int] = ()) -> list[Taken]:
    """Active bookings of these zones whose blocked time meets ``[start, end)``, in one query.

    Plain SQL, because this runs on every availability read and inside every booking's transaction: the
    ``starts_at`` bounds (no booking is longer than rules.LOOKBACK) keep the scan of the (zone, starts_at)
    index to the window."""
    if not zone_ids:
        return []
    rows = await db.fetch(
        Booking._meta.db,
        "SELECT id, zone, starts_at, ends_at, blocked_from, blocked_until, status, holder_kind, holder, purpose, series FROM booking"
        f" WHERE zone IN ({placeholders(len(zone_ids))}) AND starts_at > {{}} AND starts_at < {{}} AND status IN ({ACTIVE_SQL})"
        " AND blocked_from < {} AND blocked_until > {} ORDER BY starts_at",
        *zone_ids,
        start - rules.LOOKBACK,
        end + rules.LOOKAHEAD,
        end,
        start,
    )
    excluded = set(exclude_ids)
    return [
        Taken(row["id"], row["zone"], aware(row["starts_at"]), aware(row["ends_at"]), aware(row["blocked_from"]), aware(row["blocked_until"]), row["status"], row["holder_kind"], row["holder"], row["purpose"], row["series"])
        for row in rows
        if row["id"] not in excluded
    ]


def viewer_policy(viewer: Principal | None, branch: BranchInfo) -> Policy:
    return rules.STAFF_POLICY if can_manage_branch(viewer, branch.id) else rules.READER_POLICY


def _free(branch: BranchInfo, zone: ZoneInfo, window: Interval, busy: Iterable[Taken], policy: Policy, now: datetime, open_: list[Interval] | None = None) -> list[Interval]:
    """Where the viewer could book: readers from the zone's lead time on and for at least its shortest booking.
    ``open_``: the zone's opening intervals over ``window`` when the caller has them already."""
    not_before = now if policy.limits else now + timedelta(minutes=zone.rules.lead_minutes)
    min_minutes = zone.rules.slot if policy.limits else zone.rules.min_minutes
    return rules.free_intervals(zone.schedule, branch.tz, window, [item.blocked for item in busy], zone.rules, not_before=not_before, min_minutes=min_minutes, open_=open_)


# Free intervals and week grids are kept per process (at most KEPT) under the revision "bookings", which the
# database's triggers bump on every write to ``booking`` whoever makes it (migration 2026-12-02T04:00): another
# worker's booking shows within a second, this worker's at once (issue 17: the week grid was the slowest read,
# 7 ms, a zone's week 1 ms). They also depend on the moment (readers book from the zone's lead time on, snapped
# to its grid) and on the branch's hours and zones: each is kept only as long as those stay the same.
BOOKINGS_CACHE = "bookings"
KEPT = 512
cache.watch(BOOKINGS_CACHE, "booking", "INSERT", "UPDATE", "DELETE")
_kept = cache.Keyed(BOOKINGS_CACHE, KEPT)


def _in_transaction() -> bool:
    """Inside a transaction nothing is kept: it may see its own uncommitted bookings, and on PostgreSQL the
    revision moves only at its commit."""
    return Booking._meta.db.current_transaction.get() is not None


def check_period(start: datetime, end: datetime, longest_days: int = MAX_AVAILABILITY_DAYS) -> None:
    errors = []
    if end <= start:
        errors.append(FieldError("end", _("The end must be after the start")))
    elif end - start > timedelta(days=longest_days):
        errors.append(FieldError("end", _("Ask about at most %(n)s days at once", n=longest_days)))
    if errors:
        raise Invalid(errors=errors)


async def zone_free(zone_id: int, start: datetime, end: datetime, viewer: Principal | None = None) -> tuple[BranchInfo, ZoneInfo, list[Interval]]:
    """The free intervals of one zone over ``[start, end)``: hours minus closures minus bookings and buffers.

    Kept per process like the week grids (below). They depend on the moment and the period only through two
    grid instants, which key them: the first at or after the later of ``start`` and the viewer's "not before",
    and the last at or before ``end`` (rules.free_intervals snaps every free interval to the zone's grid)."""
    check_period(start, end)
    branch, zone = await rooms_service.get_zone(zone_id)
    policy = viewer_policy(viewer, branch)
    now = now_utc()
    not_before = now if policy.limits else now + timedelta(minutes=zone.rules.lead_minutes)
    key = ("zone", zone.id, policy, rules.snap(max(start, not_before), zone.rules.slot, branch.tz), rules.snap(end, zone.rules.slot, branch.tz, up=False))

    async def compute() -> tuple[BranchInfo, list[Interval]]:
        return branch, _free(branch, zone, (start, end), await taken([zone.id], start, end), policy, now)

    if _in_transaction():
        return branch, zone, (await compute())[1]
    kept = await _kept.get(key, compute)
    if kept[0] is not branch:  # the branch's hours or zones changed since
        _kept.forget(key)
        kept = await _kept.get(key, compute)
    return branch, zone, kept[1]


# --- the week grid of a branch --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneDay:
    on: date
    hours: DayHours
    free: list[Interval]
    busy: list[Taken]


@dataclass(frozen=True, slots=True)
class ZoneWeek:
    zone: ZoneInfo
    days: list[ZoneDay]


@dataclass(frozen=True, slots=True)
class BranchWeek:
    branch: BranchInfo
    start: date
    days: list[date]
    zones: list[ZoneWeek]
    manager: bool  # the viewer runs this branch: busy times carry purpose and holder kind


def local_day(on: date, tz: TimeZone) -> Interval:
    return (datetime.combine(on, datetime.min.time(), tzinfo=tz), datetime.combine(on + timedelta(days=1), datetime.min.time(), tzinfo=tz))


@dataclass(frozen=True, slots=True)
class _KeptWeek:
    week: BranchWeek
    since: datetime  # the moment it was computed for
    until: datetime  # the last moment the same free intervals come out


async def branch_week(slug: str, start: date, viewer: Principal | None = None, zone_ids: Sequence[int] | None = None, days: int = 7) -> BranchWeek:
    """Every zone of a branch by day over a week: opening hours, free intervals and busy bookings, in one query."""
    branch = await rooms_service.get_branch(slug)
    policy = viewer_policy(viewer, branch)
    key = ("week", slug, start, frozenset(zone_ids) if zone_ids is not None else None, policy, days)

    async def compute() -> _KeptWeek:
        now = now_utc()
        return _KeptWeek(await _branch_week(branch, start, policy, zone_ids, days, now), now, _same_until(branch, zone_ids, policy, now))

    if _in_transaction():
        return (await compute()).week
    kept = await _kept.get(key, compute)
    if kept.week.branch is not branch or not kept.since <= now_utc() <= kept.until:
        _kept.forget(key)
        kept = await _kept.get(key, compute)
    return kept.week


def _same_until(branch: BranchInfo, zone_ids: Sequence[int] | None, policy: Policy, now: datetime) -> datetime:
    """Until when the free intervals computed at ``now`` stay the same: they depend on the moment only through
    the first grid instant at or after the zone's "not before" (``_free``)."""
    until = datetime.max.replace(tzinfo=UTC)
    for zone in branch.zones:
        if zone_ids is None or zone.id in zone_ids:
            ahead = timedelta(0) if policy.limits else timedelta(minutes=zone.rules.lead_minutes)
            until = min(until, rules.snap(now + ahead, zone.rules.slot, branch.tz) - ahead)
    return until


async def _branch_week(branch: BranchInfo, start: date, policy: Policy, zone_ids: Sequence[int] | None, days: int, now: datetime) -> BranchWeek:
    zones = [zone for zone in branch.zones if zone_ids is None or zone.id in zone_ids]
    dates = [start + timedelta(days=offset) for offset in range(days)]
    window = (local_day(dates[0], branch.tz)[0], local_day(dates[-1], branch.tz)[1])
    busy = await taken([zone.id for zone in zones], *window)
    by_zone: dict[int, list[Taken]] = {zone.id: [] for zone in zones}
    for item in busy:
        by_zone[item.zone_id].append(item)
    # Issue 17 (this was the slowest read): comparing instants of two different time zones asks the zone for its
    # offset each time, so bookings (UTC) meet UTC days and opening hours, and free times (local, from the grid)
    # meet local days. Most zones keep their branch's hours (the very same Schedule): their opening intervals
    # and days are worked out once per request, not once per zone.
    day_windows = [local_day(on, branch.tz) for on in dates]
    utc_days = [(day_start.astimezone(UTC), day_end.astimezone(UTC)) for day_start, day_end in day_windows]
    by_schedule: dict[int, tuple[list[Interval], list[DayHours]]] = {}
    weeks = []
    for zone in zones:
        known = by_schedule.get(id(zone.schedule))
        if known is None:
            opening = [(opens.astimezone(UTC), closes.astimezone(UTC)) for opens, closes in open_between(zone.schedule, branch.tz, *window)]
            known = by_schedule[id(zone.schedule)] = (opening, [zone.schedule.day(on) for on in dates])
        open_, hours = known
        items = by_zone[zone.id]
        free = _free(branch, zone, window, items, policy, now, open_)
        zone_days = []
        for on, day_hours, (day_start, day_end), (utc_start, utc_end) in zip(dates, hours, day_windows, utc_days):
            day_busy = [item for item in items if item.starts_at < utc_end and utc_start < item.ends_at]
            day_free = [(max(start, day_start), min(end, day_end)) for start, end in free if start < day_end and day_start < end]
            zone_days.append(ZoneDay(on, day_hours, day_free, day_busy))
        weeks.append(ZoneWeek(zone, zone_days))
    return BranchWeek(branch, start, dates, weeks, manager=policy.limits)


# --- search across every branch ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneFilter:
    branch: str | None = None
    kind: str | None = None
    min_capacity: int | None = None
    features: tuple[str, ...] = ()
    free_from: datetime | None = None
    free_to: datetime | None = None


def _matches(branch: BranchInfo, zone: ZoneInfo, query: ZoneFilter) -> bool:
    return (
        (query.branch is None or branch.slug == query.branch)
        and (query.kind is None or zone.kind == query.kind)
        and (query.min_capacity is None or zone.capacity >= query.min_capacity)
        and all(feature in zone.features for feature in query.features)
    )


async def search(query: ZoneFilter) -> list[tuple[BranchInfo, ZoneInfo]]:
    """Zones of every branch (or one) with capacity, kind and features, and free for a time when asked:
    open then, no closure, no booking or buffer in the way. One bookings query for all candidates."""
    candidates = [(branch, zone) for branch, zone in await rooms_service.all_zones() if _matches(branch, zone, query)]
    if query.free_from is None and query.free_to is None:
        return candidates
    if query.free_from is None or query.free_to is None:
        missing = "free_from" if query.free_from is None else "free_to"
        raise Invalid.one(missing, _("Give both the start and the end of the time the zone should be free"))
    check_period(query.free_from, query.free_to, longest_days=1)
    wanted = (query.free_from, query.free_to)
    is_open: dict[tuple[int, str], bool] = {}  # most zones share their branch's schedule: judge each once
    for branch, zone in candidates:
        key = (id(zone.schedule), branch.timezone)
        if key not in is_open:
            is_open[key] = not rules.hours_errors(wanted, zone.schedule, branch.tz)
    open_then = [(branch, zone) for branch, zone in candidates if is_open[(id(zone.schedule), branch.timezone)]]
    busy = await busy_zones([zone for _branch, zone in open_then], *wanted)
    return [(branch, zone) for branch, zone in open_then if zone.id not in busy]


async def busy_zones(zones: Sequence[ZoneInfo], start: datetime, end: datetime) -> set[int]:
    """The zones whose active bookings (with their buffers) leave no room for ``[start, end)`` with the zone's own
    buffers: one indexed query that answers zone ids only (zones grouped by their buffers, a handful)."""
    if not zones:
        return set()
    groups: dict[tuple[timedelta, timedelta], list[int]] = {}
    for zone in zones:
        groups.setdefault((zone.rules.buffer_before, zone.rules.buffer_after), []).append(zone.id)
    clauses, params = [], []
    for (before, after), zone_ids in groups.items():
        clauses.append(f"(zone IN ({', '.join(str(int(zone_id)) for zone_id in zone_ids)}) AND blocked_from < {{}} AND blocked_until > {{}})")
        params += [end + after, start - before]
    rows = await db.fetch(
        Booking._meta.db,
        f"SELECT DISTINCT zone FROM booking WHERE zone IN ({', '.join(str(int(zone.id)) for zone in zones)})"
        f" AND starts_at > {{}} AND starts_at < {{}} AND status IN ({ACTIVE_SQL}) AND ({' OR '.join(clauses)})",
        start - rules.MAX_BUFFER - rules.LOOKBACK,
        end + rules.MAX_BUFFER + rules.LOOKAHEAD,
        *params,
    )
    return {row["zone"] for row in rows}


# --- the grid a page shows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    starts_at: datetime
    ends_at: datetime  # free: the end of the shortest booking from here; otherwise the end of the cell
    state: str  # "free", "busy" or "closed" (outside hours, a closure, too soon, or too little time)
    bookable: bool = False  # free, and the zone's shortest booking fits from here
    booking: Taken | None = None


def grid(zone_week: ZoneWeek, tz: TimeZone, min_minutes: int) -> tuple[list[datetime], list[list[Cell]]]:
    """Rows of cells (one row per slot of the day, one cell per day) from the earliest opening to the latest
    closing of the week; the row headers are the first day's instants (only their time of day matters)."""
    slot = timedelta(minutes=zone_week.zone.rules.slot)
    hours = [interval for day in zone_week.days for interval in day.hours.intervals]
    if not hours:
        return [], []
    first, last = min(opens for opens, _closes in hours), max(closes for _opens, closes in hours)
    day0 = zone_week.days[0].on
    times = []
    instant = datetime.combine(day0, first, tzinfo=tz)
    end = datetime.combine(day0, last, tzinfo=tz)
    while instant < end:
        times.append(instant)
        instant += slot
    rows = []
    for row_time in times:
        row = []
        for day in zone_week.days:
            start = datetime.combine(day.on, row_time.timetz())
            cell = (start, start + slot)
            holder = next((item for item in day.busy if overlaps(item.own, cell)), None)
            free = next(((free_start, free_end) for free_start, free_end in day.free if free_start <= cell[0] and cell[1] <= free_end), None)
            if holder is not None:
                row.append(Cell(cell[0], cell[1], "busy", booking=holder))
            elif free is not None:
                suggested = start + timedelta(minutes=max(min_minutes, zone_week.zone.rules.slot))
                row.append(Cell(cell[0], min(suggested, free[1]), "free", bookable=suggested <= free[1]))
            else:
                row.append(Cell(cell[0], cell[1], "closed"))
        rows.append(row)
    return times, rows
