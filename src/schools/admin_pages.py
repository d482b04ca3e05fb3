"""A school's page for library staff: edit it, merge a duplicate into the school it repeats (teachers, invitations
and visits move over), deactivate or reactivate it. Server-rendered, without JavaScript."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_manage_branch, can_manage_schools
from src.branches import admin as branches_admin
from src.exceptions import Forbidden, Invalid
from src.i18n import _, weekday_name
from src.labels import label
from src.rooms import zones_admin
from src.schools import admin as schools_admin
from src.schools import programmes
from src.schools import teachers as teachers_service
from src.schools.admin import SCHOOL_FIELDS
from src.schools.constants import TOPICS
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


HOURS_A_DAY = 2  # rows of the programme's hours per weekday on the form
NUMBERS = ("duration_minutes", "grade_min", "grade_max", "group_min", "group_max", "lead_days")


async def _managed_branches(request: Request) -> list[dict]:
    """The branches the person may offer a programme in: all (admins) or those they are staff of."""
    return [row for row in await branches_admin.list_all() if can_manage_branch(request.user, row["id"])]


def _programme_values(data: programmes.ProgrammeInput) -> dict[str, Any]:
    values: dict[str, Any] = {"title": data.title, "description": data.description, "topic": data.topic} | {name: getattr(data, name) for name in NUMBERS}
    values |= {f"branch_{slug}": "on" for slug in data.branches} | {f"kind_{code}": "on" for code in data.zone_kinds}
    seen: dict[int, int] = {}
    for weekday, starts, ends in data.hours:
        index = seen.get(weekday, 0)
        seen[weekday] = index + 1
        if index < HOURS_A_DAY:
            values[f"h{weekday}_{index}_starts"], values[f"h{weekday}_{index}_ends"] = f"{starts:%H:%M}", f"{ends:%H:%M}"
    return values


def _programme_input(form: Form, branches: list[dict], kinds: dict[str, str], kept_branches: list[str]) -> programmes.ProgrammeInput:
    """The form as the service's input; ``kept_branches``: the programme's branches the editor does not manage."""
    hours = []
    for weekday in range(7):
        for index in range(HOURS_A_DAY):
            starts_name, ends_name = f"h{weekday}_{index}_starts", f"h{weekday}_{index}_ends"
            if form.data.get(starts_name) or form.data.get(ends_name):
                starts, ends = form.time(starts_name), form.time(ends_name)
                if starts and ends:
                    hours.append((weekday, starts, ends))
    numbers = {name: form.int(name, minimum=0, maximum=1000) or 0 for name in NUMBERS}
    return programmes.ProgrammeInput(
        title=form.str("title", 200), description=form.text("description", 5000), topic=form.str("topic", 32), **numbers,
        branches=[row["slug"] for row in branches if form.bool(f"branch_{row['slug']}")] + kept_branches,
        zone_kinds=[code for code in kinds if form.bool(f"kind_{code}")], hours=hours,
    )


class ProgrammeAdminPages(Controller):
    """The programmes of every branch, active or not: staff of a programme's branches add one, edit its content
    (title, description, topic, grades, group size, duration, lead time, zone kinds, branches, weekly hours), take
    it out of the catalogue or offer it again."""

    path = "/staff/network/programmes"
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def programmes(self, request: Request) -> Template:
        rows = await Programme.select(Programme.id, Programme.title, Programme.topic, Programme.is_active).order_by(Programme.title)
        return page(request, "schools/programme_admin.html", programmes=rows, can_add=bool(await _managed_branches(request)))

    async def _form(self, request: Request, programme: dict | None, values: dict[str, Any]) -> Template:
        return page(
            request, "schools/programme_form.html", programme=programme, values=values, errors={}, error_list=[],
            topics=[(code, label(code)) for code in TOPICS], branches=await _managed_branches(request), kinds=list((await zones_admin.kinds()).items()),
            weekdays=[(index, weekday_name(index)) for index in range(7)], slots=range(HOURS_A_DAY),
        )

    @get("/new")
    async def new(self, request: Request) -> Template:
        defaults = programmes.ProgrammeInput("", "", "", 60, 1, 11, 5, 30, 7, [], [], [])
        return await self._form(request, None, _programme_values(defaults))

    @post("/new")
    async def create(self, request: Request) -> Redirect:
        form = await Form.read(request)
        data = _programme_input(form, await _managed_branches(request), await zones_admin.kinds(), [])
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            programme_id = await programmes.create_programme(request.user, data)
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("The programme is in the catalogue."))
        return Redirect(path=f"/staff/network/programmes/{programme_id}", status_code=303)

    @get("/{programme_id:int}")
    async def edit(self, request: Request, programme_id: FromPath[bounds.Id]) -> Template:
        row, data = await schools_admin.programme_view(programme_id)
        return await self._form(request, row, _programme_values(data))

    @post("/{programme_id:int}")
    async def save(self, request: Request, programme_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        _row, before = await schools_admin.programme_view(programme_id)
        mine = await _managed_branches(request)
        kept = [slug for slug in before.branches if slug not in {row["slug"] for row in mine}]  # branches the editor cannot see stay
        data = _programme_input(form, mine, {**await zones_admin.kinds(), **{code: code for code in before.zone_kinds}}, kept)
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            await schools_admin.update_programme(request.user, programme_id, asdict(data))
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("Saved."))
        return Redirect(path=f"/staff/network/programmes/{programme_id}", status_code=303)

    @post("/{programme_id:int}/active")
    async def set_active(self, request: Request, programme_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        await schools_admin.update_programme(request.user, programme_id, {"is_active": form.bool("is_active")})
        flash(request, _("Saved."))
        return Redirect(path="/staff/network/programmes", status_code=303)
