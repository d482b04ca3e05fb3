"""A school's page for library staff: edit it, merge a duplicate into the school it repeats (teachers, invitations
and visits move over), deactivate or reactivate it. Server-rendered, without JavaScript."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_manage_schools
from src.exceptions import Forbidden, Invalid
from src.i18n import _
from src.schools import admin as schools_admin
from src.schools import teachers as teachers_service
from src.schools.admin import SCHOOL_FIELDS
from src.schools.tables import Programme
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_staff
from src.web.templating import flash, page

BASE = "/staff/network/schools"


class SchoolAdminPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [requires_staff]

    @get("/{slug:str}")
    async def school(self, request: Request, slug: FromPath[bounds.ShortLine]) -> Template:
        if not can_manage_schools(request.user):
            raise Forbidden(_("This is for library staff"))
        row = await schools_admin.school_row(slug)
        values = {name: row[name] for name in SCHOOL_FIELDS if name != "is_active"} | {"is_active": "on" if row["is_active"] else ""}
        others = [(school.slug, school.name) for school in await teachers_service.list_schools() if school.slug != slug]
        return page(request, "schools/school_edit.html", school=row, values=values, errors={}, error_list=[], others=others)

    @post("/{slug:str}")
    async def save(self, request: Request, slug: FromPath[bounds.ShortLine]) -> Redirect:
        form = await Form.read(request)
        changes = {name: form.str(name, 300) for name in SCHOOL_FIELDS if name != "is_active"} | {"is_active": form.bool("is_active")}
        merge_into = form.str("merge_into", 64) or None
        try:
            kept = await schools_admin.update_school(request.user, slug, {} if merge_into else changes, merge_into)
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("Merged: its teachers and visits now belong to this school.") if merge_into else _("Saved."))
        return Redirect(path=f"{BASE}/{kept}", status_code=303)


class ProgrammeAdminPages(Controller):
    """The programmes of every branch, active or not: staff of a programme's branches take it out of the
    catalogue or offer it again (editing its content: PATCH /api/v1/programmes/{id})."""

    path = "/staff/network/programmes"
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def programmes(self, request: Request) -> Template:
        rows = await Programme.select(Programme.id, Programme.title, Programme.topic, Programme.is_active).order_by(Programme.title)
        return page(request, "schools/programme_admin.html", programmes=rows)

    @post("/{programme_id:int}/active")
    async def set_active(self, request: Request, programme_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        await schools_admin.update_programme(request.user, programme_id, {"is_active": form.bool("is_active")})
        flash(request, _("Saved."))
        return Redirect(path="/staff/network/programmes", status_code=303)
