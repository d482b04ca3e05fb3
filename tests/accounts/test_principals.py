"""The principal of a token or session: one query, cached per process, and every change that could alter or end
it reaches every worker through the revision the database's triggers bump (issue 17)."""

from __future__ import annotations

from src import db
from src.accounts import principals, service
from src.accounts.tables import Account, ApiToken, StaffBranch
from src.branches.tables import Branch


async def _token(email: str) -> tuple[int, str]:
    account = await Account.select(Account.id).where(Account.email == email).first()
    principal = await service.load_principal(account["id"])
    return account["id"], (await service.issue_token(principal))[0]


async def test_staff_reader_and_teacher_come_whole_from_one_query(demo, monkeypatch):
    calls = []
    real = db._execute

    async def counted(*args):
        calls.append(args[1])
        return await real(*args)

    monkeypatch.setattr(db, "_execute", counted)
    account_id, token = await _token("staff.chekhov@libspace.local")
    second = (await Branch.select(Branch.id).where(Branch.slug == "dialog").first())["id"]
    await StaffBranch.insert(StaffBranch(account=account_id, branch=second, is_head=True))
    staff = await service.principal_for_token(token)
    assert staff is not None and staff.role == "staff" and len(staff.branch_ids) == 2 and staff.head_branch_ids == {second}
    assert staff == await service.load_principal(account_id)
    _reader_id, reader_token = await _token("reader@libspace.local")
    reader = await service.principal_for_token(reader_token)
    assert reader is not None and reader.card_number == "280000000016"
    teacher_id, teacher_token = await _token("teacher@libspace.local")
    assert await service.principal_for_token(teacher_token) == await service.load_principal(teacher_id)
    assert len(calls) == 3
    assert await service.principal_for_token(reader_token) == reader and len(calls) == 3  # cached
    assert await service.principal_for_token(reader_token, "session") is None  # a token is no page session


async def test_revocation_role_and_deactivation_reach_other_workers_within_the_check(demo, other_worker):
    account_id, token = await _token("staff.chekhov@libspace.local")
    _reader_id, reader_token = await _token("reader@libspace.local")
    _admin_id, admin_token = await _token("admin@libspace.local")
    assert (await service.principal_for_token(token)).role == "staff"
    assert await service.principal_for_token(reader_token) is not None
    assert await service.principal_for_token(admin_token) is not None
    await Account.update({Account.role: "admin"}).where(Account.id == account_id)
    await ApiToken.delete().where(ApiToken.token_hash == principals.sessions.token_hash(reader_token))
    await Account.update({Account.is_active: False}).where(Account.email == "admin@libspace.local")
    assert (await service.principal_for_token(token)).role == "staff"  # this worker has not looked yet
    other_worker.later()
    assert (await service.principal_for_token(token)).role == "admin"
    assert await service.principal_for_token(reader_token) is None
    assert await service.principal_for_token(admin_token) is None


async def test_this_workers_own_writes_are_seen_at_once(demo):
    account_id, token = await _token("staff.chekhov@libspace.local")
    assert (await service.principal_for_token(token)).branch_ids
    await StaffBranch.delete().where(StaffBranch.account == account_id)
    assert (await service.principal_for_token(token)).branch_ids == frozenset()
    await service.revoke_token(token)
    assert await service.principal_for_token(token) is None
