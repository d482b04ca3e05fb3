"""Schools, programmes and visits API. Thin handlers: a service call and a mapper."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from src import bounds
from src.branches import service as branches_service
from src.pagination import Page, PageNumber, PageSize, offset, paginate
from src.schools import admin as schools_admin
from src.schools import programmes as programmes_service
from src.schools.admin_schemas import ProgrammeAdminOut, ProgrammeIn, ProgrammePatch, SchoolIn, SchoolPatch, programme_admin_out
from src.schools import service as visits
from src.schools import teachers as teachers_service
from src.schools.rules import Window
from src.schools.schemas import (
    ProgrammeOut,
    SchoolOut,
    SuggestionOut,
    VisitConfirm,
    VisitCreate,
    VisitOut,
    VisitPropose,
    VisitReason,
    programme_out,
    school_out,
    suggestion_out,
    visit_out,
)
from src.web.guards import requires_login, requires_staff


class SchoolApi(Controller):
    path = "/api/v1/schools"
    tags = ["schools"]
    guards = [requires_staff]

    @get("/", summary="The city's schools (library staff), each with its slug")
    async def list_schools(self, page: PageNumber = 1, page_size: PageSize = 50) -> Page[SchoolOut]:
        return paginate([school_out(school) for school in await teachers_service.list_schools()], page, page_size)

    @post("/", summary="Add a school (library staff)", status_code=201)
    async def create_school(self, request: Request, data: JSONBody[SchoolIn]) -> SchoolOut:
        return school_out(await teachers_service.create_school(request.user, teachers_service.SchoolInput(**msgspec.structs.asdict(data))))

    @patch("/{slug:str}", summary="Edit a school, deactivate it (is_active false; teachers stay attached), or merge a duplicate (merge_into)")
    async def update_school(self, request: Request, slug: FromPath[bounds.ShortLine], data: JSONBody[SchoolPatch]) -> SchoolOut:
        merge_into = data.merge_into if data.merge_into is not msgspec.UNSET else None
        kept = await schools_admin.update_school(request.user, slug, data.values(), merge_into)
        return school_out(await teachers_service.school_by_id((await schools_admin.school_row(kept))["id"]))


class ProgrammeApi(Controller):
    path = "/api/v1/programmes"
    tags = ["programmes"]

    @get("/", summary="Group-visit programmes: filter by grade, branch (slug) and topic")
    async def list_programmes(
        self,
        grade: Annotated[int | None, QueryParameter(ge=1, le=11)] = None,
        branch: FromQuery[bounds.OptionalLine] = None,
        topic: FromQuery[bounds.OptionalLine] = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[ProgrammeOut]:
        branches = {b.id: b for b in await branches_service.list_branches()}
        found = await programmes_service.catalogue(grade, branch, topic)
        return paginate([programme_out(programme, branches) for programme in found], page, page_size)

    @post("/", summary="Add a programme for branches the caller manages (staff)", status_code=201, guards=[requires_staff])
    async def create_programme(self, request: Request, data: JSONBody[ProgrammeIn]) -> ProgrammeAdminOut:
        programme_id = await programmes_service.create_programme(request.user, data.to_input())
        return programme_admin_out(*await schools_admin.programme_view(programme_id))

    @patch("/{programme_id:int}", summary="Edit a programme or deactivate it (is_active false; its visits stay) (staff of its branches)", guards=[requires_staff])
    async def update_programme(self, request: Request, programme_id: FromPath[bounds.Id], data: JSONBody[ProgrammePatch]) -> ProgrammeAdminOut:
        await schools_admin.update_programme(request.user, programme_id, data.values())
        return programme_admin_out(*await schools_admin.programme_view(programme_id))

    @get("/{programme_id:int}", summary="One programme")
    async def get_programme(self, programme_id: FromPath[bounds.Id]) -> ProgrammeOut:
        branches = {b.id: b for b in await branches_service.list_branches()}
        return programme_out(await programmes_service.get_programme(programme_id), branches)


class VisitApi(Controller):
    path = "/api/v1/visits"
    tags = ["visits"]
    guards = [requires_login]

    @post("/", summary="Request a visit for a class of the teacher's school", status_code=201)
    async def create(self, request: Request, data: JSONBody[VisitCreate]) -> VisitOut:
        visit = await visits.request_visit(
            request.user,
            visits.VisitInput(
                programme_id=data.programme_id,
                branch=data.branch,
                windows=[Window(w.starts_at, w.ends_at) for w in data.windows],
                class_name=data.class_name,
                grade=data.grade,
                group_size=data.group_size,
                adults=data.adults,
                needs=data.needs,
                note=data.note,
            ),
        )
        return visit_out(visit)

    @get("/", summary="Visits: a teacher's school's, or those to the staff member's branches")
    async def list_visits(
        self,
        request: Request,
        status: Annotated[list[bounds.line(32)] | None, QueryParameter(max_items=10, description="Repeat for several")] = None,
        branch: FromQuery[bounds.OptionalLine] = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[VisitOut]:
        query = visits.VisitQuery(statuses=list(status or []), branch=branch)
        items, total = await visits.list_visits(request.user, query, page_size, offset(page, page_size))
        return Page(items=[visit_out(item) for item in items], total=total, page=page, page_size=page_size)

    @get("/{visit_id:int}", summary="One visit with its windows and history")
    async def get_visit(self, request: Request, visit_id: FromPath[bounds.Id]) -> VisitOut:
        return visit_out(await visits.get_visit(request.user, visit_id))

    @get("/{visit_id:int}/suggestions", summary="Free zones and times for an open request (staff of the branch)")
    async def suggestions(self, request: Request, visit_id: FromPath[bounds.Id]) -> list[SuggestionOut]:
        branch, found = await visits.suggestions(request.user, visit_id)
        return [suggestion_out(item, branch) for item in found]

    @post("/{visit_id:int}/confirm", summary="Confirm into a zone at a time (staff); books the zone, a clash is 409", status_code=200)
    async def confirm(self, request: Request, visit_id: FromPath[bounds.Id], data: JSONBody[VisitConfirm]) -> VisitOut:
        return visit_out(await visits.confirm(request.user, visit_id, data.zone_id, data.starts_at))

    @post("/{visit_id:int}/propose", summary="Propose another time, and optionally the zone (staff)", status_code=200)
    async def propose(self, request: Request, visit_id: FromPath[bounds.Id], data: JSONBody[VisitPropose]) -> VisitOut:
        return visit_out(await visits.propose(request.user, visit_id, data.starts_at, data.zone_id, data.note))

    @post("/{visit_id:int}/accept", summary="Accept the proposed time (the school)", status_code=200)
    async def accept(self, request: Request, visit_id: FromPath[bounds.Id]) -> VisitOut:
        return visit_out(await visits.accept(request.user, visit_id))

    @post("/{visit_id:int}/decline", summary="Decline: staff with a reason, or the school a proposed time", status_code=200)
    async def decline(self, request: Request, visit_id: FromPath[bounds.Id], data: JSONBody[VisitReason | None] = None) -> VisitOut:
        return visit_out(await visits.decline(request.user, visit_id, data.reason if data else ""))

    @post("/{visit_id:int}/cancel", summary="Cancel the visit (the school; staff with a reason)", status_code=200)
    async def cancel(self, request: Request, visit_id: FromPath[bounds.Id], data: JSONBody[VisitReason | None] = None) -> VisitOut:
        return visit_out(await visits.cancel(request.user, visit_id, data.reason if data else ""))
