"""Visit requests, from the teacher's request to the confirmed zone booking. Raises src.exceptions errors.

Every change is one write transaction: it moves the status with a compare-and-set (so two people acting on one
visit at once cannot both win), applies the rules, holds or releases the zone through the rooms booking service
in the same transaction (a clash rolls everything back and is a 409), records the history and enqueues the
notification for the other side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo as TimeZone

from piccolo.engine import engine_finder

from src import audit
from src.accounts.permissions import Principal, can_request_visits, can_view_visit, managed_branch_ids, visit_side
from src.accounts.tables import StaffBranch
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.notifications import service as notifications
from src.branches import occupancy
from src.rooms import bookings as rooms_bookings  # noqa: F401 - registers the kinds of held time first (occupancy)
from src.rooms import rules as rooms_rules
from src.rooms import service as rooms_service
from src.rooms.service import BranchZones, ZoneInfo
from src.schools import messages as visit_messages
from src.schools import programmes as programmes_service
from src.schools import rules, zones
from src.schools.constants import CANCELLED, CONFIRMED, DECLINED, OPEN_STATUSES, PROPOSED, REQUESTED, SEARCH_DAYS_AFTER, VISIT_STATUSES
from src.schools.programmes import ProgrammeInfo
from src.schools.rules import Suggestion, Window
from src.schools.tables import School, Teacher, VisitRequest, VisitStatusChange, VisitWindow
from src.timeutil import aware, now_utc

LIBRARY, SCHOOL = "library", "school"


@dataclass(frozen=True, slots=True)
class HistoryItem:
    from_status: str
    to_status: str
    changed_at: datetime
    changed_by: str
    note: str


@dataclass(frozen=True, slots=True)
class VisitView:
    id: int
    status: str
    school_id: int
    school_slug: str
    school_name: str
    programme_id: int
    programme_title: str
    branch_id: int
    branch_slug: str
    branch_name: str
    timezone: str
    requested_by: str
    class_name: str
    grade: int
    group_size: int
    adults: int
    needs: str
    note: str
    zone_id: int | None
    zone_name: str
    starts_at: datetime | None
    ends_at: datetime | None
    booking_id: int | None
    decline_reason: str
    created_at: datetime
    updated_at: datetime
    windows: tuple[Window, ...] = ()
    history: tuple[HistoryItem, ...] = ()

    @property
    def headcount(self) -> int:
        return self.group_size + self.adults

    @property
    def tz(self) -> TimeZone:
        return TimeZone(self.timezone)

    @property
    def is_past(self) -> bool:
        return self.ends_at is not None and self.ends_at <= now_utc()


@dataclass
class VisitInput:
    programme_id: int
    branch: str  # slug
    windows: list[Window]
    class_name: str
    grade: int
    group_size: int
    adults: int
    needs: str = ""
    note: str = ""


def _tx():
    return write_transaction(engine_finder())


# --- reading -----------------------------------------------------------------------------------------------

_COLUMNS = (
    VisitRequest.all_columns(),
    VisitRequest.school.slug,
    VisitRequest.school.name,
    VisitRequest.programme.title,
    VisitRequest.branch.slug,
    VisitRequest.branch.name,
    VisitRequest.branch.timezone,
    VisitRequest.zone.name,
    VisitRequest.requested_by.full_name,
)


def _when(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def in_zone(value: datetime, tz: TimeZone) -> datetime:
    """An instant from a client: with an offset as given, without one in the branch's local time."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _view(row: dict, windows: Sequence[Window] = (), history: Sequence[HistoryItem] = ()) -> VisitView:
    return VisitView(
        id=row["id"],
        status=row["status"],
        school_id=row["school"],
        school_slug=row["school.slug"],
        school_name=row["school.name"],
        programme_id=row["programme"],
        programme_title=row["programme.title"],
        branch_id=row["branch"],
        branch_slug=row["branch.slug"],
        branch_name=row["branch.name"],
        timezone=row["branch.timezone"],
        requested_by=row["requested_by.full_name"] or "",
        class_name=row["class_name"],
        grade=row["grade"],
        group_size=row["group_size"],
        adults=row["adults"],
        needs=row["needs"],
        note=row["note"],
        zone_id=row["zone"],
        zone_name=row["zone.name"] or "",
        starts_at=_when(row["starts_at"]),
        ends_at=_when(row["ends_at"]),
        booking_id=row["booking"],
        decline_reason=row["decline_reason"],
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
        windows=tuple(windows),
        history=tuple(history),
    )


async def _windows(visit_ids: Sequence[int]) -> dict[int, list[Window]]:
    result: dict[int, list[Window]] = {visit_id: [] for visit_id in visit_ids}
    if visit_ids:
        rows = await VisitWindow.select(VisitWindow.visit, VisitWindow.starts_at, VisitWindow.ends_at).where(
            VisitWindow.visit.is_in(list(visit_ids))
        ).order_by(VisitWindow.visit).order_by(VisitWindow.position)
        for row in rows:
            result[row["visit"]].append(Window(aware(row["starts_at"]), aware(row["ends_at"])))
    return result


async def _history(visit_id: int) -> list[HistoryItem]:
    rows = await VisitStatusChange.select(
        VisitStatusChange.from_status, VisitStatusChange.to_status, VisitStatusChange.changed_at, VisitStatusChange.note, VisitStatusChange.changed_by.full_name
    ).where(VisitStatusChange.visit == visit_id).order_by(VisitStatusChange.id)
    return [HistoryItem(r["from_status"], r["to_status"], aware(r["changed_at"]), r["changed_by.full_name"] or "", r["note"]) for r in rows]


async def _load(visit_id: int) -> VisitView:
    row = await VisitRequest.select(*_COLUMNS).where(VisitRequest.id == visit_id).first()
    if row is None:
        raise NotFound(_("There is no such visit"))
    return _view(row, (await _windows([visit_id]))[visit_id])


async def get_visit(principal: Principal, visit_id: int) -> VisitView:
    """The visit with its windows and history, for the school's teachers and the branch's staff."""
    visit = await _load(visit_id)
    if not can_view_visit(principal, visit.school_id, visit.branch_id):
        raise Forbidden(_("This visit belongs to another school"))
    return replace(visit, history=tuple(await _history(visit_id)))


@dataclass
class VisitQuery:
    statuses: list[str] = field(default_factory=list)
    branch: str | None = None
    oldest_first: bool = False


async def list_visits(principal: Principal, query: VisitQuery, limit: int, offset: int) -> tuple[list[VisitView], int]:
    """A teacher sees every visit of their school; staff the visits to their branches; admins all."""
    where = None
    if can_request_visits(principal):
        where = VisitRequest.school == principal.school_id
    elif principal.is_staff:
        branches = await rooms_service.list_branches()
        allowed = managed_branch_ids(principal, {branch.id for branch in branches})
        where = VisitRequest.branch.is_in(sorted(allowed) or [0])
    elif principal.is_teacher:
        raise Forbidden(_("Your registration is waiting for the library's approval"))
    else:
        raise Forbidden(_("This is for teachers and library staff"))
    bad = [status for status in query.statuses if status not in VISIT_STATUSES]
    if bad:
        raise Invalid.one("status", _("Choose from: %(values)s", values=", ".join(VISIT_STATUSES)))
    if query.statuses:
        where &= VisitRequest.status.is_in(query.statuses)
    if query.branch:
        where &= VisitRequest.branch == (await rooms_service.get_branch(query.branch)).id
    total = await VisitRequest.count().where(where)
    order = VisitRequest.id
    rows = await VisitRequest.select(*_COLUMNS).where(where).order_by(order, ascending=query.oldest_first).limit(limit).offset(offset)
    windows = await _windows([row["id"] for row in rows])
    return [_view(row, windows[row["id"]]) for row in rows], total


# --- requesting --------------------------------------------------------------------------------------------


async def _programme_at(programme_id: int, branch_slug: str) -> tuple[ProgrammeInfo | None, BranchZones | None, list[FieldError]]:
    errors: list[FieldError] = []
    programme = branch = None
    try:
        programme = await programmes_service.get_programme(programme_id)
    except NotFound:
        errors.append(FieldError("programme_id", _("There is no such programme")))
    try:
        branch = await rooms_service.get_branch(branch_slug)
    except NotFound:
        errors.append(FieldError("branch", _("Unknown library branch: %(slug)s", slug=branch_slug)))
    if programme and branch and branch.id not in programme.branch_ids:
        errors.append(FieldError("branch", _("This branch does not offer the programme")))
    return programme, branch, errors


async def request_visit(principal: Principal, data: VisitInput) -> VisitView:
    """An approved teacher asks for a visit of one class of their school. All checks first, then one write."""
    if not can_request_visits(principal):
        raise Forbidden(_("Only teachers whose registration the library has approved can request visits"))
    programme, branch, errors = await _programme_at(data.programme_id, data.branch)
    now = now_utc()
    windows: list[Window] = []
    errors += rules.class_name_errors(data.class_name, data.grade)
    if programme is not None and branch is not None:
        errors += rules.grade_errors(programme.rules, data.grade)
        errors += rules.group_errors(programme.rules, data.group_size, data.adults, zones.largest(branch, programme.rules))
        windows = [Window(in_zone(w.starts_at, branch.tz), in_zone(w.ends_at, branch.tz)) for w in data.windows]
        errors += rules.window_errors(windows, programme.rules, branch.schedule, branch.tz, now)
    if len(data.needs) > 1000:
        errors.append(FieldError("needs", _("This is too long (at most %(n)s characters)", n=1000)))
    if len(data.note) > 2000:
        errors.append(FieldError("note", _("This is too long (at most %(n)s characters)", n=2000)))
    if errors:
        raise Invalid(errors=errors)
    assert programme is not None and branch is not None
    async with _tx():
        visit = VisitRequest(
            school=principal.school_id,
            programme=programme.id,
            branch=branch.id,
            requested_by=principal.id,
            class_name=rules.normalize_class_name(data.class_name),
            grade=data.grade,
            group_size=data.group_size,
            adults=data.adults,
            needs=data.needs.strip(),
            note=data.note.strip(),
            status=REQUESTED,
            created_at=now,
            updated_at=now,
        )
        await visit.save()
        await VisitWindow.insert(
            *[VisitWindow(visit=visit.id, position=index, starts_at=w.starts_at, ends_at=w.ends_at) for index, w in enumerate(windows)]
        )
        await _record(visit.id, "", REQUESTED, principal.id, data.note.strip()[:500], now)
        await audit.record(
            principal, "create", "visit", visit.id, branch_id=branch.id,
            changes=audit.diff(None, {"school": principal.school_id, "programme": programme.id, "class_name": visit.class_name, "grade": data.grade,
                                      "group_size": data.group_size, "adults": data.adults, "status": REQUESTED, "windows": [[w.starts_at, w.ends_at] for w in windows]}),
        )
        loaded = await _load(visit.id)
        await _notify(loaded, "requested", SCHOOL)  # the branch's staff
        await _notify(loaded, "received", LIBRARY)  # the teacher who asked: a receipt
    return await get_visit(principal, visit.id)


# --- changing ----------------------------------------------------------------------------------------------

_STATE_MESSAGES = {
    CONFIRMED: "This visit is already confirmed",
    CANCELLED: "This visit has been cancelled",
    DECLINED: "This visit has been declined",
    REQUESTED: "The library has not proposed a time for this visit",
    PROPOSED: "This visit is waiting for the school's answer to a proposed time",
}

Prepare = Callable[[VisitView, str, datetime], Awaitable[tuple[dict[Any, Any], str]]]


async def _change(principal: Principal, visit_id: int, action: str, sides: tuple[str, ...], prepare: Prepare) -> VisitView:
    """The frame of every change: 404, 403, 409 for the wrong status, then ``prepare`` (checks, zone bookings;
    returns the columns to write and a note for the history), then history and notification. One transaction."""
    now = now_utc()
    async with _tx():
        visit = await _load(visit_id)
        side = visit_side(principal, visit.school_id, visit.branch_id)
        if side is None:
            raise Forbidden(_("This visit belongs to another school"))
        if side not in sides:
            raise Forbidden(_("This is for the library staff") if LIBRARY in sides else _("This is for the visiting school"))
        target = rules.next_status(action, visit.status)
        if target is None:
            raise Conflict(_(_STATE_MESSAGES[visit.status]))
        moved = await VisitRequest.update({VisitRequest.status: target, VisitRequest.updated_at: now}).where(
            (VisitRequest.id == visit.id) & (VisitRequest.status == visit.status)
        ).returning(VisitRequest.id)
        if not moved:
            raise Conflict(_("This visit has just been changed by someone else; please reload"))
        columns, note = await prepare(visit, side, now)
        if columns:
            await VisitRequest.update(columns).where(VisitRequest.id == visit.id)
        await _record(visit.id, visit.status, target, principal.id, note, now)
        before = {"status": visit.status, **{column._meta.name: getattr(visit, _VIEW_NAMES.get(column._meta.name, column._meta.name), None) for column in columns}}
        after = {"status": target, **{column._meta.name: value for column, value in columns.items()}}
        await audit.record(principal, action, "visit", visit.id, branch_id=visit.branch_id, changes=audit.diff(before, after))
        await _notify(await _load(visit.id), action, side)
    return await get_visit(principal, visit_id)


_VIEW_NAMES = {"zone": "zone_id", "booking": "booking_id"}  # VisitRequest columns as VisitView names them


async def _zone_of(visit: VisitView, zone_id: int) -> tuple[BranchZones, ZoneInfo]:
    branch = await rooms_service.branch_by_id(visit.branch_id)
    for zone in branch.zones:
        if zone.id == zone_id:
            return branch, zone
    raise Invalid.one("zone_id", _("This is not a zone of %(branch)s", branch=branch.name))


def _check_slot(programme: ProgrammeInfo, zone: ZoneInfo, visit: VisitView, starts_at: datetime, now: datetime) -> None:
    problem = rules.zone_problem(programme.rules, zones.zone_fit(zone), visit.headcount)
    if problem:
        raise Invalid.one("zone_id", problem)
    problem = rules.slot_problem(programme.rules, zone.schedule, visit.tz, starts_at, now)
    if problem:
        raise Invalid.one("starts_at", problem)
    if not rooms_rules.on_grid(starts_at, zone.rules.slot, visit.tz):
        raise Invalid.one("starts_at", _("A visit in this zone starts on its %(n)s-minute grid", n=zone.rules.slot))


def _purpose(visit: VisitView, programme: ProgrammeInfo) -> str:
    return f"{programme.title} — {visit.class_name}, {visit.school_name}"[:300]


async def _hold(visit: VisitView, programme: ProgrammeInfo, zone: ZoneInfo, starts_at: datetime, actor_id: int) -> dict[Any, Any]:
    """Release the zone the visit held (a proposal) and book the new one: the columns to write."""
    await zones.release(visit.booking_id, actor_id, "school visit moved")
    ends_at = starts_at + programme.rules.duration
    booking_id = await zones.hold(zone.id, starts_at, ends_at, visit.id, _purpose(visit, programme), visit.headcount, None, actor_id)
    return {
        VisitRequest.zone: zone.id,
        VisitRequest.starts_at: starts_at,
        VisitRequest.ends_at: ends_at,
        VisitRequest.booking: booking_id,
        VisitRequest.decline_reason: "",
    }


async def confirm(principal: Principal, visit_id: int, zone_id: int, starts_at: datetime) -> VisitView:
    """Staff confirm the visit into a zone at a time inside one of the school's windows (or at the time they
    proposed): the zone booking is made in the same transaction; a clash is a 409."""

    async def prepare(visit: VisitView, side: str, now: datetime) -> tuple[dict[Any, Any], str]:
        programme = await programmes_service.get_programme(visit.programme_id)
        _branch, zone = await _zone_of(visit, zone_id)
        start = in_zone(starts_at, visit.tz)
        _check_slot(programme, zone, visit, start, now)
        at_proposed_time = visit.status == PROPOSED and visit.starts_at == start
        if at_proposed_time and visit.zone_id == zone.id:
            return {}, ""  # the school agreed to the proposal by other means: the zone is already held
        if not at_proposed_time and rules.in_window(visit.windows, start, start + programme.rules.duration) is None:
            raise Invalid.one("starts_at", _("This is outside the school's preferred times: propose it to the school instead"))
        return await _hold(visit, programme, zone, start, principal.id), ""

    return await _change(principal, visit_id, "confirm", (LIBRARY,), prepare)


async def propose(principal: Principal, visit_id: int, starts_at: datetime, zone_id: int | None = None, note: str = "") -> VisitView:
    """Staff propose another time (and zone: without one, the smallest suitable zone free then). The zone is
    held for the visit until the school accepts or declines."""

    async def prepare(visit: VisitView, side: str, now: datetime) -> tuple[dict[Any, Any], str]:
        programme = await programmes_service.get_programme(visit.programme_id)
        start = in_zone(starts_at, visit.tz)
        branch = await rooms_service.branch_by_id(visit.branch_id)
        if zone_id is not None:
            _branch, zone = await _zone_of(visit, zone_id)
        else:
            zone = await _free_zone(visit, branch, programme, start, now)
        _check_slot(programme, zone, visit, start, now)
        return await _hold(visit, programme, zone, start, principal.id), note.strip()[:500]

    if len(note) > 500:
        raise Invalid.one("note", _("This is too long (at most %(n)s characters)", n=500))
    return await _change(principal, visit_id, "propose", (LIBRARY,), prepare)


async def _free_zone(visit: VisitView, branch: BranchZones, programme: ProgrammeInfo, starts_at: datetime, now: datetime) -> ZoneInfo:
    candidates = zones.suitable(branch, programme.rules, visit.headcount)
    if not candidates:
        raise Invalid.one("zone_id", _("This branch has no zone that suits the programme"))
    ends_at = starts_at + programme.rules.duration
    free = await zones.free_time(branch, candidates, starts_at - timedelta(hours=1), ends_at + timedelta(hours=1), now)
    for zone in candidates:
        if any(start <= starts_at and ends_at <= end for start, end in free[zone.id]):
            return zone
    problem = rules.slot_problem(programme.rules, branch.schedule, branch.tz, starts_at, now)
    if problem:
        raise Invalid.one("starts_at", problem)
    raise Conflict(_("No suitable zone is free at that time"))


async def accept(principal: Principal, visit_id: int) -> VisitView:
    """The school accepts the time the library proposed: the visit is confirmed (the zone is already held)."""

    async def prepare(visit: VisitView, side: str, now: datetime) -> tuple[dict[Any, Any], str]:
        if visit.starts_at is None or visit.starts_at <= now:
            raise Conflict(_("The proposed time has passed; ask the library for another"))
        return {}, ""

    return await _change(principal, visit_id, "accept", (SCHOOL,), prepare)


async def decline(principal: Principal, visit_id: int, reason: str = "") -> VisitView:
    """Staff decline a request with a reason; the school declines a proposed time. Any held zone is freed."""
    reason = reason.strip()
    if len(reason) > 500:
        raise Invalid.one("reason", _("This is too long (at most %(n)s characters)", n=500))

    async def prepare(visit: VisitView, side: str, now: datetime) -> tuple[dict[Any, Any], str]:
        if side == LIBRARY and not reason:
            raise Invalid.one("reason", _("Tell the school why the visit is declined"))
        if side == SCHOOL and visit.status != PROPOSED:
            raise Conflict(_("There is no proposed time to decline; cancel the request instead"))
        await zones.release(visit.booking_id, principal.id, "school visit declined")
        columns = {
            VisitRequest.decline_reason: reason,
            VisitRequest.zone: None,
            VisitRequest.starts_at: None,
            VisitRequest.ends_at: None,
            VisitRequest.booking: None,
        }
        return columns, reason

    return await _change(principal, visit_id, "decline", (LIBRARY, SCHOOL), prepare)


async def cancel(principal: Principal, visit_id: int, reason: str = "") -> VisitView:
    """The school cancels its visit, or staff cancel it with a reason; a visit that took place stays."""
    reason = reason.strip()
    if len(reason) > 500:
        raise Invalid.one("reason", _("This is too long (at most %(n)s characters)", n=500))

    async def prepare(visit: VisitView, side: str, now: datetime) -> tuple[dict[Any, Any], str]:
        if visit.status == CONFIRMED and visit.ends_at is not None and visit.ends_at <= now:
            raise Conflict(_("This visit has already taken place"))
        if side == LIBRARY and not reason:
            raise Invalid.one("reason", _("Tell the school why the visit is cancelled"))
        await zones.release(visit.booking_id, principal.id, "school visit cancelled")
        return {VisitRequest.booking: None}, reason

    return await _change(principal, visit_id, "cancel", (LIBRARY, SCHOOL), prepare)


# --- suggestions -------------------------------------------------------------------------------------------


async def suggestions(principal: Principal, visit_id: int, limit: int = rules.SUGGESTIONS) -> tuple[BranchZones, list[Suggestion]]:
    """Free zones and times for an open request (staff of the branch): see rules.suggest."""
    visit = await _load(visit_id)
    if visit_side(principal, visit.school_id, visit.branch_id) != LIBRARY:
        raise Forbidden(_("This is for the library staff"))
    return await rooms_service.branch_by_id(visit.branch_id), await suggest_for(visit, limit)


async def suggest_for(visit: VisitView, limit: int = rules.SUGGESTIONS) -> list[Suggestion]:
    if visit.status not in OPEN_STATUSES or not visit.windows:
        return []
    programme = await programmes_service.get_programme(visit.programme_id)
    branch = await rooms_service.branch_by_id(visit.branch_id)
    now = now_utc()
    candidates = zones.suitable(branch, programme.rules, visit.headcount)
    earliest = max(rules.earliest_start(programme.rules, now), min(w.starts_at for w in visit.windows))
    last = max(w.ends_at for w in visit.windows) + timedelta(days=SEARCH_DAYS_AFTER + 1)
    if not candidates or earliest >= last:
        return []
    free = await zones.free_time(branch, candidates, earliest, last, now)
    return rules.suggest(visit.windows, programme.rules, branch.tz, [zones.zone_fit(z) for z in candidates], free, visit.headcount, now, limit)


# --- history and notifications -----------------------------------------------------------------------------


async def _record(visit_id: int, from_status: str, to_status: str, actor_id: int, note: str, now: datetime) -> None:
    await VisitStatusChange.insert(
        VisitStatusChange(visit=visit_id, from_status=from_status, to_status=to_status, changed_by=actor_id, changed_at=now, note=note[:500])
    )


async def _notify(visit: VisitView, action: str, side: str) -> None:
    """Tell the other side: the branch's staff of what the school did, the school's teacher of what the library did."""
    payload = {
        "visit_id": visit.id,
        "action": action,
        "status": visit.status,
        "programme": visit.programme_title,
        "branch": visit.branch_slug,
        "branch_name": visit.branch_name,
        "school": visit.school_slug,
        "school_name": visit.school_name,
        "class_name": visit.class_name,
        "zone": visit.zone_name,
        "starts_at": visit.starts_at.isoformat() if visit.starts_at else None,
        "ends_at": visit.ends_at.isoformat() if visit.ends_at else None,
        "timezone": visit.timezone,
        "reason": visit.decline_reason,
        "path": f"/schools/visits/{visit.id}",
    }
    kind = visit_messages.KIND_OF_ACTION[action]
    subject = visit_messages.SUBJECTS[kind]
    subject_vars = {"programme": visit.programme_title, "school": visit.school_name, "class_name": visit.class_name}
    cause = f"{visit.id}:{uuid.uuid4().hex[:12]}"
    if side == SCHOOL:
        staff = await StaffBranch.select(StaffBranch.account).where(
            (StaffBranch.branch == visit.branch_id) & (StaffBranch.account.is_active == True)  # noqa: E712
        )
        recipients = sorted({row["account"] for row in staff})
        if not recipients:
            branch = await rooms_service.branch_by_id(visit.branch_id)
            if branch.email:
                await notifications.enqueue_email(kind, branch.email, subject, payload, cause, subject_vars)
            return
    else:
        requester = await VisitRequest.select(VisitRequest.requested_by).where(VisitRequest.id == visit.id).first()
        recipients = [requester["requested_by"]] if requester and requester["requested_by"] else []
        if not recipients:
            teachers = await Teacher.select(Teacher.account).where((Teacher.school == visit.school_id) & (Teacher.status == "approved"))
            recipients = [row["account"] for row in teachers]
        if not recipients:
            school = await School.select(School.contact_email).where(School.id == visit.school_id).first()
            if school and school["contact_email"]:
                await notifications.enqueue_email(kind, school["contact_email"], subject, payload, cause, subject_vars)
            return
    await notifications.enqueue(kind, recipients, subject, payload, cause, subject_vars)


async def _cancel_for_hours(actor: Principal, visit_ids: Sequence[int], reason: str) -> None:
    """An hours change cancels school visits: each as the library would, the school is told why."""
    for visit_id in dict.fromkeys(visit_ids):
        await cancel(actor, visit_id, reason)


occupancy.set_cancel("visit", _cancel_for_hours)
