"""Schools and programmes administration: edit a school, merge a duplicate into the school it repeats
(teachers, invitations and visits move over), deactivate and reactivate; edit a programme, deactivate and
reactivate it. Nothing is deleted; every change is audited in its transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from piccolo.engine import engine_finder

from src import audit, cache
from src.accounts import rules as account_rules
from src.accounts.permissions import Principal, can_manage_branch, can_manage_schools
from src.branches.tables import Branch
from src.db import write_transaction
from src.exceptions import FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.rooms import zones_admin
from src.schools.programmes import CACHE_NAME, ProgrammeInput, programme_errors
from src.schools.tables import Programme, ProgrammeBranch, ProgrammeHours, ProgrammeZoneKind, School, Teacher, TeacherInvitation, VisitRequest
from src.schools.teachers import SLUG_RE
from src.timeutil import now_utc

SCHOOL_FIELDS = ("slug", "name", "number", "address", "contact_name", "contact_phone", "contact_email", "is_active")


async def school_row(slug: str) -> dict:
    """A school by slug, active or not."""
    row = await School.select().where(School.slug == slug.strip()).first()
    if row is None:
        raise NotFound(_("Unknown school: %(slug)s", slug=slug))
    return row


def school_errors(values: dict[str, Any]) -> list[FieldError]:
    errors = []
    if "slug" in values and not SLUG_RE.match(values["slug"]):
        errors.append(FieldError("slug", _("Use 2 to 64 Latin letters, digits and hyphens, such as school-5")))
    if "name" in values and len(values["name"].strip()) < 3:
        errors.append(FieldError("name", _("Give the school's full name")))
    if values.get("contact_email") and not account_rules.EMAIL_RE.match(values["contact_email"]):
        errors.append(FieldError("contact_email", _("Enter a valid e-mail address, such as name@example.ru")))
    if values.get("contact_phone") and not account_rules.PHONE_RE.match(values["contact_phone"]):
        errors.append(FieldError("contact_phone", _("Enter a phone number of 10 to 15 digits, such as +7 914 123-45-67")))
    return errors


async def update_school(principal: Principal | None, slug: str, changes: dict[str, Any], merge_into: str | None = None) -> str:
    """Change fields (``is_active`` false deactivates; teachers stay attached), or merge this duplicate into
    ``merge_into``: its teachers, invitations and visits move there and it is deactivated. Returns the slug of
    the school that remains."""
    if not can_manage_schools(principal):
        raise Forbidden(_("This is for library staff"))
    values = {name: (value.strip() if isinstance(value, str) else value) for name, value in changes.items() if name in SCHOOL_FIELDS}
    if "slug" in values:
        values["slug"] = values["slug"].lower()
    if "contact_email" in values:
        values["contact_email"] = account_rules.normalize_email(values["contact_email"]) or ""
    if "contact_phone" in values:
        values["contact_phone"] = account_rules.normalize_phone(values["contact_phone"]) or ""
    errors = school_errors(values)
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        row = await school_row(slug)
        if merge_into:
            return await _merge(principal, row, merge_into.strip())
        if values.get("slug", row["slug"]) != row["slug"] and await School.exists().where(School.slug == values["slug"]):
            raise Invalid.one("slug", _("This slug is taken"))
        diff = audit.diff({name: row[name] for name in values}, values)
        if diff:
            await School.update(values).where(School.id == row["id"])
            action = "deactivate" if diff.get("is_active") == (True, False) else "reactivate" if diff.get("is_active") == (False, True) else "update"
            await audit.record(principal, action, "school", row["id"], changes=diff)
    return values.get("slug", row["slug"])


async def _merge(principal: Principal, duplicate: dict, target_slug: str) -> str:
    target = await School.select().where(School.slug == target_slug).first()
    if target is None or target["id"] == duplicate["id"]:
        raise Invalid.one("merge_into", _("Choose another existing school to merge this one into"))
    moved_teachers = await Teacher.update({Teacher.school: target["id"]}).where(Teacher.school == duplicate["id"]).returning(Teacher.id)
    await TeacherInvitation.update({TeacherInvitation.school: target["id"]}).where(TeacherInvitation.school == duplicate["id"])
    moved_visits = await VisitRequest.update({VisitRequest.school: target["id"]}).where(VisitRequest.school == duplicate["id"]).returning(VisitRequest.id)
    await School.update({School.is_active: False}).where(School.id == duplicate["id"])
    await audit.record(principal, "merge", "school", duplicate["id"], changes={"merged_into": (None, target["id"]), "is_active": (duplicate["is_active"], False)})
    await audit.record(
        principal, "absorb", "school", target["id"],
        changes={"merged_from": (None, duplicate["id"]), "teachers": (None, len(moved_teachers)), "visits": (None, len(moved_visits))},
    )
    return target_slug


# --- programmes --------------------------------------------------------------------------------------------


async def _programme(programme_id: int) -> tuple[dict, ProgrammeInput]:
    row = await Programme.select().where(Programme.id == programme_id).first()
    if row is None:
        raise NotFound(_("There is no such programme"))
    branches = await ProgrammeBranch.select(ProgrammeBranch.branch.slug.as_alias("slug")).where(ProgrammeBranch.programme == programme_id).order_by(ProgrammeBranch.id)
    kinds = await ProgrammeZoneKind.select(ProgrammeZoneKind.kind).where(ProgrammeZoneKind.programme == programme_id).order_by(ProgrammeZoneKind.id)
    hours = await ProgrammeHours.select().where(ProgrammeHours.programme == programme_id).order_by(ProgrammeHours.weekday, ProgrammeHours.starts)
    data = ProgrammeInput(
        title=row["title"], description=row["description"], topic=row["topic"], duration_minutes=row["duration_minutes"], grade_min=row["grade_min"],
        grade_max=row["grade_max"], group_min=row["group_min"], group_max=row["group_max"], lead_days=row["lead_days"],
        branches=[item["slug"] for item in branches], zone_kinds=[item["kind"] for item in kinds], hours=[(item["weekday"], item["starts"], item["ends"]) for item in hours],
    )
    return row, data


async def _branch_ids(principal: Principal | None, slugs: list[str]) -> dict[str, int]:
    rows = await Branch.select(Branch.id, Branch.slug).where(Branch.slug.is_in(list(slugs) or [""]))
    found = {row["slug"]: row["id"] for row in rows}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise Invalid.one("branches", _("Unknown library branch: %(slug)s", slug=", ".join(unknown)))
    if not all(can_manage_branch(principal, branch_id) for branch_id in found.values()):
        raise Forbidden(_("You can add programmes only for your own branches"))
    return found


async def update_programme(principal: Principal | None, programme_id: int, changes: dict[str, Any]) -> None:
    """Change a programme (staff of every branch it is offered in, before and after); ``is_active`` false
    takes it out of the catalogue, its visits stay."""
    row, before = await _programme(programme_id)
    await _branch_ids(principal, before.branches)
    after = ProgrammeInput(**{**asdict(before), **{name: value for name, value in changes.items() if name != "is_active"}})
    errors = programme_errors(after, set(await zones_admin.kinds()) | set(before.zone_kinds))  # the kinds it has stay allowed
    if errors:
        raise Invalid(errors=errors)
    ids = await _branch_ids(principal, after.branches)
    old, new = {**asdict(before), "is_active": row["is_active"]}, {**asdict(after), "is_active": changes.get("is_active", row["is_active"])}
    diff = audit.diff(old, new)
    if not diff:
        return
    async with write_transaction(engine_finder()):
        columns = {name: new[name] for name in diff if name not in ("branches", "zone_kinds", "hours")}
        if columns:
            await Programme.update({**columns, "updated_at": now_utc()}).where(Programme.id == programme_id)
        if "branches" in diff:
            await ProgrammeBranch.delete().where(ProgrammeBranch.programme == programme_id)
            await ProgrammeBranch.insert(*[ProgrammeBranch(programme=programme_id, branch=ids[slug]) for slug in dict.fromkeys(after.branches)])
        if "zone_kinds" in diff:
            await ProgrammeZoneKind.delete().where(ProgrammeZoneKind.programme == programme_id)
            await ProgrammeZoneKind.insert(*[ProgrammeZoneKind(programme=programme_id, kind=kind) for kind in dict.fromkeys(after.zone_kinds)])
        if "hours" in diff:
            await ProgrammeHours.delete().where(ProgrammeHours.programme == programme_id)
            await ProgrammeHours.insert(*[ProgrammeHours(programme=programme_id, weekday=w, starts=s, ends=e) for w, s, e in after.hours])
        action = "deactivate" if diff.get("is_active") == (True, False) else "reactivate" if diff.get("is_active") == (False, True) else "update"
        await audit.record(principal, action, "programme", programme_id, changes=diff)
        await cache.bump(CACHE_NAME)


async def programme_view(programme_id: int) -> tuple[dict, ProgrammeInput]:
    return await _programme(programme_id)
