"""The branches' administration API: create, edit, deactivate and reactivate a branch; its weekly hours, date
exceptions and closures. Thin handlers: a service call and a mapper. (Reading branches for the public, with
their zones, is the rooms domain's ``BranchApi`` on the same path.)"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, patch, post, put
from litestar.params import FromPath, JSONBody

from src import bounds
from src.accounts.permissions import can_edit_hours
from src.branches import admin
from src.branches import service as branches_service
from src.branches.schemas import (
    BranchAdminOut,
    BranchCreate,
    BranchPatch,
    ClosureIn,
    ClosureOut,
    ExceptionIn,
    ExceptionOut,
    HoursIn,
    HoursOut,
    RemovalIn,
    branch_admin_out,
    exception_out,
    held_out,
    hours_out,
)
from src.exceptions import NotFound
from src.i18n import _
from src.timeutil import today_in
from src.web.guards import requires_admin, requires_staff

Slug = FromPath[bounds.ShortLine]


async def _visible(request: Request, slug: str) -> dict:
    """A branch the caller may see: an active one, or any their staff manage."""
    row = await admin.branch_row(slug)
    if not row["is_active"] and not can_edit_hours(request.user, row["id"]):
        raise NotFound(_("There is no library branch called %(slug)s", slug=slug))
    return row


class BranchAdminApi(Controller):
    path = "/api/v1/branches"
    tags = ["branches"]

    @post("/", summary="Create a branch (administrators)", status_code=201, guards=[requires_admin])
    async def create(self, request: Request, data: JSONBody[BranchCreate]) -> BranchAdminOut:
        await admin.create_branch(request.user, data.values())
        return branch_admin_out(await admin.branch_row(data.slug.strip()))

    @patch("/{slug:str}", summary="Change a branch's fields (administrators); a new slug keeps the old one redirecting", guards=[requires_admin])
    async def update(self, request: Request, slug: Slug, data: JSONBody[BranchPatch]) -> BranchAdminOut:
        return branch_admin_out(await admin.branch_row(await admin.update_branch(request.user, slug, data.values())))

    @post("/{slug:str}/deactivate", summary="Hide a branch from the public and from booking; its history stays", status_code=200, guards=[requires_admin])
    async def deactivate(self, request: Request, slug: Slug) -> BranchAdminOut:
        await admin.set_active(request.user, slug, False)
        return branch_admin_out(await admin.branch_row(slug))

    @post("/{slug:str}/reactivate", summary="Open a deactivated branch again", status_code=200, guards=[requires_admin])
    async def reactivate(self, request: Request, slug: Slug) -> BranchAdminOut:
        await admin.set_active(request.user, slug, True)
        return branch_admin_out(await admin.branch_row(slug))

    @get("/{slug:str}/hours", summary="The weekly opening hours: intervals by day (mon … sun), local time of the branch")
    async def get_hours(self, request: Request, slug: Slug) -> HoursOut:
        await _visible(request, slug)
        return hours_out(await admin.get_weekly(slug))

    @put(
        "/{slug:str}/hours",
        summary="Replace the weekly hours (admins and staff of the branch); 409 with `affected` when bookings, events or visits would fall outside, unless on_conflict is keep or cancel",
        guards=[requires_staff],
    )
    async def put_hours(self, request: Request, slug: Slug, data: JSONBody[HoursIn]) -> HoursOut:
        change = await admin.set_weekly(request.user, slug, data.intervals(), data.on_conflict, data.reason)
        return hours_out(await admin.get_weekly(slug), change)

    @get("/{slug:str}/exceptions", summary="Dates with hours of their own (short days, extra working days), from today on")
    async def list_exceptions(self, request: Request, slug: Slug) -> list[ExceptionOut]:
        row = await _visible(request, slug)
        return [exception_out(view) for view in await admin.list_exceptions(slug, today_in(ZoneInfo(row["timezone"])))]

    @post("/{slug:str}/exceptions", summary="Set one date's hours (empty hours: closed that day); 409 with `affected` as for hours", status_code=201, guards=[requires_staff])
    async def set_exception(self, request: Request, slug: Slug, data: JSONBody[ExceptionIn]) -> ExceptionOut:
        intervals = [item.pair() for item in data.hours]
        change = await admin.set_exception(request.user, slug, data.date, data.reason, intervals, data.on_conflict, data.cancel_reason)
        view = next(view for view in await admin.list_exceptions(slug, data.date) if view.on == data.date)
        return exception_out(view, change)

    @post(
        "/{slug:str}/exceptions/{on:date}/remove",
        summary="The date keeps the weekly hours again; 409 with `affected` when what its own hours held would fall outside, as for hours",
        status_code=200, guards=[requires_staff],
    )
    async def remove_exception(self, request: Request, slug: Slug, on: FromPath[date], data: JSONBody[RemovalIn]) -> HoursOut:
        change = await admin.remove_exception(request.user, slug, on, data.on_conflict, data.reason)
        return hours_out(await admin.get_weekly(slug), change)

    @get("/{slug:str}/closures", summary="Closures (holidays, sanitary days, repairs) that have not ended")
    async def list_closures(self, request: Request, slug: Slug) -> list[ClosureOut]:
        row = await _visible(request, slug)
        today = today_in(ZoneInfo(row["timezone"]))
        return [ClosureOut(view.id, view.starts_on, view.ends_on, view.kind, view.reason) for view in await branches_service.list_closures_of(row["id"], today) if view.zone_id is None]

    @post("/{slug:str}/closures", summary="Close the branch on whole days with a reason; 409 with `affected` as for hours", status_code=201, guards=[requires_staff])
    async def add_closure(self, request: Request, slug: Slug, data: JSONBody[ClosureIn]) -> ClosureOut:
        closure_id, change = await admin.add_closure(request.user, slug, data.date, data.ends_on, data.kind, data.reason, data.on_conflict, data.cancel_reason)
        return ClosureOut(
            closure_id, data.date, data.ends_on or data.date, data.kind, data.reason.strip(), [held_out(item) for item in change.kept], [held_out(item) for item in change.cancelled]
        )

