"""Running the network of branches: create, edit, deactivate and reactivate a branch (a slug once used keeps
leading to its branch), and change its weekly hours, date exceptions and closures without stranding what
readers, events, schools and counsellors already hold (see ``occupancy.py``).

Every change checks its permission (src/accounts/permissions.py), validates every field (422 naming it), and
writes itself, its audit row and anything it cancels in one write transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from piccolo.engine import engine_finder

from src import audit, bounds
from src.accounts.permissions import Principal, can_administer_network, can_edit_hours
from src.branches import occupancy
from src.branches import service as branches_service
from src.branches.constants import DIRECTIONS_LENGTH
from src.branches.rules import ClosureRow, DateRow, HoursRow, Schedule, interval_problems, stranded, weekly_by_day, weekly_rows, zone_schedule
from src.branches.tables import Branch, BranchSlug, Closure, DateHours, WeeklyHours
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.timeutil import now_utc, today_in

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KEEP, CANCEL = "keep", "cancel"
ON_CONFLICT = (KEEP, CANCEL)

# The branch's own fields an admin edits, in the order of the form and the API.
FIELDS = ("slug", "name", "name_en", "short_name", "address", "latitude", "longitude", "phone", "email", "website", "timezone", "description", "accessibility", "directions", "photo_url")


# --- branches ---------------------------------------------------------------------------------------------


def branch_errors(values: dict[str, Any], creating: bool) -> list[FieldError]:
    """What is wrong with these branch fields (only those present are checked, unless ``creating``)."""
    errors = []
    if "slug" in values or creating:
        if not SLUG.match(values.get("slug") or ""):
            errors.append(FieldError("slug", _("Use lower-case Latin letters, digits and hyphens (2 to 64), e.g. central-library")))
    if "name" in values or creating:
        if not (values.get("name") or "").strip():
            errors.append(FieldError("name", _("This field is required")))
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"] or "")
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(FieldError("timezone", _("Unknown time zone; use a name such as Asia/Yakutsk")))
    if values.get("latitude") is not None and not -90 <= values["latitude"] <= 90:
        errors.append(FieldError("latitude", _("Latitude is between -90 and 90")))
    if values.get("longitude") is not None and not -180 <= values["longitude"] <= 180:
        errors.append(FieldError("longitude", _("Longitude is between -180 and 180")))
    if values.get("email") and not EMAIL.match(values["email"]):
        errors.append(FieldError("email", _("Enter a valid e-mail address")))
    if "directions" in values:
        problem = bounds.control_problem(values["directions"] or "", multi_line=True)
        if len(values["directions"] or "") > DIRECTIONS_LENGTH:
            errors.append(FieldError("directions", _("This is too long (at most %(n)s characters)", n=DIRECTIONS_LENGTH)))
        elif problem:
            errors.append(FieldError("directions", problem))
    for name in ("website", "photo_url"):
        if values.get(name) and not re.match(r"^https?://[^\s]+$", values[name]):
            errors.append(FieldError(name, _("Enter an address starting with https://")))
    return errors


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items() if name in FIELDS}


def _require_admin(principal: Principal | None) -> None:
    if not can_administer_network(principal):
        raise Forbidden(_("Only network administrators can do this"))


async def _slug_taken(slug: str, branch_id: int | None) -> bool:
    """A slug belongs to a branch for ever: a current one, or one a branch was known by."""
    current = await Branch.select(Branch.id).where(Branch.slug == slug).first()
    if current and current["id"] != branch_id:
        return True
    old = await BranchSlug.select(BranchSlug.branch).where(BranchSlug.slug == slug).first()
    return bool(old and old["branch"] != branch_id)


def _duplicate_slug() -> Invalid:
    return Invalid.one("slug", _("This slug is in use (or was used) by another branch"))


async def create_branch(principal: Principal | None, values: dict[str, Any]) -> int:
    _require_admin(principal)
    values = _clean(values)
    values.setdefault("timezone", "Asia/Yakutsk")
    errors = branch_errors(values, creating=True)
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        if await _slug_taken(values["slug"], None):
            raise _duplicate_slug()
        branch = Branch(**values, updated_at=now_utc())
        await branch.save()
        await audit.record(principal, "create", "branch", branch.id, branch_id=branch.id, changes=audit.diff(None, values))
        await branches_service.changed()
    return branch.id


async def branch_row(slug: str) -> dict:
    """A branch by its current slug, active or not (administration sees both)."""
    row = await Branch.select().where(Branch.slug == slug).first()
    if row is None:
        raise NotFound(_("There is no library branch called %(slug)s", slug=slug))
    return row


async def list_all() -> list[dict]:
    return await Branch.select().order_by(Branch.name)


async def update_branch(principal: Principal | None, slug: str, values: dict[str, Any]) -> str:
    """Change some fields; returns the (possibly new) slug. A renamed slug keeps leading here."""
    _require_admin(principal)
    values = _clean(values)
    errors = branch_errors(values, creating=False)
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        row = await branch_row(slug)
        new_slug = values.get("slug", slug)
        if new_slug != slug:
            if await _slug_taken(new_slug, row["id"]):
                raise _duplicate_slug()
            await BranchSlug.delete().where(BranchSlug.slug == new_slug)  # back to a slug it had: current again
            await BranchSlug.insert(BranchSlug(slug=slug, branch=row["id"], retired_at=now_utc()))
        changes = audit.diff({name: row[name] for name in values}, values)
        if changes:
            await Branch.update({**values, "updated_at": now_utc()}).where(Branch.id == row["id"])
            await audit.record(principal, "update", "branch", row["id"], branch_id=row["id"], changes=changes)
            await branches_service.changed()
    return new_slug


async def set_active(principal: Principal | None, slug: str, active: bool) -> None:
    """Deactivate (hidden from the public and from booking; its history, bookings and statistics stay) or
    reactivate a branch."""
    _require_admin(principal)
    async with write_transaction(engine_finder()):
        row = await branch_row(slug)
        if row["is_active"] == active:
            return
        await Branch.update({Branch.is_active: active, Branch.updated_at: now_utc()}).where(Branch.id == row["id"])
        await audit.record(principal, "reactivate" if active else "deactivate", "branch", row["id"], branch_id=row["id"], changes={"is_active": (not active, active)})
        await branches_service.changed()


async def current_slug(slug: str) -> str | None:
    """The slug the branch once called ``slug`` has now (for redirects), or None."""
    row = await BranchSlug.select(BranchSlug.branch.slug.as_alias("current")).where(BranchSlug.slug == slug).first()
    return row["current"] if row else None


# --- hours ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoursChange:
    """What an hours change did to what was held in the new hours' way."""

    affected: list[occupancy.Held] = field(default_factory=list)
    kept: list[occupancy.Held] = field(default_factory=list)
    cancelled: list[occupancy.Held] = field(default_factory=list)


class HoursConflict(Conflict):
    def __init__(self, affected: list[occupancy.Held]) -> None:
        super().__init__(
            _("This change would leave bookings, events or visits outside the opening hours: keep them as exceptions or cancel them"),
            errors=[FieldError("on_conflict", _("Choose keep or cancel"))],
            extra={"affected": [{"kind": item.kind, "id": item.id, "starts_at": item.starts_at.isoformat(), "ends_at": item.ends_at.isoformat(), "label": item.label} for item in affected]},
        )


@dataclass(frozen=True, slots=True)
class _Rows:
    """One branch's schedule rows: its own and each zone's (None = the branch)."""

    weekly: dict[int | None, tuple[HoursRow, ...]]
    dates: dict[int | None, dict[date, tuple[DateRow, ...]]]
    closures: dict[int | None, tuple[ClosureRow, ...]]

    def schedule(self, zone_id: int | None) -> Schedule:
        branch = Schedule(weekly=self.weekly.get(None, ()), dates=self.dates.get(None, {}), closures=self.closures.get(None, ()))
        if zone_id is None:
            return branch
        return zone_schedule(branch, self.weekly.get(zone_id, ()), self.dates.get(zone_id), self.closures.get(zone_id, ()))


async def _rows(branch_id: int, since: date) -> _Rows:
    weekly: dict[int | None, list[HoursRow]] = {}
    for row in await WeeklyHours.select().where(WeeklyHours.branch == branch_id):
        weekly.setdefault(row["zone"], []).append(HoursRow(row["weekday"], row["opens"], row["closes"]))
    dates: dict[int | None, dict[date, list[DateRow]]] = {}
    for row in await DateHours.select().where((DateHours.branch == branch_id) & (DateHours.on >= since)):
        dates.setdefault(row["zone"], {}).setdefault(row["on"], []).append(DateRow(row["on"], row["opens"], row["closes"], row["note"]))
    closures: dict[int | None, list[ClosureRow]] = {}
    for row in await Closure.select().where((Closure.branch == branch_id) & (Closure.ends_on >= since)):
        closures.setdefault(row["zone"], []).append(ClosureRow(row["starts_on"], row["ends_on"], row["kind"], row["reason"]))
    return _Rows(
        weekly={key: tuple(value) for key, value in weekly.items()},
        dates={key: {on: tuple(rows) for on, rows in value.items()} for key, value in dates.items()},
        closures={key: tuple(value) for key, value in closures.items()},
    )


async def _branch_for_hours(principal: Principal | None, slug: str) -> dict:
    row = await branch_row(slug)
    if not can_edit_hours(principal, row["id"]):
        raise Forbidden(_("Only staff of this library can change its hours"))
    return row


def _check_on_conflict(on_conflict: str | None) -> None:
    if on_conflict is not None and on_conflict not in ON_CONFLICT:
        raise Invalid.one("on_conflict", _("Choose keep or cancel"))


async def _settle(principal: Principal, row: dict, before: _Rows, after: _Rows, on_conflict: str | None, reason: str) -> HoursChange:
    """Inside the change's transaction: what the new rows strand, and keep or cancel it (or refuse: 409)."""
    tz = ZoneInfo(row["timezone"])
    affected = stranded(await occupancy.held(row["id"], now_utc()), before.schedule, after.schedule, tz)
    if not affected:
        return HoursChange()
    if on_conflict is None:
        raise HoursConflict(affected)
    by_kind: dict[str, list[int]] = {}
    for item in affected:
        by_kind.setdefault(item.kind, []).append(item.id)
    for kind, ids in by_kind.items():
        holder = occupancy.HOLDERS[kind]
        if on_conflict == KEEP:
            await holder.keep(principal, ids)
        else:
            await holder.cancel(principal, ids, reason.strip() or _("The library's opening hours have changed"))
    return HoursChange(affected=affected, kept=affected if on_conflict == KEEP else [], cancelled=affected if on_conflict == CANCEL else [])


def weekly_errors(weekly: dict[str, Sequence[tuple[time, time]]]) -> list[FieldError]:
    errors = []
    for day, intervals in weekly.items():
        for field_name, problem in interval_problems(f"weekly.{day}", list(intervals)):
            message = _("Closing time must be after opening time") if problem == "inverted" else _("This interval overlaps another one of the same day")
            errors.append(FieldError(field_name, message))
    return errors


async def get_weekly(slug: str, zone_id: int | None = None) -> dict[str, list[tuple[time, time]]]:
    """The branch's weekly pattern, or one zone's own (empty: the zone keeps the branch's hours)."""
    row = await branch_row(slug)
    owner = WeeklyHours.zone.is_null() if zone_id is None else WeeklyHours.zone == zone_id
    rows = await WeeklyHours.select().where((WeeklyHours.branch == row["id"]) & owner)
    return weekly_by_day(HoursRow(item["weekday"], item["opens"], item["closes"]) for item in rows)


def zone_hours_errors(zone_rows: Sequence[HoursRow], branch_rows: Sequence[HoursRow]) -> list[FieldError]:
    """A zone's own hours lie inside its branch's: each interval within one of the branch's that day."""
    errors = []
    for day, intervals in weekly_by_day(zone_rows).items():
        branch_day = weekly_by_day(branch_rows)[day]
        for index, (opens, closes) in enumerate(intervals):
            if not any(b_opens <= opens and closes <= b_closes for b_opens, b_closes in branch_day):
                errors.append(FieldError(f"weekly.{day}[{index}].opens", _("A zone's hours lie inside its branch's hours")))
    return errors


async def set_weekly(
    principal: Principal, slug: str, weekly: dict[str, Sequence[tuple[time, time]]], on_conflict: str | None = None, reason: str = "", zone_id: int | None = None
) -> HoursChange:
    """Replace the branch's weekly pattern (a day absent or empty: closed), or with ``zone_id`` one zone's own
    pattern inside the branch's (all days empty: the zone keeps the branch's hours). The caller (rooms) has
    checked that the zone is the branch's."""
    await _branch_for_hours(principal, slug)  # who may, before what is wrong with the input
    _check_on_conflict(on_conflict)
    errors = weekly_errors(weekly)
    if errors:
        raise Invalid(errors=errors)
    new_rows = weekly_rows(weekly)
    async with write_transaction(engine_finder()):
        row = await _branch_for_hours(principal, slug)
        before = await _rows(row["id"], today_in(ZoneInfo(row["timezone"])))
        if zone_id is not None:
            errors = zone_hours_errors(new_rows, before.weekly.get(None, ()))
            if errors:
                raise Invalid(errors=errors)
        weekly_after = {**before.weekly, zone_id: new_rows}
        if zone_id is not None and not new_rows:
            weekly_after.pop(zone_id)
        after = _Rows(weekly=weekly_after, dates=before.dates, closures=before.closures)
        result = await _settle(principal, row, before, after, on_conflict, reason)
        owner = WeeklyHours.zone.is_null() if zone_id is None else WeeklyHours.zone == zone_id
        await WeeklyHours.delete().where((WeeklyHours.branch == row["id"]) & owner)
        if new_rows:
            await WeeklyHours.insert(*[WeeklyHours(branch=row["id"], zone=zone_id, weekday=item.weekday, opens=item.opens, closes=item.closes) for item in new_rows])
        old_text, new_text = _weekly_text(before.weekly.get(zone_id, ())), _weekly_text(new_rows)
        if old_text != new_text:
            kind, object_id = ("branch", row["id"]) if zone_id is None else ("zone", zone_id)
            await audit.record(principal, "update_hours", kind, object_id, branch_id=row["id"], changes={"weekly": (old_text, new_text)})
        await branches_service.changed()
    return result


def _weekly_text(rows: Sequence[HoursRow]) -> dict[str, list[str]]:
    return {day: [f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in intervals] for day, intervals in weekly_by_day(rows).items() if intervals}


@dataclass(frozen=True, slots=True)
class ExceptionView:
    on: date
    reason: str
    intervals: tuple[tuple[time, time], ...]


async def list_exceptions(slug: str, from_on: date) -> list[ExceptionView]:
    row = await branch_row(slug)
    rows = await DateHours.select().where((DateHours.branch == row["id"]) & DateHours.zone.is_null() & (DateHours.on >= from_on)).order_by(DateHours.on).order_by(DateHours.opens)
    by_day: dict[date, list[dict]] = {}
    for item in rows:
        by_day.setdefault(item["on"], []).append(item)
    return [
        ExceptionView(on, "; ".join(dict.fromkeys(item["note"] for item in items if item["note"])), tuple((item["opens"], item["closes"]) for item in items if item["opens"] and item["closes"]))
        for on, items in by_day.items()
    ]


async def set_exception(
    principal: Principal, slug: str, on: date, reason: str, intervals: Sequence[tuple[time, time]], on_conflict: str | None = None, cancel_reason: str = ""
) -> HoursChange:
    """Hours for one date that replace the weekly pattern (a short day, an extra working Sunday); no interval:
    closed that day."""
    await _branch_for_hours(principal, slug)
    _check_on_conflict(on_conflict)
    errors = [FieldError(name.replace("hours.date", "hours"), _("Closing time must be after opening time") if problem == "inverted" else _("This interval overlaps another one of the same day"))
              for name, problem in interval_problems("hours", list(intervals))]
    if not reason.strip():
        errors.append(FieldError("reason", _("Give a reason readers will see")))
    async with write_transaction(engine_finder()):
        row = await _branch_for_hours(principal, slug)
        today = today_in(ZoneInfo(row["timezone"]))
        if on < today:
            errors.insert(0, FieldError("date", _("This date has already passed")))
        if errors:
            raise Invalid(errors=errors)
        before = await _rows(row["id"], today)
        day_rows = tuple(DateRow(on, opens, closes, reason.strip()) for opens, closes in sorted(intervals)) or (DateRow(on, None, None, reason.strip()),)
        after = _Rows(weekly=before.weekly, dates={**before.dates, None: {**before.dates.get(None, {}), on: day_rows}}, closures=before.closures)
        result = await _settle(principal, row, before, after, on_conflict, cancel_reason or reason)
        await DateHours.delete().where((DateHours.branch == row["id"]) & DateHours.zone.is_null() & (DateHours.on == on))
        await DateHours.insert(*[DateHours(branch=row["id"], on=on, opens=item.opens, closes=item.closes, note=item.note) for item in day_rows])
        await audit.record(
            principal, "set_exception", "branch", row["id"], branch_id=row["id"],
            changes={"date": (None, on), "hours": (None, [f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in sorted(intervals)]), "reason": (None, reason.strip())},
        )
        await branches_service.changed()
    return result


async def remove_exception(principal: Principal, slug: str, on: date, on_conflict: str | None = None, reason: str = "") -> HoursChange:
    """The date keeps the weekly pattern again (an exception entered by mistake, a plan that changed); what the
    weekly hours leave out of the date's own is listed (409), kept or cancelled, as for any hours change."""
    await _branch_for_hours(principal, slug)
    _check_on_conflict(on_conflict)
    async with write_transaction(engine_finder()):
        row = await _branch_for_hours(principal, slug)
        today = today_in(ZoneInfo(row["timezone"]))
        days = await DateHours.select().where((DateHours.branch == row["id"]) & DateHours.zone.is_null() & (DateHours.on == on))
        if not days or on < today:
            raise NotFound(_("This date has no hours of its own ahead"))
        before = await _rows(row["id"], today)
        after = _Rows(weekly=before.weekly, dates={**before.dates, None: {day: rows for day, rows in before.dates.get(None, {}).items() if day != on}}, closures=before.closures)
        result = await _settle(principal, row, before, after, on_conflict, reason)
        await DateHours.delete().where((DateHours.branch == row["id"]) & DateHours.zone.is_null() & (DateHours.on == on))
        hours = [f"{item['opens']:%H:%M}-{item['closes']:%H:%M}" for item in days if item["opens"] and item["closes"]]
        await audit.record(principal, "remove_exception", "branch", row["id"], branch_id=row["id"], changes={"date": (on, None), "hours": (hours, None)})
        await branches_service.changed()
    return result


async def add_closure(
    principal: Principal, slug: str, starts_on: date, ends_on: date | None, kind: str, reason: str, on_conflict: str | None = None, cancel_reason: str = "",
    zone_id: int | None = None, zone_ids: frozenset[int] = frozenset(),
) -> tuple[int, HoursChange]:
    """Close the branch (or one of its zones, ``zone_ids`` being the branch's) on whole days (a sanitary day,
    holidays, repairs) with a reason readers see."""
    ids, result = await add_closures(principal, slug, [(starts_on, ends_on or starts_on, kind, reason)], on_conflict, cancel_reason, zone_id, zone_ids)
    return ids[0], result


async def add_closures(
    principal: Principal, slug: str, closures: Sequence[tuple[date, date, str, str]], on_conflict: str | None = None, cancel_reason: str = "",
    zone_id: int | None = None, zone_ids: frozenset[int] = frozenset(),
) -> tuple[list[int], HoursChange]:
    """Several closures (``(starts_on, ends_on, kind, reason)``) at once: all or none, one check of what they
    strand (a year of holidays and sanitary days, an import)."""
    await _branch_for_hours(principal, slug)
    _check_on_conflict(on_conflict)
    async with write_transaction(engine_finder()):
        row = await _branch_for_hours(principal, slug)
        today = today_in(ZoneInfo(row["timezone"]))
        for starts_on, ends_on, kind, reason in closures:
            errors = branches_service.closure_errors(starts_on, ends_on, kind, reason, zone_id, set(zone_ids), today)
            if errors:
                raise Invalid(errors=[FieldError("date" if error.field == "starts_on" else error.field, error.message) for error in errors])
        before = await _rows(row["id"], today)
        new = tuple(ClosureRow(starts_on, ends_on, kind, reason.strip()) for starts_on, ends_on, kind, reason in closures)
        after = _Rows(weekly=before.weekly, dates=before.dates, closures={**before.closures, zone_id: before.closures.get(zone_id, ()) + new})
        result = await _settle(principal, row, before, after, on_conflict, cancel_reason or (closures[0][3] if closures else ""))
        now = now_utc()
        made = await Closure.insert(
            *[Closure(branch=row["id"], zone=zone_id, starts_on=item.starts_on, ends_on=item.ends_on, kind=item.kind, reason=item.reason, created_at=now) for item in new]
        ).returning(Closure.id)
        ids = [item["id"] for item in made]
        zone = {"zone_id": zone_id} if zone_id is not None else {}
        await audit.record_many(
            principal, "create", "closure",
            {closure_id: audit.diff(None, {"starts_on": item.starts_on, "ends_on": item.ends_on, "kind": item.kind, "reason": item.reason, **zone}) for closure_id, item in zip(ids, new)},
            branch_id=row["id"],
        )
        await branches_service.changed()
    return ids, result


