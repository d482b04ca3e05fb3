"""Pages for staff and roles (admins; branch heads for their branches): the list, an invitation by e-mail, and a
person's role, branches, headship and activity. Server-rendered, without JavaScript."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import staff_admin
from src.accounts.permissions import can_see_staff_list
from src.branches import admin as branches_admin
from src.exceptions import Conflict, Forbidden, Invalid
from src.i18n import _
from src.labels import label
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_staff
from src.web.templating import flash, page

BASE = "/staff/network/staff"


async def _choices(request: Request) -> list[dict]:
    """The branches the person may assign: all (admins) or those they head."""
    rows = await branches_admin.list_all()
    user = request.user
    return [row for row in rows if user.is_admin or row["id"] in user.head_branch_ids]


def _roles(request: Request, person: staff_admin.StaffView | None = None) -> list[tuple[str, str]]:
    """The roles the person may give; a head looking at a counsellor only gives them a branch (the role stays)."""
    codes = staff_admin.STAFF_SIDE if request.user.is_admin else ("counsellor",) if person and person.role == "counsellor" else ("staff",)
    return [(code, label(code)) for code in codes]


def _assignment(form: Form, branches: list[dict]) -> tuple[list[str], list[str]]:
    chosen = [row["slug"] for row in branches if form.bool(f"branch_{row['slug']}")]
    heads = [row["slug"] for row in branches if form.bool(f"head_{row['slug']}")]
    return chosen, heads


class StaffAdminPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def list_staff(self, request: Request) -> Template:
        if not can_see_staff_list(request.user):
            raise Forbidden(_("Only administrators and branch heads manage staff"))
        views, _total = await staff_admin.list_staff(request.user, 500, 0)
        return page(request, "accounts/staff_list.html", people=views, branches=await _choices(request), roles=_roles(request), values={"role": "staff"}, errors={}, error_list=[])

    @post("/")
    async def invite(self, request: Request) -> Redirect:
        form = await Form.read(request)
        branches, heads = _assignment(form, await _choices(request))
        try:
            view = await staff_admin.invite(request.user, form.str("email", 254), form.str("full_name", 200), form.str("role", 16), branches, heads)
        except (Invalid, Conflict) as error:
            return back_with_errors(request, error.errors, form.data)
        flash(request, _("The invitation is on its way to %(email)s.", email=view.email))
        return Redirect(path=BASE, status_code=303)

    @get("/{account_id:int}")
    async def person(self, request: Request, account_id: FromPath[bounds.Id]) -> Template:
        if not can_see_staff_list(request.user):
            raise Forbidden(_("Only administrators and branch heads manage staff"))
        view = await staff_admin.get_staff(account_id)
        values = {"full_name": view.full_name, "role": view.role, "is_active": "on" if view.is_active else ""}
        values |= {f"branch_{slug}": "on" for slug in view.branches} | {f"head_{slug}": "on" for slug in view.heads}
        return page(request, "accounts/staff_person.html", person=view, branches=await _choices(request), roles=_roles(request, view), values=values, errors={}, error_list=[])

    @post("/{account_id:int}")
    async def update(self, request: Request, account_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        before = await staff_admin.get_staff(account_id)
        choices = await _choices(request)
        mine = {row["slug"] for row in choices}
        branches, heads = _assignment(form, choices)
        # branches the editor cannot see stay as they are
        branches += [slug for slug in before.branches if slug not in mine]
        heads += [slug for slug in before.heads if slug not in mine]
        changes = {"full_name": form.str("full_name", 200), "role": form.str("role", 16) or before.role, "branches": branches, "heads": heads, "is_active": form.bool("is_active")}
        try:
            await staff_admin.update(request.user, account_id, changes)
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("Saved."))
        return Redirect(path=f"{BASE}/{account_id}", status_code=303)
