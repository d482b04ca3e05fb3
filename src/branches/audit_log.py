"""Reading the audit log (src/audit/, a mechanism) for people: who may read which branch's entries, and the
filters of the API and the page (branch, person, object ``kind:id``, dates). Admins read everything; branch
heads their branches' entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from src.accounts.permissions import Principal, audit_scope, can_read_audit
from src.audit import service as audit_service
from src.branches.tables import Branch
from src.config import get_settings
from src.exceptions import FieldError, Forbidden, Invalid
from src.i18n import _

OBJECT = re.compile(r"^([a-z_]{1,32})(?::([0-9]{1,10}))?$")


@dataclass(frozen=True, slots=True)
class Query:
    branch: str | None = None  # a slug
    actor: str | None = None  # an account number, or words of the person's name
    object: str | None = None  # kind or kind:id
    start: date | None = None
    end: date | None = None  # inclusive


async def filters(principal: Principal | None, query: Query) -> audit_service.Filters:
    """The query as the log's filters within what the principal may read; 403 for anyone else, 422 naming the
    field for a bad filter."""
    if not can_read_audit(principal):
        raise Forbidden(_("Only administrators and branch heads read the audit log"))
    scope = audit_scope(principal)
    errors = []
    branch_ids = scope
    if query.branch:
        row = await Branch.select(Branch.id).where(Branch.slug == query.branch).first()
        if row is None:
            errors.append(FieldError("branch", _("There is no library branch called %(slug)s", slug=query.branch)))
        elif scope is not None and row["id"] not in scope:
            raise Forbidden(_("You read the audit log of the branches you head only"))
        else:
            branch_ids = frozenset({row["id"]})
    kind = object_id = None
    if query.object:
        match = OBJECT.match(query.object)
        if match is None:
            errors.append(FieldError("object", _("Write the object as kind:id, e.g. zone:12")))
        else:
            kind, object_id = match.group(1), int(match.group(2)) if match.group(2) else None
    actor = (query.actor or "").strip()
    if len(actor) > 200:
        errors.append(FieldError("actor", _("Write an account number or part of a name")))
    if query.start and query.end and query.end < query.start:
        errors.append(FieldError("end", _("The last day is before the first")))
    if errors:
        raise Invalid(errors=errors)
    tz = get_settings().tz
    return audit_service.Filters(
        branch_ids=branch_ids,
        actor_id=int(actor) if actor.isdigit() else None,
        actor_name=actor if actor and not actor.isdigit() else None,
        object_kind=kind,
        object_id=object_id,
        start=datetime.combine(query.start, time(), tzinfo=tz) if query.start else None,
        end=datetime.combine(query.end + timedelta(days=1), time(), tzinfo=tz) if query.end else None,
    )


async def branch_slugs() -> dict[int, str]:
    return {row["id"]: row["slug"] for row in await Branch.select(Branch.id, Branch.slug)}
