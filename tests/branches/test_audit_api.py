"""GET /api/v1/audit: admins read everything with filters and pages; branch heads their branches; others nothing."""

from datetime import timedelta

from src.accounts.tables import Account, StaffBranch
from tests import dates
from tests.conftest import bearer


async def test_filters_pages_and_scope(client, demo):
    admin = await bearer(client, "admin@libspace.local")
    before = (await client.get("/api/v1/audit", params={"object": "zone"}, headers=admin)).json()["total"]  # the demo's zones
    made = await client.post("/api/v1/zones", json={"branch": "chekhov", "name": "Студия", "kind": "coworking", "capacity": 4}, headers=admin)
    zone_id = made.json()["id"]
    await client.patch(f"/api/v1/zones/{zone_id}", json={"capacity": 5}, headers=admin)
    await client.post("/api/v1/zones", json={"branch": "centralnaya", "name": "Студия", "kind": "coworking", "capacity": 4}, headers=admin)

    found = await client.get("/api/v1/audit", params={"object": f"zone:{zone_id}"}, headers=admin)
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert [item["action"] for item in items] == ["update", "create"]  # newest first
    assert items[0]["changes"] == {"capacity": {"before": 4, "after": 5}} and items[0]["actor"]["role"] == "admin" and items[0]["branch"] == "chekhov"
    assert {"at", "actor", "action", "object_kind", "object_id", "changes"} <= set(items[0])
    paged = (await client.get("/api/v1/audit", params={"object": "zone", "page_size": 1, "page": 2}, headers=admin)).json()
    assert paged["total"] == before + 3 and len(paged["items"]) == 1
    today = dates.today().isoformat()
    assert (await client.get("/api/v1/audit", params={"object": "zone", "start": today, "end": today}, headers=admin)).json()["total"] == before + 3
    far = (dates.today() + timedelta(days=3)).isoformat()
    assert (await client.get("/api/v1/audit", params={"object": "zone", "start": far, "end": far}, headers=admin)).json()["total"] == 0
    admin_id = items[0]["actor"]["id"]
    centralnaya = (await client.get("/api/v1/audit", params={"actor": admin_id, "branch": "centralnaya", "object": "zone", "page_size": 500}, headers=admin)).json()
    assert {item["branch"] for item in centralnaya["items"]} == {"centralnaya"} and centralnaya["total"] >= 1
    by_name = (await client.get("/api/v1/audit", params={"actor": "администратор", "object": f"zone:{zone_id}"}, headers=admin)).json()
    assert by_name["total"] == 2  # words of the name, in any case
    assert (await client.get("/api/v1/audit", params={"actor": "Белова", "object": f"zone:{zone_id}"}, headers=admin)).json()["total"] == 0
    bad = await client.get("/api/v1/audit", params={"object": "zone:abc"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "object"
    assert (await client.get("/api/v1/audit", params={"branch": "nowhere"}, headers=admin)).status_code == 422

    account = await Account.select(Account.id).where(Account.email == "staff.chekhov@libspace.local").first()
    await StaffBranch.update({StaffBranch.is_head: True}).where(StaffBranch.account == account["id"])
    head = await bearer(client, "staff.chekhov@libspace.local")
    mine = (await client.get("/api/v1/audit", params={"object": f"zone:{zone_id}", "page_size": 500}, headers=head)).json()
    assert mine["total"] == 2
    assert {item["branch"] for item in (await client.get("/api/v1/audit", params={"page_size": 500}, headers=head)).json()["items"]} == {"chekhov"}
    assert (await client.get("/api/v1/audit", params={"branch": "centralnaya"}, headers=head)).status_code == 403

    for login in ("staff.centralnaya@libspace.local", "reader@libspace.local", "teacher@libspace.local", "counsellor@libspace.local"):
        assert (await client.get("/api/v1/audit", headers=await bearer(client, login))).status_code == 403, login
    assert (await client.get("/api/v1/audit")).status_code == 401
