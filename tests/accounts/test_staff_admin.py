"""Staff and roles: an admin invites by e-mail (one-time link to set the password), assigns roles and branches,
deactivates (sessions and tokens end at once); a branch head manages their own branch's staff only."""

import json
from datetime import time

import pytest

from src.accounts import recovery, tokens
from src.accounts import service as accounts_service
from src.accounts.tables import Account, StaffBranch
from src.audit import service as audit_service
from src.exceptions import Invalid
from src.guidance import availability as guidance_availability
from src.notifications.tables import Outbox
from tests.conftest import bearer

NEW = {"email": "new.staff@example.org", "full_name": "Новая Сотрудница", "role": "staff", "branches": ["chekhov"]}


async def _make_head(email: str, slug: str) -> None:
    account = await Account.select(Account.id).where(Account.email == email).first()
    rows = await StaffBranch.select(StaffBranch.id, StaffBranch.branch.slug.as_alias("slug")).where(StaffBranch.account == account["id"])
    await StaffBranch.update({StaffBranch.is_head: True}).where(StaffBranch.id.is_in([row["id"] for row in rows if row["slug"] == slug]))


async def test_invite_accept_change_and_deactivate(client, demo):
    admin = await bearer(client, "admin@libspace.local")
    made = await client.post("/api/v1/staff", json=NEW, headers=admin)
    assert made.status_code == 201, made.text
    staff = made.json()
    assert staff["invited"] and staff["branches"] == ["chekhov"] and staff["heads"] == []
    message = await Outbox.select(Outbox.kind, Outbox.payload).where(Outbox.recipient == staff["id"]).first()
    assert message["kind"] == "account.staff_invitation"
    payload = message["payload"] if isinstance(message["payload"], dict) else json.loads(message["payload"])
    path = await tokens.open_path(payload["token_id"])
    assert path.startswith("/password/set/")
    await recovery.set_password(path.rsplit("/", 1)[1], "a-long-new-password")
    headers = await bearer(client, NEW["email"], "a-long-new-password")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200

    again = await client.post("/api/v1/staff", json=NEW, headers=admin)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "email"
    bad = await client.post("/api/v1/staff", json={**NEW, "email": "x@example.org", "role": "reader", "branches": ["nowhere"]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "role"
    bad = await client.post("/api/v1/staff", json={**NEW, "email": "x@example.org", "branches": ["nowhere"]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "branches"

    moved = await client.patch(f"/api/v1/staff/{staff['id']}", json={"branches": ["chekhov", "centralnaya"], "heads": ["chekhov"]}, headers=admin)
    assert moved.status_code == 200 and moved.json()["heads"] == ["chekhov"] and not moved.json()["invited"]
    me = await client.get("/api/v1/staff", headers=headers)  # now a branch head: sees their branch's staff
    assert me.status_code == 200 and staff["id"] in [item["id"] for item in me.json()["items"]]

    off = await client.patch(f"/api/v1/staff/{staff['id']}", json={"is_active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    actions = [entry.action for entry in await audit_service.of_object("account", staff["id"])]
    assert actions[0] == "invite" and actions[-2:] == ["update", "deactivate"]
    assert all("password" not in entry.changes or entry.changes["password"] == {"redacted": True} for entry in await audit_service.of_object("account", staff["id"]))


async def test_a_branch_head_manages_their_branch_only(client, demo):
    await _make_head("staff.chekhov@libspace.local", "chekhov")
    head = await bearer(client, "staff.chekhov@libspace.local")
    listed = (await client.get("/api/v1/staff", params={"page_size": 500}, headers=head)).json()["items"]
    assert listed and all("chekhov" in item["branches"] or item["role"] == "counsellor" for item in listed)  # a head may give a counsellor their branch
    made = await client.post("/api/v1/staff", json=NEW, headers=head)
    assert made.status_code == 201, made.text
    assert (await client.post("/api/v1/staff", json={**NEW, "email": "b@example.org", "branches": ["centralnaya"]}, headers=head)).status_code == 403
    assert (await client.post("/api/v1/staff", json={**NEW, "email": "c@example.org", "role": "admin", "branches": []}, headers=head)).status_code == 403
    assert (await client.patch(f"/api/v1/staff/{made.json()['id']}", json={"branches": ["centralnaya"]}, headers=head)).status_code == 403
    other = await Account.select(Account.id).where(Account.email == "staff.centralnaya@libspace.local").first()
    assert (await client.patch(f"/api/v1/staff/{other['id']}", json={"is_active": False}, headers=head)).status_code == 403
    admin = await Account.select(Account.id).where(Account.email == "admin@libspace.local").first()
    assert (await client.patch(f"/api/v1/staff/{admin['id']}", json={"full_name": "X"}, headers=head)).status_code in (403, 404)



async def test_counsellors_receive_at_the_branches_given_on_the_staff_page(client, demo):
    await _make_head("staff.chekhov@libspace.local", "chekhov")
    head = await bearer(client, "staff.chekhov@libspace.local")
    counsellor = await Account.select(Account.id).where(Account.email == "counsellor@libspace.local").first()
    given = await client.patch(f"/api/v1/staff/{counsellor['id']}", json={"branches": ["chekhov"]}, headers=head)
    assert given.status_code == 200 and given.json()["branches"] == ["chekhov"] and given.json()["role"] == "counsellor"
    for change in ({"branches": ["chekhov", "centralnaya"]}, {"is_active": False}, {"role": "staff"}):
        assert (await client.patch(f"/api/v1/staff/{counsellor['id']}", json=change, headers=head)).status_code == 403, change
    me = await accounts_service.load_principal(counsellor["id"])
    elsewhere = guidance_availability.WindowInput("centralnaya", 1, time(12), time(13), 60, 0)
    with pytest.raises(Invalid) as refused:
        await guidance_availability.add_window(me, counsellor["id"], elsewhere)
    assert refused.value.errors[0].field == "branch"
    page = await client.get("/guidance/counsellor/availability", headers={**await bearer(client, "counsellor@libspace.local"), "Accept": "text/html"})
    assert page.status_code == 200 and 'value="chekhov"' in page.text and 'value="centralnaya"' not in page.text  # only their branches offered


async def test_others_see_none_of_it(client, demo):
    for login in ("staff.centralnaya@libspace.local", "reader@libspace.local", "teacher@libspace.local", "counsellor@libspace.local"):
        headers = await bearer(client, login)
        assert (await client.get("/api/v1/staff", headers=headers)).status_code == 403, login
        assert (await client.post("/api/v1/staff", json=NEW, headers=headers)).status_code == 403, login
    assert (await client.get("/api/v1/staff")).status_code == 401
