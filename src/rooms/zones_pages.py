"""Pages for running a branch's zones (admins and staff of the branch): the list, a new zone, a zone's card with
every booking rule, deactivation. Server-rendered, without JavaScript."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_administer_network, can_manage_zones
from src.branches import admin as branches_admin
from src.branches import pages as network_pages
from src.branches.admin import HoursConflict
from src.branches.rules import WEEKDAY_CODES
from src.exceptions import FieldError, Forbidden, Invalid
from src.i18n import _, weekday_name
from src.labels import label
from src.rooms import zones_admin
from src.rooms.tables import Zone
from src.web.forms import Form, back_with_errors, take_kept_form
from src.web.guards import requires_staff
from src.web.templating import Confirmation, confirm_page, errors_by_field, flash, page

BASE = "/staff/network"
NUMBERS = ("capacity", "slot_minutes", "min_minutes", "max_minutes", "lead_minutes", "horizon_days", "buffer_before_minutes", "buffer_after_minutes")
OPTIONAL_NUMBERS = ("min_age", "weekly_quota_minutes")
FLAGS = ("bookable_by_readers", "bookable_by_schools", "requires_approval")


def _read(form: Form, features: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"name": form.str("name", 200), "kind": form.str("kind", 32), "description": form.text("description", 5000), "photo_url": form.str("photo_url", 500)}
    for name in NUMBERS:
        values[name] = form.int(name, minimum=0, maximum=100000)
    for name in OPTIONAL_NUMBERS:
        values[name] = form.int(name, required=False, minimum=0, maximum=100000)
    for name in FLAGS:
        values[name] = form.bool(name)
    values["features"] = [code for code in features if form.bool(f"feature_{code}")]
    return values


def _field(error: FieldError) -> str:
    """The service's ``rules.min_minutes`` is the form's ``min_minutes``."""
    name = error.field.removeprefix("rules.")
    return "requires_approval" if name == "needs_approval" else name


def _values(row: dict) -> dict[str, Any]:
    values = {name: "" if row[name] is None else row[name] for name in zones_admin.FIELDS}
    for name in FLAGS:
        values[name] = "on" if row[name] else ""
    for code in row["features"]:
        values[f"feature_{code}"] = "on"
    return values


async def _offered(names, kept: list[str] | None) -> dict[str, str]:
    """The kinds or features offered, and those the zone has that an admin no longer offers (kept as they are)."""
    return {**await names(), **{code: label(code) for code in kept or ()}}


async def _branch(request: Request, slug: str) -> dict:
    row = await branches_admin.branch_row(slug)
    if not can_manage_zones(request.user, row["id"]):
        raise Forbidden(_("Only staff of this library can manage its zones"))
    return row


class ZonePages(Controller):
    path = BASE
    include_in_schema = False
    guards = [requires_staff]

    async def _form(self, request: Request, branch: dict, zone: dict | None, values: dict[str, Any]) -> Template:
        return page(
            request, "branches/zone_form.html", branch=branch, zone=zone, values=values, errors={}, error_list=[],
            kinds=list((await _offered(zones_admin.kinds, zone and [zone["kind"]])).items()), features=list((await _offered(zones_admin.features, zone and zone["features"])).items()),
        )

    @get("/branches/{slug:str}/zones")
    async def zones(self, request: Request, slug: FromPath[bounds.ShortLine]) -> Template:
        branch = await _branch(request, slug)
        rows = await Zone.select().where(Zone.branch == branch["id"]).order_by(Zone.name)
        return page(request, "branches/zones.html", branch=branch, zones=rows, kinds=await zones_admin.kinds())

    @get("/branches/{slug:str}/zones/new")
    async def new_zone(self, request: Request, slug: FromPath[bounds.ShortLine]) -> Template:
        branch = await _branch(request, slug)
        defaults = {**zones_admin.DEFAULTS, "kind": "coworking"}
        return await self._form(request, branch, None, {name: ("on" if value is True else "" if value is None or value is False else value) for name, value in defaults.items()})

    @post("/branches/{slug:str}/zones/new")
    async def create_zone(self, request: Request, slug: FromPath[bounds.ShortLine]) -> Redirect:
        form = await Form.read(request)
        values = _read(form, await zones_admin.features())
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            zone_id = await zones_admin.create_zone(request.user, slug, values)
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(_field(error), error.message) for error in invalid.errors], form.data)
        flash(request, _("The zone is created; readers can find and book it now."))
        return Redirect(path=f"{BASE}/zones/{zone_id}", status_code=303)

    @get("/zones/{zone_id:int}")
    async def edit_zone(self, request: Request, zone_id: FromPath[bounds.Id]) -> Template:
        zone = await zones_admin.zone_row(zone_id)
        branch = await _branch(request, zone["branch_slug"])
        return await self._form(request, branch, zone, _values(zone))

    @post("/zones/{zone_id:int}")
    async def update_zone(self, request: Request, zone_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        values = _read(form, await _offered(zones_admin.features, (await zones_admin.zone_row(zone_id))["features"]))
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            await zones_admin.update_zone(request.user, zone_id, values)
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(_field(error), error.message) for error in invalid.errors], form.data)
        flash(request, _("Saved. New rules apply to new bookings; existing ones stay as they are."))
        return Redirect(path=f"{BASE}/zones/{zone_id}", status_code=303)

    # --- a zone's own hours (inside its branch's) ---------------------------------------------------------

    @get("/zones/{zone_id:int}/hours")
    async def zone_hours(self, request: Request, zone_id: FromPath[bounds.Id]) -> Template:
        zone = await zones_admin.zone_row(zone_id)
        branch = await _branch(request, zone["branch_slug"])
        kept, errors = take_kept_form(request) or ({}, [])
        values = {**network_pages.weekly_values(await branches_admin.get_weekly(branch["slug"], zone_id)), **kept}
        branch_weekly = await branches_admin.get_weekly(branch["slug"])
        days = [(code, weekday_name(index)) for index, code in enumerate(WEEKDAY_CODES)]
        return page(
            request, "branches/hours.html", branch=branch, zone=zone, values=values, affected=network_pages.affected_items(values), days=days,
            slots=range(network_pages.INTERVALS_A_DAY), exceptions=[], branch_weekly=branch_weekly, errors=errors_by_field(errors), error_list=errors,
        )

    @post("/zones/{zone_id:int}/hours")
    async def save_zone_hours(self, request: Request, zone_id: FromPath[bounds.Id]) -> Redirect:
        """As the branch's hours: what the change strands comes back listed, to keep or cancel."""
        zone = await zones_admin.zone_row(zone_id)
        form = await Form.read(request)
        weekly = network_pages.weekly_from_form(form)
        if form.errors:
            return back_with_errors(request, form.errors, form.data)
        try:
            change = await branches_admin.set_weekly(request.user, zone["branch_slug"], weekly, form.str("on_conflict", 10) or None, form.str("reason", 300), zone_id=zone_id)
        except HoursConflict as conflict:
            return back_with_errors(request, conflict.errors, network_pages.conflict_values(conflict, form))
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(network_pages.form_field(error), error.message) for error in invalid.errors], form.data)
        flash(request, _("The zone's hours are saved.") + network_pages.told(change))
        return Redirect(path=f"{BASE}/zones/{zone_id}/hours", status_code=303)

    @get("/zones/{zone_id:int}/deactivate")
    async def confirm_deactivate(self, request: Request, zone_id: FromPath[bounds.Id]) -> Template:
        zone = await zones_admin.zone_row(zone_id)
        await _branch(request, zone["branch_slug"])
        return confirm_page(request, Confirmation(
            title=_("Deactivate %(zone)s?", zone=zone["name"]), subject="",
            what_happens=[_("The zone disappears from search and booking."), _("Its bookings and statistics stay; you can reactivate it later.")],
            confirm_label=_("Deactivate"), back=f"{BASE}/zones/{zone_id}",
        ))

    @post("/zones/{zone_id:int}/deactivate")
    async def deactivate(self, request: Request, zone_id: FromPath[bounds.Id]) -> Redirect:
        await zones_admin.set_zone_active(request.user, zone_id, False)
        flash(request, _("The zone is deactivated."))
        return Redirect(path=f"{BASE}/zones/{zone_id}", status_code=303)

    @post("/zones/{zone_id:int}/reactivate")
    async def reactivate(self, request: Request, zone_id: FromPath[bounds.Id]) -> Redirect:
        await zones_admin.set_zone_active(request.user, zone_id, True)
        flash(request, _("The zone is offered again."))
        return Redirect(path=f"{BASE}/zones/{zone_id}", status_code=303)


class ZoneListPages(Controller):
    """The lists of zone kinds and features: everyone on staff sees them, admins add to them."""

    path = BASE
    include_in_schema = False
    guards = [requires_staff]

    @get("/zone-lists")
    async def lists(self, request: Request) -> Template:
        return page(request, "branches/zone_lists.html", kinds=list((await zones_admin.kinds()).items()), features=list((await zones_admin.features()).items()),
                    added={which: await zones_admin.added_rows(which) for which in ("kinds", "features")},
                    admin=can_administer_network(request.user), values={}, errors={}, error_list=[])

    @post("/zone-lists/{which:str}/{code:str}")
    async def change(self, request: Request, which: FromPath[bounds.ShortLine], code: FromPath[bounds.ShortLine]) -> Redirect:
        """Rename an added kind or feature, or stop offering it (zones that have it keep it)."""
        form = await Form.read(request)
        update = zones_admin.update_kind if which == "kinds" else zones_admin.update_feature
        try:
            await update(request.user, code, {"name": form.str("name", 100), "name_en": form.str("name_en", 100), "is_active": form.bool("is_active")})
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(f"{which}_{code}_{error.field}", error.message) for error in invalid.errors], form.data, to=f"{BASE}/zone-lists")
        flash(request, _("Saved."))
        return Redirect(path=f"{BASE}/zone-lists", status_code=303)

    @post("/zone-lists/{which:str}")
    async def add(self, request: Request, which: FromPath[bounds.ShortLine]) -> Redirect:
        form = await Form.read(request)
        add = zones_admin.add_kind if which == "kinds" else zones_admin.add_feature
        try:
            await add(request.user, form.str(f"{which}_code", 40), form.str(f"{which}_name", 100), form.str(f"{which}_name_en", 100))
        except Invalid as invalid:
            return back_with_errors(request, [FieldError(f"{which}_{error.field}", error.message) for error in invalid.errors], form.data, to=f"{BASE}/zone-lists")
        flash(request, _("Added."))
        return Redirect(path=f"{BASE}/zone-lists", status_code=303)
