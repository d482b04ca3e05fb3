"""Running zones: the rules of a zone's fields (pure), and the API: create, edit, deactivate (gone from search and
booking, its past kept), kinds and features lists, who may."""

from datetime import timedelta

from src.audit import service as audit_service
from src.rooms.tables import Booking
from src.rooms.zones_admin import DEFAULTS, zone_errors
from tests import dates
from tests.conftest import bearer

KINDS, FEATURES = {"coworking", "reading_hall"}, {"wifi", "projector"}


def _values(**changes):
    return {**DEFAULTS, "name": "Зал", "kind": "coworking", "features": [], **changes}


def test_zone_errors_name_the_field():
    assert zone_errors(_values(), KINDS, FEATURES) == []
    assert [e.field for e in zone_errors(_values(min_minutes=120, max_minutes=60), KINDS, FEATURES)] == ["rules.min_minutes"]
    assert [e.field for e in zone_errors(_values(slot_minutes=45, min_minutes=60, max_minutes=90), KINDS, FEATURES)] == ["rules.min_minutes"]
    assert [e.field for e in zone_errors(_values(kind="spa", features=["sauna"]), KINDS, FEATURES)] == ["kind", "features"]
    assert [e.field for e in zone_errors(_values(capacity=0), KINDS, FEATURES)] == ["capacity"]
    assert [e.field for e in zone_errors(_values(capacity=3), KINDS, FEATURES, booked_headcount=5)] == ["capacity"]
    assert [e.field for e in zone_errors(_values(weekly_quota_minutes=10), KINDS, FEATURES)] == ["rules.weekly_quota_minutes"]
    assert [e.field for e in zone_errors(_values(name=" "), KINDS, FEATURES)] == ["name"]


ZONE = {"branch": "centralnaya", "name": "Медиалаборатория", "kind": "coworking", "capacity": 6, "features": ["wifi", "computers"], "description": "Шесть мест",
        "rules": {"slot_minutes": 30, "min_minutes": 30, "max_minutes": 180, "lead_minutes": 0, "horizon_days": 30, "buffer_before_minutes": 0,
                  "buffer_after_minutes": 0, "needs_approval": False, "min_age": 14, "weekly_quota_minutes": 600}}


async def test_staff_create_edit_and_deactivate_a_zone(client, demo):
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    made = await client.post("/api/v1/zones", json=ZONE, headers=staff)
    assert made.status_code == 201, made.text
    zone = made.json()
    assert zone["rules"]["min_age"] == 14 and zone["features"] == ["computers", "wifi"] and zone["branch"] == "centralnaya"
    assert (await client.get(f"/api/v1/zones/{zone['id']}")).status_code == 200

    bad = await client.post("/api/v1/zones", json={**ZONE, "kind": "spa", "features": ["sauna"], "rules": {"min_minutes": 120, "max_minutes": 60}}, headers=staff)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"kind", "features"}
    bad = await client.post("/api/v1/zones", json={**ZONE, "rules": {"min_minutes": 120, "max_minutes": 60}}, headers=staff)
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["rules.min_minutes"]
    bad = await client.patch(f"/api/v1/zones/{zone['id']}", json={"rules": {"slot_minutes": 45}}, headers=staff)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"rules.min_minutes"}  # 180 is a multiple of 45, 30 is not

    changed = await client.patch(f"/api/v1/zones/{zone['id']}", json={"capacity": 8, "rules": {"needs_approval": True}}, headers=staff)
    assert changed.status_code == 200 and changed.json()["capacity"] == 8 and changed.json()["rules"]["needs_approval"] is True

    reader = await bearer(client, "reader@libspace.local")
    branch = await dates.branch("centralnaya")
    new = next(item for item in branch.zones if item.id == zone["id"])
    on = dates.open_day(new.schedule, after_days=2)
    start = dates.opening(new.schedule, on, branch.tz, after_minutes=60)
    booked = await client.post("/api/v1/bookings", json={"zone_id": zone["id"], "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "headcount": 4}, headers=reader)
    assert booked.status_code == 201, booked.text
    await Booking.update({Booking.status: "confirmed"}).where(Booking.id == booked.json()["id"])
    too_small = await client.patch(f"/api/v1/zones/{zone['id']}", json={"capacity": 3}, headers=staff)
    assert too_small.status_code == 422 and too_small.json()["errors"][0]["field"] == "capacity"

    off = await client.post(f"/api/v1/zones/{zone['id']}/deactivate", headers=staff)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await client.get(f"/api/v1/zones/{zone['id']}")).status_code == 404
    assert zone["id"] not in [item["id"] for item in (await client.get("/api/v1/zones", params={"branch": "centralnaya", "page_size": 500})).json()["items"]]
    again = await client.post("/api/v1/bookings", json={"zone_id": zone["id"], "starts_at": (start + timedelta(hours=2)).isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}, headers=reader)
    assert again.status_code == 404
    assert (await Booking.select(Booking.status).where(Booking.id == booked.json()["id"]).first())["status"] == "confirmed"  # its bookings stay
    assert [e.action for e in await audit_service.of_object("zone", zone["id"])] == ["create", "update", "deactivate"]
    assert (await client.post(f"/api/v1/zones/{zone['id']}/reactivate", headers=staff)).json()["is_active"] is True


async def test_minimum_age(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    made = await client.post("/api/v1/zones", json={**ZONE, "branch": "chekhov", "rules": {**ZONE["rules"], "min_age": 16}}, headers=staff)
    assert made.status_code == 201, made.text
    branch = await dates.branch("chekhov")
    zone = next(item for item in branch.zones if item.id == made.json()["id"])
    on = dates.open_day(zone.schedule, after_days=2)
    start = dates.opening(zone.schedule, on, branch.tz, after_minutes=60)
    body = {"zone_id": zone.id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    teen = await client.post("/api/v1/bookings", json=body, headers=await bearer(client, "teen@libspace.local"))
    assert teen.status_code == 422 and teen.json()["errors"][0]["field"] == "zone_id"
    assert (await client.post("/api/v1/bookings", json=body, headers=await bearer(client, "reader@libspace.local"))).status_code == 201


async def test_who_may_manage_zones_and_lists(client, demo):
    other = await bearer(client, "staff.chekhov@libspace.local")
    reader = await bearer(client, "reader@libspace.local")
    teacher = await bearer(client, "teacher@libspace.local")
    for headers in (other, reader, teacher):
        assert (await client.post("/api/v1/zones", json=ZONE, headers=headers)).status_code == 403
    zone_id = (await dates.branch("centralnaya")).zones[0].id
    for headers in (other, reader, teacher):
        assert (await client.patch(f"/api/v1/zones/{zone_id}", json={"capacity": 2}, headers=headers)).status_code == 403
        assert (await client.post(f"/api/v1/zones/{zone_id}/deactivate", headers=headers)).status_code == 403
    kind = {"code": "podcast_studio", "name": "Подкаст-студия", "name_en": "Podcast studio"}
    assert (await client.post("/api/v1/zone-kinds", json=kind, headers=other)).status_code == 403
    admin = await bearer(client, "admin@libspace.local")
    added = await client.post("/api/v1/zone-kinds", json=kind, headers=admin)
    assert added.status_code == 201 and {"code": "podcast_studio", "name": "Подкаст-студия"} in added.json()
    assert (await client.post("/api/v1/zone-kinds", json=kind, headers=admin)).json()["errors"][0]["field"] == "code"
    feature = await client.post("/api/v1/zone-features", json={"code": "microphones", "name": "Микрофоны", "name_en": "Microphones"}, headers=admin)
    assert feature.status_code == 201
    english = (await client.get("/api/v1/zone-features", headers={"Accept-Language": "en"})).json()
    assert {"code": "microphones", "name": "Microphones"} in english
    made = await client.post("/api/v1/zones", json={**ZONE, "kind": "podcast_studio", "features": ["microphones"]}, headers=admin)
    assert made.status_code == 201, made.text
