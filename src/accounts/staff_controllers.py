"""Staff and roles API: the staff list, invitations, and changes of role, branches and activity (admins; branch
heads for their branches). Thin handlers."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from src import bounds
from src.accounts import staff_admin
from src.pagination import Page, PageNumber, PageSize, offset
from src.web.guards import requires_staff

Slugs = bounds.items(bounds.line(64), 50, description="Branch slugs")
Role = bounds.line(16, 1, description="admin, staff or counsellor")


class StaffInvite(bounds.Input):
    email: bounds.line(254, 1)
    full_name: bounds.line(200, 1)
    role: Role = "staff"
    branches: Slugs = []
    heads: Slugs = []


class StaffPatch(bounds.Input):
    full_name: bounds.line(200, 1) | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    branches: Slugs | msgspec.UnsetType = msgspec.UNSET
    heads: Slugs | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not msgspec.UNSET}


class StaffOut(msgspec.Struct):
    id: int
    email: str | None
    full_name: str
    role: str
    is_active: bool
    branches: list[str]
    heads: list[str]
    invited: bool


def staff_out(view: staff_admin.StaffView) -> StaffOut:
    return StaffOut(**{name: getattr(view, name) for name in StaffOut.__struct_fields__})


class StaffApi(Controller):
    path = "/api/v1/staff"
    tags = ["staff"]
    guards = [requires_staff]

    @get("/", summary="Staff accounts with their role and branches (admins: all; branch heads: their branches')")
    async def list_staff(self, request: Request, page: PageNumber = 1, page_size: PageSize = 50) -> Page[StaffOut]:
        views, total = await staff_admin.list_staff(request.user, page_size, offset(page, page_size))
        return Page(items=[staff_out(view) for view in views], total=total, page=page, page_size=page_size)

    @post("/", summary="Invite a person by e-mail: they set their own password through a one-time link", status_code=201)
    async def invite(self, request: Request, data: JSONBody[StaffInvite]) -> StaffOut:
        return staff_out(await staff_admin.invite(request.user, data.email, data.full_name, data.role, data.branches, data.heads))

    @patch("/{account_id:int}", summary="Change role, branches, heads or name; is_active false ends every session and token at once")
    async def update(self, request: Request, account_id: FromPath[bounds.Id], data: JSONBody[StaffPatch]) -> StaffOut:
        return staff_out(await staff_admin.update(request.user, account_id, data.values()))
