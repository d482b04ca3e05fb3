"""Staff and roles pages: an admin invites and changes a person; a branch head sees and assigns their branch only."""

import pytest

from src.accounts.tables import Account, StaffBranch
from tests.conftest import post_form


@pytest.fixture
def browser_like(client):
    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    return client


async def log_in(client, login):
    client.cookies.clear()
    answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
    assert answer.status_code == 303, answer.text


async def test_invite_change_and_deactivate(browser_like, demo):
    client = browser_like
    await log_in(client, "admin@libspace.local")
    missing = await post_form(client, "/staff/network/staff", {"full_name": "Новая", "email": "", "role": "staff"})
    assert missing.status_code == 303 and 'id="e-email"' in (await client.get("/staff/network/staff")).text
    sent = await post_form(client, "/staff/network/staff", {"full_name": "Новая Сотрудница", "email": "new@example.org", "role": "staff", "branch_chekhov": "on"})
    assert sent.status_code == 303
    listed = (await client.get("/staff/network/staff")).text
    assert "Новая Сотрудница" in listed and "Invited" in listed
    person = await Account.select(Account.id).where(Account.email == "new@example.org").first()
    changed = await post_form(client, f"/staff/network/staff/{person['id']}", {"full_name": "Новая Сотрудница", "role": "staff", "branch_chekhov": "on", "head_chekhov": "on"})
    assert changed.status_code == 303
    assert (await StaffBranch.select(StaffBranch.is_head).where(StaffBranch.account == person["id"]).first())["is_head"] is True
    off = await post_form(client, f"/staff/network/staff/{person['id']}", {"full_name": "Новая Сотрудница", "role": "staff", "branch_chekhov": "on"})
    assert off.status_code == 303
    assert (await Account.select(Account.is_active).where(Account.id == person["id"]).first())["is_active"] is False


async def test_a_branch_head_sees_their_branch_only(browser_like, demo):
    account = await Account.select(Account.id).where(Account.email == "staff.chekhov@libspace.local").first()
    await StaffBranch.update({StaffBranch.is_head: True}).where(StaffBranch.account == account["id"])
    client = browser_like
    await log_in(client, "staff.chekhov@libspace.local")
    page = (await client.get("/staff/network/staff")).text
    assert 'name="branch_chekhov"' in page and 'name="branch_centralnaya"' not in page and 'value="admin"' not in page
    await log_in(client, "staff.centralnaya@libspace.local")
    assert (await client.get("/staff/network/staff")).status_code == 403
