"""Staff and roles: invite a person by e-mail (they set their own password through a one-time link), give the
role and the branches (and which of them they head), change them, deactivate an account (its sessions and
tokens end at once; its history stays).

Admins manage everyone; a branch head manages the staff of the branches they head and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.engine import engine_finder

from src import audit
from src.accounts import rules, tokens
from src.accounts import service as accounts_service
from src.accounts.constants import ROLE_ADMIN, ROLE_COUNSELLOR, ROLE_STAFF
from src.accounts.messages import LINK_GONE, token_link
from src.accounts.permissions import Principal, can_assign_counsellor, can_give_role, can_manage_staff, can_see_staff_list
from src.accounts.tables import Account, StaffBranch
from src.branches.tables import Branch
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.labels import N_, label
from src.notifications import registry
from src.notifications import service as notifications
from src.timeutil import now_utc

STAFF_SIDE = (ROLE_ADMIN, ROLE_STAFF, ROLE_COUNSELLOR)
INVITED = "account.staff_invitation"
SUBJECT = N_("You are invited to work in the libraries' system")

registry.register(
    INVITED,
    lambda payload: _(
        "%(who)s invited you to the libraries' booking system as %(role)s. Open the link below within 7 days and choose your password.",
        who=str(payload.get("by", "")), role=label(str(payload.get("role", ""))),
    ),
    link=token_link,
    gone=LINK_GONE,
    subject=SUBJECT,
)


@dataclass(frozen=True, slots=True)
class StaffView:
    id: int
    email: str | None
    full_name: str
    role: str
    is_active: bool
    branches: list[str]  # slugs
    heads: list[str]  # the slugs of the branches they head
    invited: bool  # has not set a password yet


async def _slug_ids(slugs: list[str], field: str) -> dict[str, int]:
    rows = await Branch.select(Branch.id, Branch.slug).where(Branch.slug.is_in(list(slugs) or [""]))
    found = {row["slug"]: row["id"] for row in rows}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise Invalid.one(field, _("Unknown branches: %(slugs)s", slugs=", ".join(unknown)))
    return found


async def _assignments(account_ids: list[int]) -> dict[int, list[dict]]:
    rows = await StaffBranch.select(StaffBranch.account, StaffBranch.branch, StaffBranch.is_head, StaffBranch.branch.slug.as_alias("slug")).where(
        StaffBranch.account.is_in(account_ids or [0])
    )
    result: dict[int, list[dict]] = {}
    for row in rows:
        result.setdefault(row["account"], []).append(row)
    return result


def _view(account: dict, assigned: list[dict]) -> StaffView:
    return StaffView(
        id=account["id"], email=account["email"], full_name=account["full_name"], role=account["role"], is_active=account["is_active"],
        branches=sorted(row["slug"] for row in assigned), heads=sorted(row["slug"] for row in assigned if row["is_head"]), invited=not account["password_hash"],
    )


_COLUMNS = (Account.id, Account.email, Account.full_name, Account.role, Account.is_active, Account.password_hash)


async def list_staff(principal: Principal | None, limit: int, offset: int) -> tuple[list[StaffView], int]:
    """Admins see every staff-side account; a branch head the staff of their branches."""
    if not can_see_staff_list(principal):
        raise Forbidden(_("Only administrators and branch heads manage staff"))
    where = Account.role.is_in(list(STAFF_SIDE))
    if not principal.is_admin:  # and every counsellor, whom a head may give their branch
        ids = [row["account"] for row in await StaffBranch.select(StaffBranch.account).where(StaffBranch.branch.is_in(sorted(principal.head_branch_ids)))]
        where &= Account.id.is_in(sorted(set(ids)) or [0]) | (Account.role == ROLE_COUNSELLOR)
    accounts = await Account.select(*_COLUMNS).where(where).order_by(Account.full_name).limit(limit).offset(offset)
    assigned = await _assignments([row["id"] for row in accounts])
    return [_view(row, assigned.get(row["id"], [])) for row in accounts], await Account.count().where(where)


async def get_staff(account_id: int) -> StaffView:
    account = await Account.select(*_COLUMNS).where((Account.id == account_id) & Account.role.is_in(list(STAFF_SIDE))).first()
    if account is None:
        raise NotFound(_("There is no staff account number %(id)s", id=account_id))
    return _view(account, (await _assignments([account_id])).get(account_id, []))


def _assignment_errors(role: str, branches: list[str], heads: list[str]) -> list[FieldError]:
    errors = []
    if role not in STAFF_SIDE:
        errors.append(FieldError("role", _("Choose one of: %(roles)s", roles=", ".join(STAFF_SIDE))))
    if role == ROLE_STAFF and not branches:
        errors.append(FieldError("branches", _("Staff need at least one branch")))
    if any(slug not in branches for slug in heads):
        errors.append(FieldError("heads", _("A branch head must also be assigned to that branch")))
    if heads and role != ROLE_STAFF:
        errors.append(FieldError("heads", _("Only staff members head a branch")))
    return errors


def _require(principal: Principal | None, role: str, touched: set[int]) -> None:
    if not can_give_role(principal, role) or not can_manage_staff(principal, touched or {0}):
        raise Forbidden(_("You may manage staff of the branches you head only"))


async def _write_assignments(account_id: int, ids: dict[str, int], branches: list[str], heads: list[str]) -> None:
    await StaffBranch.delete().where(StaffBranch.account == account_id)
    if branches:
        await StaffBranch.insert(*[StaffBranch(account=account_id, branch=ids[slug], is_head=slug in heads) for slug in dict.fromkeys(branches)])


async def invite(principal: Principal | None, email: str, full_name: str, role: str, branches: list[str], heads: list[str]) -> StaffView:
    """A new staff-side account without a password, and an e-mail with a one-time link to set it."""
    email_n = rules.normalize_email(email)
    errors = _assignment_errors(role, branches, heads) + rules.contact_errors(email_n, None)
    if not email_n:
        errors.append(FieldError("email", _("An e-mail address is required")))
    if not full_name.strip():
        errors.append(FieldError("full_name", _("This field is required")))
    if errors:
        raise Invalid(errors=errors)
    ids = await _slug_ids(branches, "branches")
    _require(principal, role, set(ids.values()))
    now = now_utc()
    async with write_transaction(engine_finder()):
        if await Account.exists().where(Account.email == email_n):
            raise Conflict(_("An account with this e-mail already exists"), errors=[FieldError("email", _("This e-mail is already registered"))])
        account = Account(role=role, email=email_n, full_name=full_name.strip(), password_hash="", created_at=now, updated_at=now)
        await account.save()
        await _write_assignments(account.id, ids, branches, heads)
        issued = await tokens.issue(account.id, tokens.INVITATION, created_by=principal.id)
        await notifications.enqueue(
            INVITED, [account.id], SUBJECT, {"token_id": issued.id, "by": principal.full_name, "role": role}, cause=str(issued.id)
        )
        await audit.record(
            principal, "invite", "account", account.id,
            changes=audit.diff(None, {"role": role, "email": email_n, "full_name": account.full_name, "branches": sorted(branches) or None, "heads": sorted(heads) or None}),
        )
    return await get_staff(account.id)


async def update(principal: Principal | None, account_id: int, changes: dict[str, Any]) -> StaffView:
    """Change role, branches, heads, name, or deactivate/reactivate (``is_active``). Deactivating ends every
    session, API token and open one-time link of the account at once."""
    before = await get_staff(account_id)
    after = {"role": before.role, "branches": before.branches, "heads": before.heads, "full_name": before.full_name, "is_active": before.is_active, **changes}
    errors = _assignment_errors(after["role"], after["branches"], after["heads"])
    if not after["full_name"].strip():
        errors.append(FieldError("full_name", _("This field is required")))
    if errors:
        raise Invalid(errors=errors)
    ids = await _slug_ids(sorted(set(after["branches"]) | set(before.branches)), "branches")
    touched = {ids[slug] for slug in set(before.branches) | set(after["branches"])}
    if before.role == after["role"] == ROLE_COUNSELLOR and not can_give_role(principal, ROLE_COUNSELLOR):
        # a branch head gives a counsellor their branch to receive at, or takes it away, and nothing else
        moved = {ids[slug] for slug in set(before.branches) ^ set(after["branches"])}
        if not can_assign_counsellor(principal, moved) or (after["full_name"].strip(), after["is_active"]) != (before.full_name, before.is_active):
            raise Forbidden(_("A branch head gives a counsellor their own branch or takes it away, nothing else"))
    else:
        _require(principal, after["role"], touched)
        if before.role != after["role"]:
            _require(principal, before.role, touched)
    if principal.id == account_id and (not after["is_active"] or after["role"] != before.role):
        raise Invalid.one("is_active" if not after["is_active"] else "role", _("You cannot deactivate yourself or change your own role"))
    diff = audit.diff({"role": before.role, "branches": before.branches, "heads": before.heads, "full_name": before.full_name, "is_active": before.is_active}, after)
    if not diff:
        return before
    now = now_utc()
    async with write_transaction(engine_finder()):
        await Account.update({Account.role: after["role"], Account.full_name: after["full_name"].strip(), Account.is_active: after["is_active"], Account.updated_at: now}).where(
            Account.id == account_id
        )
        await _write_assignments(account_id, ids, after["branches"], after["heads"])
        if "is_active" in diff and not after["is_active"]:
            await accounts_service.end_sessions(account_id)
            await tokens.revoke_open(account_id, tokens.CLOSED, now=now)
        action = "deactivate" if diff.get("is_active") == (True, False) else "reactivate" if diff.get("is_active") == (False, True) else "update"
        await audit.record(principal, action, "account", account_id, changes=diff)
    return await get_staff(account_id)
