"""Pages for running the network (admins and staff of a branch): the branches, each branch's card, its weekly
hours, date exceptions, and deactivation. Server-rendered, without JavaScript; a failed post goes back to its
form with the errors (src/web/forms.py), an hours change that strands bookings comes back listing them with the
choice to keep or cancel them."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_administer_network, can_edit_hours, can_read_audit, can_see_staff_list
from src.branches import admin
from src.branches.admin import FIELDS, HoursChange, HoursConflict
from src.branches.constants import DIRECTIONS_LENGTH
from src.branches.rules import WEEKDAY_CODES
from src.exceptions import FieldError, Forbidden, Invalid
from src.i18n import _, weekday_name
from src.timeutil import today_in
from src.web.forms import Form, back_with_errors, take_kept_form
from src.web.guards import requires_staff
from src.web.templating import Confirmation, confirm_page, errors_by_field, flash, page

INTERVALS_A_DAY = 3  # rows of the weekly form per day (a lunch break needs two)
BASE = "/staff/network"
Slug = FromPath[bounds.ShortLine]


def _branch_values(form: Form) -> dict[str, Any]:
    multi_line = {"description": 5000, "accessibility": 5000, "directions": DIRECTIONS_LENGTH}
    values: dict[str, Any] = {name: form.str(name, 500) for name in FIELDS if name not in ("latitude", "longitude", *multi_line) and form.has(name)}
    for name, max_length in multi_line.items():
        if form.has(name):
            values[name] = form.text(name, max_length)
    for name in ("latitude", "longitude"):
        text = form.str(name, 40).replace(",", ".")
        try:
            values[name] = float(text) if text else None
        except ValueError:
            form.errors.append(FieldError(name, _("Enter a number such as 50.27")))
    return values


def weekly_from_form(form: Form) -> dict[str, list[tuple[time, time]]]:
    """``mon_0_opens`` … ``sun_2_closes``: an interval with both times empty is no interval."""
    weekly: dict[str, list[tuple[time, time]]] = {}
    for day in WEEKDAY_CODES:
        for index in range(INTERVALS_A_DAY):
            opens_name, closes_name = f"{day}_{index}_opens", f"{day}_{index}_closes"
            if not form.data.get(opens_name) and not form.data.get(closes_name):
                continue
            opens, closes = form.time(opens_name), form.time(closes_name)
            if opens is not None and closes is not None:
                weekly.setdefault(day, []).append((opens, closes))
    return weekly


def weekly_values(weekly: dict[str, list[tuple[time, time]]]) -> dict[str, str]:
    values = {}
    for day, intervals in weekly.items():
        for index, (opens, closes) in enumerate(intervals[:INTERVALS_A_DAY]):
            values[f"{day}_{index}_opens"], values[f"{day}_{index}_closes"] = f"{opens:%H:%M}", f"{closes:%H:%M}"
    return values


def form_field(error: FieldError) -> str:
    """``weekly.mon[1].opens`` (the service's name) is the form's ``mon_1_opens``."""
    if error.field.startswith("weekly."):
        return error.field[len("weekly."):].replace("[", "_").replace("].", "_")
    if error.field.startswith("hours["):
        return error.field.replace("hours[0].", "")
    return error.field


AFFECTED_SHOWN = 25  # the form keeps at most this many of the stranded items to list (the rest are counted)


def conflict_values(conflict: HoursConflict, form: Form) -> dict[str, Any]:
    """The posted form with what the change would strand, for the form to come back with keep or cancel."""
    items = conflict.extra["affected"]
    return {**form.data, "affected": json.dumps(items[:AFFECTED_SHOWN], ensure_ascii=False), "affected_more": str(max(0, len(items) - AFFECTED_SHOWN))}


def affected_items(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The stranded items a form came back with (see :func:`conflict_values`), their instants as datetimes."""
    try:
        items = json.loads(values.get("affected") or "[]")
    except ValueError:
        return []
    return [{**item, "starts_at": datetime.fromisoformat(item["starts_at"]), "ends_at": datetime.fromisoformat(item["ends_at"])} for item in items]


def told(change: HoursChange) -> str:
    if change.cancelled:
        return " " + _("Cancelled: %(n)s; each person is told why.", n=len(change.cancelled))
    if change.kept:
        return " " + _("Kept outside the hours: %(n)s.", n=len(change.kept))
    return ""


class NetworkPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def home(self, request: Request) -> Template:
        rows = [row for row in await admin.list_all() if can_edit_hours(request.user, row["id"])]
        return page(
            request, "branches/network.html", branches=rows, admin=can_administer_network(request.user),
            staff_link=can_see_staff_list(request.user), audit_link=can_read_audit(request.user),
        )

    # --- branches ---------------------------------------------------------------------------------------

    @get("/branches/new")
    async def new_branch(self, request: Request) -> Template:
        if not can_administer_network(request.user):
            raise Forbidden(_("Only network administrators can do this"))
        return page(request, "branches/branch_form.html", branch=None, values={"timezone": "Asia/Yakutsk"}, errors={}, error_list=[])

    @post("/branches/new")
    async def create_branch(self, request: Request) -> Redirect:
        form = await Form.read(request)
        values = _branch_values(form)
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            await admin.create_branch(request.user, values)
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("The branch is created. Now give it opening hours and zones."))
        return Redirect(path=f"{BASE}/branches/{values['slug']}/hours", status_code=303)

    @get("/branches/{slug:str}")
    async def edit_branch(self, request: Request, slug: Slug) -> Template:
        row = await admin.branch_row(slug)
        if not can_edit_hours(request.user, row["id"]):
            raise Forbidden(_("Only staff of this library can see this"))
        values = {name: "" if row[name] is None else row[name] for name in FIELDS}
        return page(request, "branches/branch_form.html", branch=row, values=values, errors={}, error_list=[], admin=can_administer_network(request.user))

    @post("/branches/{slug:str}")
    async def update_branch(self, request: Request, slug: Slug) -> Redirect:
        form = await Form.read(request)
        values = _branch_values(form)
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            new_slug = await admin.update_branch(request.user, slug, values)
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data)
        flash(request, _("Saved."))
        return Redirect(path=f"{BASE}/branches/{new_slug}", status_code=303)

    @get("/branches/{slug:str}/deactivate")
    async def confirm_deactivate(self, request: Request, slug: Slug) -> Template:
        row = await admin.branch_row(slug)
        return confirm_page(request, Confirmation(
            title=_("Deactivate %(branch)s?", branch=row["name"]), subject=row["address"],
            what_happens=[_("The branch disappears from the site, search and booking."), _("Its history, bookings and statistics stay; you can reactivate it later.")],
            confirm_label=_("Deactivate"), back=f"{BASE}/branches/{slug}",
        ))

    @post("/branches/{slug:str}/deactivate")
    async def deactivate(self, request: Request, slug: Slug) -> Redirect:
        await admin.set_active(request.user, slug, False)
        flash(request, _("The branch is deactivated."))
        return Redirect(path=f"{BASE}/branches/{slug}", status_code=303)

    @post("/branches/{slug:str}/reactivate")
    async def reactivate(self, request: Request, slug: Slug) -> Redirect:
        await admin.set_active(request.user, slug, True)
        flash(request, _("The branch is open again."))
        return Redirect(path=f"{BASE}/branches/{slug}", status_code=303)

    # --- hours ------------------------------------------------------------------------------------------

    @get("/branches/{slug:str}/hours")
    async def hours(self, request: Request, slug: Slug) -> Template:
        row = await admin.branch_row(slug)
        if not can_edit_hours(request.user, row["id"]):
            raise Forbidden(_("Only staff of this library can change its hours"))
        kept, errors = take_kept_form(request) or ({}, [])
        values = {**weekly_values(await admin.get_weekly(slug)), **kept}  # what was typed wins
        affected = affected_items(values)
        exceptions = await admin.list_exceptions(slug, today_in(ZoneInfo(row["timezone"])))
        days = [(code, weekday_name(index)) for index, code in enumerate(WEEKDAY_CODES)]
        return page(
            request, "branches/hours.html", branch=row, values=values, affected=affected, days=days, slots=range(INTERVALS_A_DAY), exceptions=exceptions,
            errors=errors_by_field(errors), error_list=errors,
        )

    @post("/branches/{slug:str}/hours")
    async def save_hours(self, request: Request, slug: Slug) -> Redirect:
        form = await Form.read(request)
        weekly = weekly_from_form(form)
        on_conflict = form.str("on_conflict", 10) or None
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            change = await admin.set_weekly(request.user, slug, weekly, on_conflict, form.str("reason", 300))
        except HoursConflict as conflict:
            return back_with_errors(request, conflict.errors, conflict_values(conflict, form))
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(form_field(error), error.message) for error in invalid.errors], form.data)
        flash(request, _("The opening hours are saved.") + told(change))
        return Redirect(path=f"{BASE}/branches/{slug}/hours", status_code=303)

    @post("/branches/{slug:str}/exceptions")
    async def save_exception(self, request: Request, slug: Slug) -> Redirect:
        form = await Form.read(request)
        back = f"{BASE}/branches/{slug}/hours"
        on = form.date("date", window=bounds.SCHEDULE)
        closed = form.bool("closed")
        opens = None if closed else form.time("opens")
        closes = None if closed else form.time("closes")
        if form.errors:
            return back_with_errors(request, form.errors, form.data, to=back)
        try:
            change = await admin.set_exception(
                request.user, slug, on, form.str("note", 300), [] if closed else [(opens, closes)], form.str("on_conflict", 10) or None, form.str("reason", 300)
            )
        except HoursConflict as conflict:
            return back_with_errors(request, conflict.errors, conflict_values(conflict, form), to=back)
        except Invalid as invalid:
            return back_with_errors(request, [FieldError({"reason": "note"}.get(error.field, form_field(error)), error.message) for error in invalid.errors], form.data, to=back)
        flash(request, _("The hours for this date are saved.") + told(change))
        return Redirect(path=back, status_code=303)

    @post("/branches/{slug:str}/exceptions/remove")
    async def remove_exception(self, request: Request, slug: Slug) -> Redirect:
        """The date keeps the weekly hours again; what that strands comes back listed, to keep or cancel."""
        form = await Form.read(request)
        back = f"{BASE}/branches/{slug}/hours"
        on = form.date("remove_date")
        if form.errors:
            return back_with_errors(request, form.errors, form.data, to=back)
        try:
            change = await admin.remove_exception(request.user, slug, on, form.str("on_conflict", 10) or None, form.str("reason", 300))
        except HoursConflict as conflict:
            return back_with_errors(request, conflict.errors, conflict_values(conflict, form), to=back)
        flash(request, _("The date keeps the weekly hours again.") + told(change))
        return Redirect(path=back, status_code=303)
