"""Running the zones of a branch: create, edit, deactivate and reactivate a zone with every booking rule, and the
lists of zone kinds and features (the built-in ones plus those an admin adds).

A rule change applies to new bookings only: existing ones stay as they are. A deactivated zone leaves search
and booking (src/rooms/service.py loads active zones only); its past bookings and statistics stay.
"""

from __future__ import annotations

import re
from typing import Any

from piccolo.engine import engine_finder

from src import audit
from src.accounts.permissions import Principal, can_administer_network, can_manage_zones
from src.branches import admin as branches_admin
from src.db import write_transaction
from src.exceptions import FieldError, Forbidden, Invalid, NotFound
from src.i18n import _, current_language
from src.labels import label
from src.rooms import service as rooms_service
from src.rooms.constants import CONFIRMED, FEATURES, ZONE_KINDS
from src.rooms.tables import Booking, Feature, Zone, ZoneFeature, ZoneKind
from src.timeutil import now_utc

CODE = re.compile(r"^[a-z0-9][a-z0-9_]{1,31}$")
# The zone's own columns an editor sets (``features`` is a list kept in its own table).
FIELDS = (
    "name", "kind", "capacity", "description", "photo_url", "bookable_by_readers", "bookable_by_schools",
    "slot_minutes", "min_minutes", "max_minutes", "lead_minutes", "horizon_days", "buffer_before_minutes", "buffer_after_minutes",
    "requires_approval", "min_age", "weekly_quota_minutes",
)
DEFAULTS = {
    "capacity": 1, "description": "", "photo_url": "", "bookable_by_readers": True, "bookable_by_schools": False, "slot_minutes": 30, "min_minutes": 30,
    "max_minutes": 240, "lead_minutes": 60, "horizon_days": 60, "buffer_before_minutes": 0, "buffer_after_minutes": 0, "requires_approval": False,
    "min_age": None, "weekly_quota_minutes": None,
}
# Bounds of each number (the API's types say the same; pages and demo data come through here too).
LIMITS = {
    "capacity": (1, 10000), "slot_minutes": (5, 240), "min_minutes": (5, 1440), "max_minutes": (5, 1440), "lead_minutes": (0, 43200),
    "horizon_days": (1, 1095), "buffer_before_minutes": (0, 720), "buffer_after_minutes": (0, 720), "min_age": (0, 120), "weekly_quota_minutes": (5, 10080),
}


# --- rules (pure) -----------------------------------------------------------------------------------------


def zone_errors(values: dict[str, Any], kinds: set[str], features: set[str], booked_headcount: int = 0) -> list[FieldError]:
    """What is wrong with a zone's complete field values; ``booked_headcount``: the largest headcount of its
    confirmed future bookings (the capacity may not drop below it)."""
    errors = []
    if not (values.get("name") or "").strip():
        errors.append(FieldError("name", _("This field is required")))
    if values.get("kind") not in kinds:
        errors.append(FieldError("kind", _("Unknown kind of zone: choose one from the list")))
    unknown = [code for code in values.get("features", []) if code not in features]
    if unknown:
        errors.append(FieldError("features", _("Unknown features: %(codes)s", codes=", ".join(unknown))))
    for name, (low, high) in LIMITS.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            errors.append(FieldError(_rule_field(name), _("Must be between %(low)s and %(high)s", low=low, high=high)))
    if errors:
        return errors
    slot, shortest, longest = values["slot_minutes"], values["min_minutes"], values["max_minutes"]
    if shortest > longest:
        errors.append(FieldError("rules.min_minutes", _("The shortest booking is longer than the longest")))
    for name in ("min_minutes", "max_minutes"):
        if values[name] % slot:
            errors.append(FieldError(f"rules.{name}", _("Must be a multiple of the slot (%(slot)s minutes)", slot=slot)))
    quota = values.get("weekly_quota_minutes")
    if quota is not None and quota < shortest:
        errors.append(FieldError("rules.weekly_quota_minutes", _("The weekly quota is shorter than the shortest booking")))
    if values["capacity"] < booked_headcount:
        errors.append(FieldError("capacity", _("Confirmed future bookings are for up to %(n)s people: the capacity cannot be lower", n=booked_headcount)))
    return errors


def _rule_field(name: str) -> str:
    """The API's name of a field: the rules sit in a ``rules`` object, ``requires_approval`` is ``needs_approval``."""
    if name in ("capacity",):
        return name
    return "rules.needs_approval" if name == "requires_approval" else f"rules.{name}"


# --- kinds and features ------------------------------------------------------------------------------------


async def kinds() -> dict[str, str]:
    """Every active zone kind: code -> its name in the current language."""
    return {**{code: label(code) for code in ZONE_KINDS}, **await _added(ZoneKind)}


async def features() -> dict[str, str]:
    return {**{code: label(code) for code in FEATURES}, **await _added(Feature)}


async def _added(table) -> dict[str, str]:
    english = current_language() == "en"
    rows = await table.select().where(table.is_active == True).order_by(table.code)  # noqa: E712
    return {row["code"]: (row["name_en"] or row["name"]) if english else row["name"] for row in rows}


async def add_kind(principal: Principal | None, code: str, name: str, name_en: str) -> None:
    await _add(principal, ZoneKind, "zone_kind", set(ZONE_KINDS), code, name, name_en)


async def add_feature(principal: Principal | None, code: str, name: str, name_en: str) -> None:
    await _add(principal, Feature, "feature", set(FEATURES), code, name, name_en)


async def added_rows(which: str) -> list[dict]:
    """Every kind (``which`` = "kinds") or feature an admin added, active or not, for the lists page."""
    table = ZoneKind if which == "kinds" else Feature
    return await table.select(table.code, table.name, table.name_en, table.is_active).order_by(table.code)


async def update_kind(principal: Principal | None, code: str, changes: dict[str, Any]) -> None:
    await _update(principal, ZoneKind, "zone_kind", code, changes)


async def update_feature(principal: Principal | None, code: str, changes: dict[str, Any]) -> None:
    await _update(principal, Feature, "feature", code, changes)


async def _update(principal: Principal | None, table, kind: str, code: str, changes: dict[str, Any]) -> None:
    """Rename an added kind or feature (``name``, ``name_en``) or deactivate it (``is_active``): no longer offered
    for zones, while the zones that have it keep it and its name. Built-in codes are not renamed here."""
    if not can_administer_network(principal):
        raise Forbidden(_("Only network administrators can do this"))
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in changes.items() if name in ("name", "name_en", "is_active")}
    if "name" in changes and not changes["name"]:
        raise Invalid.one("name", _("This field is required"))
    async with write_transaction(engine_finder()):
        row = await table.select(table.id, table.name, table.name_en, table.is_active).where(table.code == code).first()
        if row is None:
            raise NotFound(_("Only kinds and features an administrator added can be changed here"))
        diff = audit.diff({name: row[name] for name in changes}, changes)
        if not diff:
            return
        await table.update(changes).where(table.id == row["id"])
        action = "deactivate" if diff.get("is_active") == (True, False) else "reactivate" if diff.get("is_active") == (False, True) else "update"
        await audit.record(principal, action, kind, row["id"], changes=diff)
        await rooms_service.changed()


async def _add(principal: Principal | None, table, kind: str, built_in: set[str], code: str, name: str, name_en: str) -> None:
    if not can_administer_network(principal):
        raise Forbidden(_("Only network administrators can do this"))
    code, name, name_en = code.strip(), name.strip(), name_en.strip()
    errors = []
    if not CODE.match(code):
        errors.append(FieldError("code", _("Use lower-case Latin letters, digits and underscores (2 to 32)")))
    if not name:
        errors.append(FieldError("name", _("This field is required")))
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        if code in built_in or await table.exists().where(table.code == code):
            raise Invalid.one("code", _("This code is taken"))
        row = table(code=code, name=name, name_en=name_en, created_at=now_utc())
        await row.save()
        await audit.record(principal, "create", kind, row.id, changes=audit.diff(None, {"code": code, "name": name, "name_en": name_en}))
        await rooms_service.changed()


# --- zones -------------------------------------------------------------------------------------------------


async def zone_row(zone_id: int) -> dict:
    """A zone, active or not, with its features (administration sees both)."""
    row = await Zone.select(*Zone.all_columns(), Zone.branch.slug.as_alias("branch_slug")).where(Zone.id == zone_id).first()
    if row is None:
        raise NotFound(_("There is no zone number %(id)s", id=zone_id))
    row["features"] = [item["feature"] for item in await ZoneFeature.select(ZoneFeature.feature).where(ZoneFeature.zone == zone_id).order_by(ZoneFeature.feature)]
    return row


async def _booked_headcount(zone_id: int) -> int:
    rows = await Booking.select(Booking.headcount).where((Booking.zone == zone_id) & (Booking.status == CONFIRMED) & (Booking.ends_at > now_utc())).order_by(Booking.headcount, ascending=False).limit(1)
    return rows[0]["headcount"] if rows else 0


async def _check(values: dict[str, Any], zone_id: int | None, before: dict[str, Any] | None = None) -> None:
    """``before``: the zone as it is, whose kind and features stay allowed after an admin deactivated them."""
    kept_kind, kept_features = ({before["kind"]}, set(before["features"])) if before else (set(), set())
    errors = zone_errors(values, set(await kinds()) | kept_kind, set(await features()) | kept_features, await _booked_headcount(zone_id) if zone_id else 0)
    if errors:
        raise Invalid(errors=errors)


async def create_zone(principal: Principal | None, branch_slug: str, values: dict[str, Any]) -> int:
    branch = await branches_admin.branch_row(branch_slug)
    if not can_manage_zones(principal, branch["id"]):
        raise Forbidden(_("Only staff of this library can manage its zones"))
    values = {**DEFAULTS, "features": [], **values}
    await _check(values, None)
    async with write_transaction(engine_finder()):
        zone = Zone(branch=branch["id"], **{name: values[name] for name in FIELDS}, updated_at=now_utc())
        await zone.save()
        if values["features"]:
            await ZoneFeature.insert(*[ZoneFeature(zone=zone.id, feature=code) for code in dict.fromkeys(values["features"])])
        await audit.record(principal, "create", "zone", zone.id, branch_id=branch["id"], changes=audit.diff(None, {name: values[name] for name in (*FIELDS, "features")}))
        await rooms_service.changed()
    return zone.id


async def update_zone(principal: Principal | None, zone_id: int, changes: dict[str, Any]) -> None:
    """Change some fields; a rule change applies to new bookings only."""
    async with write_transaction(engine_finder()):
        row = await zone_row(zone_id)
        if not can_manage_zones(principal, row["branch"]):
            raise Forbidden(_("Only staff of this library can manage its zones"))
        before = {name: row[name] for name in (*FIELDS, "features")}
        after = {**before, **changes}
        await _check(after, zone_id, before)
        diff = audit.diff(before, after)
        if not diff:
            return
        columns = {name: after[name] for name in FIELDS if name in diff}
        if columns:
            await Zone.update({**columns, "updated_at": now_utc()}).where(Zone.id == zone_id)
        if "features" in diff:
            await ZoneFeature.delete().where(ZoneFeature.zone == zone_id)
            if after["features"]:
                await ZoneFeature.insert(*[ZoneFeature(zone=zone_id, feature=code) for code in dict.fromkeys(after["features"])])
        await audit.record(principal, "update", "zone", zone_id, branch_id=row["branch"], changes=diff)
        await rooms_service.changed()


async def set_zone_active(principal: Principal | None, zone_id: int, active: bool) -> None:
    async with write_transaction(engine_finder()):
        row = await zone_row(zone_id)
        if not can_manage_zones(principal, row["branch"]):
            raise Forbidden(_("Only staff of this library can manage its zones"))
        if row["is_active"] == active:
            return
        await Zone.update({Zone.is_active: active, Zone.updated_at: now_utc()}).where(Zone.id == zone_id)
        await audit.record(principal, "reactivate" if active else "deactivate", "zone", zone_id, branch_id=row["branch"], changes={"is_active": (not active, active)})
        await rooms_service.changed()
