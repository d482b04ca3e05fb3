"""Counsellors' availability (weekly windows and dated exceptions) and the search for free slots.

The rows are few and read on every slot search: they are cached for the whole process and the cache is bumped
in every transaction that changes them (see src/cache.py). Slots themselves are computed by rules.grid_slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src import cache
from src.accounts import permissions as perm
from src.accounts.constants import ROLE_COUNSELLOR
from src.accounts.permissions import Principal
from src.accounts.tables import Account, StaffBranch
from src.branches import service as branches_service
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.guidance import rules
from src.guidance.constants import BOOKED, EXCEPTION_EXTRA, EXCEPTION_KINDS, EXCEPTION_OFF, HORIZON_DAYS, LEAD_MINUTES, MAX_SLOT_SEARCH_DAYS
from src.guidance.tables import AvailabilityException, Consultation, CounsellorAvailability
from src.i18n import _
from src.timeutil import UTC, aware, now_utc, today_in

AVAILABILITY_CACHE = "guidance_availability"


def _tx():
    return write_transaction(engine_finder())


# --- availability --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounsellorInfo:
    id: int
    full_name: str


WindowView = rules.WeeklyWindow
ExceptionView = rules.DateException


async def counsellors() -> list[CounsellorInfo]:
    rows = await Account.select(Account.id, Account.full_name).where((Account.role == ROLE_COUNSELLOR) & (Account.is_active == True)).order_by(Account.full_name)  # noqa: E712
    return [CounsellorInfo(row["id"], row["full_name"]) for row in rows]


def _window_view(r: dict) -> WindowView:
    return WindowView(r["counsellor"], r["branch"], r["weekday"], r["starts"], r["ends"], r["slot_minutes"], r["buffer_minutes"], r["valid_from"], r["valid_until"], r["id"])


def _exception_view(r: dict) -> ExceptionView:
    return ExceptionView(r["counsellor"], r["on"], r["kind"], r["branch"], r["starts"], r["ends"], r["slot_minutes"], r["buffer_minutes"], r["note"], r["id"])


async def _availability_rows() -> tuple[list[WindowView], list[ExceptionView]]:
    """All weekly windows and the exceptions from a week ago on; cached, bumped on every change."""
    since = today_in(get_settings().tz) - timedelta(days=7)

    async def load():
        weekly = await CounsellorAvailability.select().order_by(CounsellorAvailability.weekday).order_by(CounsellorAvailability.starts)
        exceptions = await AvailabilityException.select().where(AvailabilityException.on >= since).order_by(AvailabilityException.on)
        return (
            [_window_view(r) for r in weekly],
            [_exception_view(r) for r in exceptions],
        )

    return await cache.cached(AVAILABILITY_CACHE, ("all", since), load)


async def availability_of(counsellor_id: int) -> tuple[list[WindowView], list[ExceptionView]]:
    weekly, exceptions = await _availability_rows()
    return [w for w in weekly if w.counsellor_id == counsellor_id], [e for e in exceptions if e.counsellor_id == counsellor_id]


async def branch_of(branch_slug: str, field_name: str = "branch") -> branches_service.BranchInfo:
    for branch in await branches_service.list_branches():
        if branch.slug == branch_slug:
            return branch
    raise Invalid.one(field_name, _("Unknown library branch: %(slug)s", slug=branch_slug))


async def branch_id_of(branch_slug: str, field_name: str = "branch") -> int:
    return (await branch_of(branch_slug, field_name)).id


async def served_branch_ids(counsellor_id: int) -> set[int]:
    """The branches an admin or branch head gave the counsellor on the staff page (none: any branch)."""
    return {row["branch"] for row in await StaffBranch.select(StaffBranch.branch).where(StaffBranch.account == counsellor_id)}


async def _serves_errors(counsellor_id: int, branch_id: int) -> list[FieldError]:
    served = await served_branch_ids(counsellor_id)
    if served and branch_id not in served:
        return [FieldError("branch", _("This counsellor does not receive at this branch (the staff page lists their branches)"))]
    return []


async def _check_counsellor(principal: Principal, counsellor_id: int) -> None:
    if not perm.can_manage_availability_of(principal, counsellor_id):
        raise Forbidden(_("Only the counsellor themself or an administrator changes this availability"))
    if not await Account.exists().where((Account.id == counsellor_id) & (Account.role == ROLE_COUNSELLOR)):
        raise NotFound(_("No such counsellor"))


@dataclass
class WindowInput:
    branch: str
    weekday: int | None
    starts: time | None
    ends: time | None
    slot_minutes: int | None = 45
    buffer_minutes: int | None = 15
    valid_from: date | None = None
    valid_until: date | None = None


async def add_window(principal: Principal, counsellor_id: int, data: WindowInput) -> WindowView:
    await _check_counsellor(principal, counsellor_id)
    errors = rules.window_errors(data.starts, data.ends, data.slot_minutes, data.buffer_minutes)
    if data.weekday is None or not 0 <= data.weekday <= 6:
        errors.append(FieldError("weekday", _("Choose a day of the week")))
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        errors.append(FieldError("valid_until", _("The end date must not be before the start date")))
    branch_id = None
    try:
        branch = await branch_of(data.branch)
        branch_id = branch.id
        errors += await _serves_errors(counsellor_id, branch_id)
        if not errors:  # inside the branch's weekly hours of that weekday
            weekly = tuple(sorted((row.opens, row.closes) for row in branch.schedule.weekly if row.weekday == data.weekday))
            errors += rules.opening_hours_errors(data.starts, data.ends, weekly, "weekday")
    except Invalid as error:
        errors += error.errors
    if errors:
        raise Invalid(errors=errors)
    async with _tx():
        own = await CounsellorAvailability.select().where(
            (CounsellorAvailability.counsellor == counsellor_id) & (CounsellorAvailability.weekday == data.weekday)
        )
        for other in own:
            if other["starts"] < data.ends and data.starts < other["ends"] and _periods_overlap(other["valid_from"], other["valid_until"], data.valid_from, data.valid_until):
                raise Conflict(_("This overlaps another window of yours on the same day"), errors=[FieldError("starts", _("Overlaps another window"))])
        row = CounsellorAvailability(
            counsellor=counsellor_id, branch=branch_id, weekday=data.weekday, starts=data.starts, ends=data.ends,
            slot_minutes=data.slot_minutes, buffer_minutes=data.buffer_minutes, valid_from=data.valid_from, valid_until=data.valid_until, created_at=now_utc(),
        )
        await row.save()
        await cache.bump(AVAILABILITY_CACHE)
    weekly, _exceptions = await availability_of(counsellor_id)
    return next(w for w in weekly if w.id == row.id)


def _periods_overlap(a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None) -> bool:
    return (a_until is None or b_from is None or b_from <= a_until) and (b_until is None or a_from is None or a_from <= b_until)


async def _delete_owned(principal: Principal, table, row_id: int, missing: str, counsellor_id: int | None = None) -> None:
    row = await table.select(table.counsellor).where(table.id == row_id).first()
    if row is None or (counsellor_id is not None and row["counsellor"] != counsellor_id):
        raise NotFound(missing)
    await _check_counsellor(principal, row["counsellor"])
    async with _tx():
        await table.delete().where(table.id == row_id)
        await cache.bump(AVAILABILITY_CACHE)


async def delete_window(principal: Principal, window_id: int, counsellor_id: int | None = None) -> None:
    """Remove a weekly window; with ``counsellor_id``, only one of that counsellor's (another's is 404)."""
    await _delete_owned(principal, CounsellorAvailability, window_id, _("No such availability window"), counsellor_id)


@dataclass
class ExceptionInput:
    on: date | None
    kind: str
    branch: str = ""
    starts: time | None = None
    ends: time | None = None
    slot_minutes: int | None = 45
    buffer_minutes: int | None = 15
    note: str = ""


async def add_exception(principal: Principal, counsellor_id: int, data: ExceptionInput) -> ExceptionView:
    await _check_counsellor(principal, counsellor_id)
    errors: list[FieldError] = []
    if data.on is None:
        errors.append(FieldError("on", _("Enter the date")))
    elif data.on < today_in(get_settings().tz):
        errors.append(FieldError("on", _("The date is in the past")))
    if data.kind not in EXCEPTION_KINDS:
        errors.append(FieldError("kind", _("Choose: day off or extra hours")))
    branch_id = None
    if data.kind == EXCEPTION_EXTRA:
        errors += rules.window_errors(data.starts, data.ends, data.slot_minutes, data.buffer_minutes)
        try:
            branch = await branch_of(data.branch)
            branch_id = branch.id
            errors += await _serves_errors(counsellor_id, branch_id)
            if not errors and data.on:  # inside the branch's hours that day (closures and holidays count)
                errors += rules.opening_hours_errors(data.starts, data.ends, branch.schedule.day(data.on).intervals, "on")
        except Invalid as error:
            errors += error.errors
    elif data.kind == EXCEPTION_OFF and (data.starts is None) != (data.ends is None):
        errors.append(FieldError("ends", _("Give both times, or neither for the whole day")))
    elif data.kind == EXCEPTION_OFF and data.starts and data.ends and data.ends <= data.starts:
        errors.append(FieldError("ends", _("The end time must be after the start time")))
    if errors:
        raise Invalid(errors=errors)
    async with _tx():
        row = AvailabilityException(
            counsellor=counsellor_id, on=data.on, kind=data.kind, branch=branch_id, starts=data.starts, ends=data.ends,
            slot_minutes=data.slot_minutes or 45, buffer_minutes=data.buffer_minutes or 0, note=data.note.strip()[:300], created_at=now_utc(),
        )
        await row.save()
        await cache.bump(AVAILABILITY_CACHE)
    _weekly, exceptions = await availability_of(counsellor_id)
    return next(e for e in exceptions if e.id == row.id)


async def delete_exception(principal: Principal, exception_id: int, counsellor_id: int | None = None) -> None:
    await _delete_owned(principal, AvailabilityException, exception_id, _("No such exception"), counsellor_id)


async def listing(principal: Principal, counsellor_id: int, first: date | None = None, last: date | None = None) -> tuple[list[WindowView], list[ExceptionView]]:
    """The counsellor's weekly windows valid on some day from ``first`` to ``last`` (either open) and their
    exceptions on those days (by default from today on), for whoever may change them. Read from the tables, not
    the slot search's cache, which keeps exceptions from a week ago only."""
    await _check_counsellor(principal, counsellor_id)
    if first and last and last < first:
        raise Invalid.one("end", _("The end must not be before the start"))
    weekly = CounsellorAvailability.select().where(CounsellorAvailability.counsellor == counsellor_id)
    dated = AvailabilityException.select().where(AvailabilityException.counsellor == counsellor_id)
    if first:
        weekly = weekly.where(CounsellorAvailability.valid_until.is_null() | (CounsellorAvailability.valid_until >= first))
    dated = dated.where(AvailabilityException.on >= (first or today_in(get_settings().tz)))
    if last:
        weekly = weekly.where(CounsellorAvailability.valid_from.is_null() | (CounsellorAvailability.valid_from <= last))
        dated = dated.where(AvailabilityException.on <= last)
    weekly = weekly.order_by(CounsellorAvailability.weekday).order_by(CounsellorAvailability.starts).order_by(CounsellorAvailability.id)
    dated = dated.order_by(AvailabilityException.on).order_by(AvailabilityException.starts).order_by(AvailabilityException.id)
    return (
        [_window_view(r) for r in await weekly],
        [_exception_view(r) for r in await dated],
    )


# --- slots ---------------------------------------------------------------------------------------------


async def _places() -> dict[int, rules.Place]:
    return {
        branch.id: rules.Place(ZoneInfo(branch.timezone), branch.schedule)
        for branch in await branches_service.list_branches()
    }


async def booked_times(start: datetime, end: datetime, counsellor_id: int | None = None) -> list[rules.Busy]:
    query = Consultation.select(Consultation.counsellor, Consultation.starts_at, Consultation.ends_at).where(
        (Consultation.status == BOOKED) & (Consultation.starts_at < end) & (Consultation.starts_at > start - timedelta(hours=3))
    )
    if counsellor_id is not None:
        query = query.where(Consultation.counsellor == counsellor_id)
    return [rules.Busy(row["counsellor"], aware(row["starts_at"]), aware(row["ends_at"])) for row in await query]


async def offered_slots(start: date, end: date, branch_id: int | None, counsellor_id: int | None) -> list[rules.Slot]:
    weekly, exceptions = await _availability_rows()
    windows = [w for w in weekly if (counsellor_id is None or w.counsellor_id == counsellor_id) and (branch_id is None or w.branch_id == branch_id)]
    dated = [
        e
        for e in exceptions
        if start <= e.on <= end and (counsellor_id is None or e.counsellor_id == counsellor_id) and (branch_id is None or e.kind == EXCEPTION_OFF or e.branch_id == branch_id)
    ]
    return rules.grid_slots(windows, dated, start, end, await _places())


async def slots(start: date, end: date, branch_slug: str | None = None, counsellor_id: int | None = None, now: datetime | None = None) -> list[rules.Slot]:
    """Free slots from ``start`` to ``end`` (dates, inclusive), optionally of one branch or counsellor."""
    if end < start:
        raise Invalid.one("end", _("The end must not be before the start"))
    if (end - start).days > MAX_SLOT_SEARCH_DAYS:
        raise Invalid.one("end", _("Ask for at most %(days)s days at a time", days=MAX_SLOT_SEARCH_DAYS))
    branch_id = await branch_id_of(branch_slug) if branch_slug else None
    grid = await offered_slots(start, end, branch_id, counsellor_id)
    if not grid:
        return []
    busy = await booked_times(grid[0].starts_at, grid[-1].ends_at + timedelta(hours=1), counsellor_id)
    return rules.free_slots(grid, busy, now or now_utc(), LEAD_MINUTES, HORIZON_DAYS)



async def instant_of(counsellor_id: int, starts_at: datetime) -> datetime:
    """The instant a start time names. A time without an offset is the local time of the branch where the
    counsellor receives then (each slot's own branch); failing a match, the city's time zone."""
    if starts_at.tzinfo is not None and starts_at.utcoffset() is not None:
        return starts_at.astimezone(UTC)
    day = starts_at.date()
    grid = await offered_slots(day - timedelta(days=1), day + timedelta(days=1), None, counsellor_id)
    zones = {branch.id: ZoneInfo(branch.timezone) for branch in await branches_service.list_branches()}
    for slot in grid:
        zone = zones.get(slot.branch_id)
        if slot.counsellor_id == counsellor_id and zone is not None and slot.starts_at.astimezone(zone).replace(tzinfo=None) == starts_at:
            return slot.starts_at.astimezone(UTC)
    return starts_at.replace(tzinfo=get_settings().tz).astimezone(UTC)


async def slot_at(counsellor_id: int, starts_at: datetime, now: datetime | None = None) -> rules.Slot | None:
    """The counsellor's free slot starting at this instant (or local time, see :func:`instant_of`), if any."""
    starts_at = await instant_of(counsellor_id, starts_at)
    day = starts_at.date()
    found = await slots(day - timedelta(days=1), day + timedelta(days=1), None, counsellor_id, now=now)
    return rules.find_slot(found, counsellor_id, starts_at)
