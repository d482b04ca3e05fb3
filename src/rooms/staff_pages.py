"""Staff pages for zones: a branch's day and week schedule, the approvals queue, internal blocks, closures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_manage_branch, managed_branch_ids
from src.branches import admin as branches_admin
from src.branches import service as branches_service
from src.branches.admin import HoursConflict
from src.branches.pages import affected_items, conflict_values, told
from src.branches.constants import CLOSURE_KINDS
from src.branches.rules import week_start
from src.exceptions import FieldError, Forbidden, Invalid
from src.i18n import _
from src.labels import label
from src.rooms import bookings
from src.rooms import service as rooms_service
from src.rooms.constants import HOLDER_BLOCK, PENDING
from src.rooms.exceptions import BookingClash
from src.rooms.pages import clash_lines, form_errors
from src.rooms.rules import Recurrence
from src.rooms.service import BranchZones
from src.staff import timeline
from src.timeutil import now_utc, today_in
from src.web.forms import Form, back_with_errors, safe_next, take_kept_form
from src.web.guards import requires_staff
from src.web.templating import errors_by_field, flash, page


async def _managed(request: Request, slug: str) -> BranchZones:
    branch = await rooms_service.get_branch(slug)
    if not can_manage_branch(request.user, branch.id):
        raise Forbidden(_("Only staff of this library can see this"))
    return branch


def _midnight(on: date, branch: BranchZones) -> datetime:
    return datetime.combine(on, time(0), tzinfo=branch.tz)


async def _branch_bookings(request: Request, branch: BranchZones, first: date, days: int, **filters) -> list[bookings.BookingView]:
    query = bookings.BookingQuery(branch=branch.slug, start=_midnight(first, branch), end=_midnight(first + timedelta(days=days), branch), **filters)
    views, _total = await bookings.list_bookings(request.user, query, limit=500, offset=0)
    return views


class StaffRoomPages(Controller):
    path = "/staff"
    include_in_schema = False
    guards = [requires_staff]

    @get("/branches/{slug:str}/schedule")
    async def schedule(self, request: Request, slug: FromPath[bounds.Line], day: FromQuery[bounds.Line] = "", view: FromQuery[bounds.Line] = "day") -> Template:
        """Every zone's bookings for a day or a week, with who holds them and what for."""
        branch = await _managed(request, slug)
        on = bounds.parse_date(day) or today_in(branch.tz)
        week = view == "week"
        first = week_start(on) if week else on
        days = [first + timedelta(days=offset) for offset in range(7 if week else 1)]
        views = [view_ for view_ in await _branch_bookings(request, branch, first, len(days)) if view_.active]
        by_zone_day: dict[tuple[int, date], list[bookings.BookingView]] = defaultdict(list)
        for booking in views:
            by_zone_day[(booking.zone_id, booking.starts_at.astimezone(branch.tz).date())].append(booking)
        step = timedelta(days=7 if week else 1)
        timelines = [
            timeline.build(on_day, branch.tz, [(zone, [(b.starts_at, b.ends_at, b) for b in by_zone_day.get((zone.id, on_day), [])]) for zone in branch.zones], branch.schedule.day(on_day).intervals)
            for on_day in days
        ] if week else []
        return page(
            request,
            "rooms/staff_schedule.html",
            timelines=timelines,
            branch=branch,
            days=days,
            week=week,
            by_zone_day=by_zone_day,
            previous=first - step,
            next=first + step,
            zones=await rooms_service.zone_index(),
            now=now_utc(),
        )

    @get("/approvals")
    async def approvals(self, request: Request) -> Template:
        return await self._approvals(request)

    async def _approvals(self, request: Request, failed: int | None = None, errors: list[FieldError] | None = None, status_code: int = 200) -> Template:
        branches = await rooms_service.list_branches()
        managed = managed_branch_ids(request.user, {branch.id for branch in branches})
        pending: list[bookings.BookingView] = []
        for branch in branches:
            if branch.id in managed and branch.zones:
                views, _total = await bookings.list_bookings(request.user, bookings.BookingQuery(branch=branch.slug, start=now_utc(), status=PENDING), limit=500, offset=0)
                pending += views
        return page(
            request,
            "rooms/approvals.html",
            status_code=status_code,
            pending=sorted(pending, key=lambda booking: booking.starts_at),
            branches=[branch for branch in branches if branch.id in managed],
            zones=await rooms_service.zone_index(),
            failed=failed,
            errors=errors_by_field(errors or []),
            error_list=errors or [],
            now=now_utc(),
        )

    @post("/bookings/{booking_id:int}/approve")
    async def approve(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        changed = await bookings.approve(request.user, booking_id, rest=form.data.get("scope") == "rest")
        flash(request, _("Confirmed: %(n)s bookings.", n=len(changed)))
        return Redirect(path=safe_next(form.data.get("next"), "/staff/approvals"), status_code=303)

    # --- internal blocks ------------------------------------------------------------------------------

    async def _blocks_page(self, request: Request, branch: BranchZones, values: dict) -> Template:
        upcoming = [view for view in await _branch_bookings(request, branch, today_in(branch.tz), 120) if view.holder_kind == HOLDER_BLOCK and view.active]
        return page(request, "rooms/blocks.html", branch=branch, blocks=upcoming, zones=await rooms_service.zone_index(), values=values, errors={}, error_list=[], conflicts=[], now=now_utc())

    @get("/branches/{slug:str}/blocks")
    async def blocks(self, request: Request, slug: FromPath[bounds.Line]) -> Template:
        branch = await _managed(request, slug)
        return await self._blocks_page(request, branch, {"date": today_in(branch.tz).isoformat()})

    @post("/branches/{slug:str}/blocks")
    async def add_block(self, request: Request, slug: FromPath[bounds.Line]) -> Redirect:
        """Block a zone (maintenance, set-up) for one day or each day up to a last date."""
        branch = await _managed(request, slug)
        form = await Form.read(request)
        zone_id = form.int("zone_id")
        on = form.date("date", window=bounds.SCHEDULE)
        until = form.date("until", required=False, window=bounds.SCHEDULE)
        start, end = form.time("start"), form.time("end")
        reason = form.str("reason", 300)
        if zone_id is not None and zone_id not in {zone.id for zone in branch.zones}:
            form.errors.append(FieldError("zone_id", _("This zone is not in this library")))
        back = f"/staff/branches/{branch.slug}/blocks"
        if form.errors:
            return back_with_errors(request, form.errors, form.data, to=back)
        request_ = bookings.BookingRequest(
            zone_id=zone_id,
            starts_at=datetime.combine(on, start, tzinfo=branch.tz),
            ends_at=datetime.combine(on, end, tzinfo=branch.tz),
            purpose=reason,
            headcount=0,
            recurrence=Recurrence(freq="daily", until=until) if until and until > on else None,
            skip_conflicts=form.bool("skip_conflicts"),
            block=True,
            override_hours=form.bool("override_hours"),
        )
        try:
            result = await bookings.book(request.user, request_)
        except BookingClash as clash:
            return back_with_errors(request, [FieldError("start", clash.detail)], form.data, to=back, extra=clash_lines(clash, branch.tz))
        except Invalid as invalid:
            return back_with_errors(request, form_errors(invalid.errors, {"purpose": "reason"}) or [FieldError("start", invalid.detail)], form.data, to=back)
        flash(request, _("Blocked: %(n)s days.", n=len(result.bookings)) + ("" if not result.skipped else " " + _("Skipped: %(n)s.", n=len(result.skipped))))
        return Redirect(path=f"/staff/branches/{branch.slug}/blocks", status_code=303)

    # --- closures -------------------------------------------------------------------------------------

    @get("/branches/{slug:str}/closures")
    async def closures(self, request: Request, slug: FromPath[bounds.Line]) -> Template:
        branch = await _managed(request, slug)
        kept, errors = take_kept_form(request) or ({}, [])
        values = {"kind": "sanitary", **kept}
        closures = await branches_service.list_closures(branch, today_in(branch.tz))
        return page(
            request, "rooms/closures.html", branch=branch, closures=closures, kinds=CLOSURE_KINDS, values=values, affected=affected_items(values),
            errors=errors_by_field(errors), error_list=errors,
        )

    @post("/branches/{slug:str}/closures")
    async def add_closure(self, request: Request, slug: FromPath[bounds.Line]) -> Redirect:
        """A closure that would strand bookings, events, visits or consultations comes back listing them, to keep
        as exceptions or cancel with a message to each person (as the hours page)."""
        branch = await _managed(request, slug)
        form = await Form.read(request)
        starts_on = form.date("starts_on", window=bounds.SCHEDULE)
        ends_on = form.date("ends_on", required=False, window=bounds.SCHEDULE) or starts_on
        zone_id = form.int("zone_id", required=False)
        back = f"/staff/branches/{branch.slug}/closures"
        if form.errors:
            return back_with_errors(request, form.errors, form.data, to=back)
        try:
            _id, change = await branches_admin.add_closure(
                request.user, branch.slug, starts_on, ends_on, form.str("kind", 20), form.str("reason", 300), form.str("on_conflict", 10) or None,
                form.str("cancel_reason", 300), zone_id=zone_id, zone_ids=frozenset(zone.id for zone in branch.zones),
            )
        except HoursConflict as conflict:
            return back_with_errors(request, conflict.errors, conflict_values(conflict, form), to=back)
        except Invalid as invalid:
            return back_with_errors(request, [FieldError("starts_on" if error.field == "date" else error.field, error.message) for error in invalid.errors], form.data, to=back)
        flash(request, _("The closure is saved: %(kind)s, %(reason)s.", kind=label(form.data.get("kind", "")), reason=form.data.get("reason", "")) + told(change))
        return Redirect(path=back, status_code=303)

