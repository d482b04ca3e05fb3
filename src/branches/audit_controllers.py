"""The audit log API: ``GET /api/v1/audit`` with filters and pages (admins; branch heads their branches)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery

from src import bounds
from src.audit import service as audit_service
from src.branches import audit_log
from src.pagination import Page, PageNumber, PageSize, offset
from src.web.guards import requires_login


class ActorOut(msgspec.Struct):
    id: int | None
    role: str
    name: str


class AuditEntryOut(msgspec.Struct):
    id: int
    at: datetime
    actor: ActorOut
    action: str
    object_kind: str
    object_id: int | None
    branch: str | None
    changes: dict[str, Any]


def entry_out(entry: audit_service.Entry, slugs: dict[int, str]) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id, at=entry.at, actor=ActorOut(entry.actor_id, entry.actor_role, entry.actor_name), action=entry.action,
        object_kind=entry.object_kind, object_id=entry.object_id, branch=slugs.get(entry.branch_id) if entry.branch_id else None, changes=entry.changes,
    )


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [requires_login]

    @get("/", summary="The audit log, newest first: who changed what, when, and the fields before and after (admins; branch heads their branches)")
    async def list_entries(
        self,
        request: Request,
        branch: FromQuery[bounds.optional_line(64, description="A branch's slug")] = None,
        actor: FromQuery[bounds.optional_line(200, description="An account number, or words of the person's name as it was then")] = None,
        object: FromQuery[bounds.optional_line(45, description="kind:id such as zone:12, or a kind alone")] = None,
        start: FromQuery[bounds.OptionalFilterDate] = None,
        end: FromQuery[bounds.OptionalFilterDate] = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[AuditEntryOut]:
        bounds.check(start, bounds.FILTER, "start")
        bounds.check(end, bounds.FILTER, "end")
        filters = await audit_log.filters(request.user, audit_log.Query(branch, actor, object, start, end))
        entries, total = await audit_service.entries(filters, page_size, offset(page, page_size))
        slugs = await audit_log.branch_slugs()
        return Page(items=[entry_out(entry, slugs) for entry in entries], total=total, page=page, page_size=page_size)
