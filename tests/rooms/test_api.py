"""The rooms API over HTTP: names clients rely on, status codes, and that errors write nothing."""

from datetime import datetime, timedelta

from src.rooms.tables import Booking
from tests import dates
from tests.conftest import bearer
from tests.rooms.helpers import READER, TEEN, at, open_day, staff_of, zone_named


async def coworking():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    return branch, zone, open_day(zone, branch.tz, weeks=3)


def body(zone, start, end, **extra):
    return {"zone_id": zone.id, "starts_at": start.isoformat(), "ends_at": end.isoformat(), "purpose": "Учёба", "headcount": 2, **extra}


async def test_zones_list_with_the_names_clients_rely_on(client, demo):
    answer = await client.get("/api/v1/zones", params={"kind": "coworking"})
    assert answer.status_code == 200
    page = answer.json()
    assert page["total"] == 3 and {item["branch"] for item in page["items"]} == {"centralnaya", "chekhov", "mashuk-observatory"}
    zone = page["items"][0]
    assert {"id", "branch", "name", "kind", "capacity", "features", "bookable_by", "rules"} <= set(zone)
    assert {"slot_minutes", "min_minutes", "max_minutes", "lead_minutes", "horizon_days", "buffer_before_minutes", "buffer_after_minutes", "weekly_quota_minutes", "requires_approval"} == set(zone["rules"])
    assert "readers" in zone["bookable_by"]
    features = await client.get("/api/v1/zones", params=[("feature", "projector"), ("feature", "step_free"), ("min_capacity", "50")])
    assert {item["name"] for item in features.json()["items"]} == {"Зал дискуссий", "Диалог событий"}
    paged = await client.get("/api/v1/zones", params={"page_size": 5, "page": 2})
    assert len(paged.json()["items"]) == 5 and paged.json()["total"] > 30


async def test_zones_free_at_a_time_across_branches(client, demo):
    branch, zone, day = await coworking()
    headers = await bearer(client, READER)
    await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 12), at(branch, day, 14)), headers=headers)
    free = await client.get("/api/v1/zones", params={"kind": "coworking", "free_from": at(branch, day, 12).isoformat(), "free_to": at(branch, day, 13).isoformat()})
    assert free.status_code == 200 and "centralnaya" not in {item["branch"] for item in free.json()["items"]}
    half = await client.get("/api/v1/zones", params={"free_from": at(branch, day, 12).isoformat()})
    assert half.status_code == 422 and half.json()["errors"][0]["field"] == "free_to"


async def test_one_zone_and_unknown_zone(client, demo):
    _branch, zone = await zone_named("chekhov", "Конференц-зал")
    answer = await client.get(f"/api/v1/zones/{zone.id}")
    assert answer.status_code == 200 and answer.json()["branch"] == "chekhov" and answer.json()["rules"]["requires_approval"] is True
    missing = await client.get("/api/v1/zones/999999")
    assert missing.status_code == 404 and missing.json()["detail"]
    assert (await client.get("/api/v1/zones/999999/availability")).status_code == 404


async def test_availability_answers_free_intervals_with_offsets(client, demo):
    branch, zone, day = await coworking()
    answer = await client.get(f"/api/v1/zones/{zone.id}/availability", params={"start": day.isoformat(), "end": day.isoformat()})
    assert answer.status_code == 200
    data = answer.json()
    assert data["zone_id"] == zone.id and len(data["free"]) == 1
    free = data["free"][0]
    opens, closes = dates.hours_of(zone.schedule, day, branch.tz)  # that day's hours (Saturdays are shorter)
    assert free["starts_at"].endswith("+09:00") and datetime.fromisoformat(free["starts_at"]) == opens
    assert datetime.fromisoformat(free["ends_at"]) == closes
    bad = await client.get(f"/api/v1/zones/{zone.id}/availability", params={"start": "tomorrow"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "start"
    long = await client.get(f"/api/v1/zones/{zone.id}/availability", params={"start": day.isoformat(), "end": (day + timedelta(days=400)).isoformat()})
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "end"


async def test_week_grid_shows_busy_times_but_details_only_to_branch_staff(client, demo):
    branch, zone, day = await coworking()
    reader = await bearer(client, READER)
    created = await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 12), at(branch, day, 14)), headers=reader)
    assert created.status_code == 201
    week = await client.get("/api/v1/branches/centralnaya/week", params={"start": day.isoformat()})
    assert week.status_code == 200
    grid = week.json()
    assert grid["start"] == day.isoformat() and len(grid["zones"]) == len(branch.zones)
    first_day = next(z for z in grid["zones"] if z["zone_id"] == zone.id)["days"][0]
    (busy,) = first_day["busy"]
    assert busy["starts_at"].endswith("+09:00") and busy["purpose"] is None and busy["booking_id"] is None
    staff = await client.get("/api/v1/branches/centralnaya/week", params={"start": day.isoformat()}, headers=await bearer(client, staff_of("centralnaya")))
    (seen,) = next(z for z in staff.json()["zones"] if z["zone_id"] == zone.id)["days"][0]["busy"]
    assert seen["purpose"] == "Учёба" and seen["booking_id"] == created.json()["id"]
    assert (await client.get("/api/v1/branches/nowhere/week")).status_code == 404


async def test_book_answers_201_with_the_fixed_names(client, demo):
    branch, zone, day = await coworking()
    answer = await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 10), at(branch, day, 12)), headers=await bearer(client, READER))
    assert answer.status_code == 201, answer.text
    data = answer.json()
    assert {"id", "zone_id", "starts_at", "ends_at", "status", "bookings", "skipped"} <= set(data)
    assert data["status"] == "confirmed" and data["zone_id"] == zone.id and data["starts_at"].endswith("+09:00")
    one = await client.get(f"/api/v1/bookings/{data['id']}", headers=await bearer(client, READER))
    assert one.status_code == 200 and one.json()["branch"] == "centralnaya"


async def test_naive_times_are_read_in_the_branch_time_zone(client, demo):
    branch, zone, day = await coworking()
    answer = await client.post("/api/v1/bookings", json={"zone_id": zone.id, "starts_at": f"{day}T15:00:00", "ends_at": f"{day}T16:00:00"}, headers=await bearer(client, READER))
    assert answer.status_code == 201 and datetime.fromisoformat(answer.json()["starts_at"]) == at(branch, day, 15)


async def test_booking_needs_a_login(client, demo):
    branch, zone, day = await coworking()
    assert (await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 10), at(branch, day, 12)))).status_code == 401


async def test_bad_input_is_422_with_field_and_nothing_written(client, demo):
    branch, zone, day = await coworking()
    headers = await bearer(client, READER)
    before = await Booking.count()
    for payload, field in [
        (body(zone, at(branch, day, 12), at(branch, day, 11)), "ends_at"),
        (body(zone, at(branch, day, 10, 10), at(branch, day, 11)), "starts_at"),
        (body(zone, at(branch, day, 7), at(branch, day, 8)), "starts_at"),
        (body(zone, at(branch, day, 10), at(branch, day, 11), headcount=500), "headcount"),
        (body(zone, at(branch, day, 10), at(branch, day, 11), recurrence={"freq": "monthly", "count": 2}), "recurrence.freq"),
        ({"zone_id": zone.id, "starts_at": "soon", "ends_at": "later"}, "starts_at"),
        ({"zone_id": zone.id}, "starts_at"),
        (body(zone, at(branch, day, 10), at(branch, day, 11), recurrence={"interval": 2}), "recurrence.count"),
    ]:
        answer = await client.post("/api/v1/bookings", json=payload, headers=headers)
        assert answer.status_code == 422, (payload, answer.text)
        assert field in [error["field"] for error in answer.json()["errors"]], answer.json()
        assert all(error["message"] for error in answer.json()["errors"])
    assert await Booking.count() == before


async def test_a_clash_is_409_with_conflicts_and_no_holder(client, demo):
    branch, zone, day = await coworking()
    first = await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 10), at(branch, day, 12)), headers=await bearer(client, READER))
    assert first.status_code == 201
    clash = await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 11), at(branch, day, 13)), headers=await bearer(client, TEEN))
    assert clash.status_code == 409
    data = clash.json()
    (conflict,) = data["conflicts"]
    assert datetime.fromisoformat(conflict["starts_at"]) == at(branch, day, 10) and datetime.fromisoformat(conflict["ends_at"]) == at(branch, day, 12)
    assert "Ковалёва" not in clash.text and "holder" not in clash.text and "reader@" not in clash.text


async def test_rights_403_and_zone_not_for_role_422(client, demo):
    branch, zone, day = await coworking()
    reader = await bearer(client, READER)
    override = await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 7), at(branch, day, 8), override_hours=True), headers=reader)
    assert override.status_code == 403
    _b, room = await zone_named("centralnaya", "Кабинет профконсультаций")
    not_for_readers = await client.post("/api/v1/bookings", json=body(room, at(branch, day, 10), at(branch, day, 11), headcount=1), headers=reader)
    assert not_for_readers.status_code == 422 and not_for_readers.json()["errors"][0]["field"] == "zone_id"
    unknown = await client.post("/api/v1/bookings", json={**body(zone, at(branch, day, 10), at(branch, day, 11)), "zone_id": 999999}, headers=reader)
    assert unknown.status_code == 404


async def test_recurring_series_all_or_nothing_or_skip(client, demo):
    branch, zone, day = await coworking()
    week2 = day + timedelta(days=7)
    await client.post("/api/v1/bookings", json=body(zone, at(branch, week2, 17), at(branch, week2, 18)), headers=await bearer(client, TEEN))
    reader = await bearer(client, READER)
    series = body(zone, at(branch, day, 16), at(branch, day, 18), recurrence={"freq": "weekly", "interval": 1, "count": 3})
    clash = await client.post("/api/v1/bookings", json=series, headers=reader)
    assert clash.status_code == 409 and [c["date"] for c in clash.json()["conflicts"]] == [week2.isoformat()]
    skipping = await client.post("/api/v1/bookings", json={**series, "skip_conflicts": True}, headers=reader)
    assert skipping.status_code == 201
    data = skipping.json()
    assert len(data["bookings"]) == 2 and data["series_id"] and [s["date"] for s in data["skipped"]] == [week2.isoformat()]
    rest = await client.post(f"/api/v1/bookings/{data['bookings'][0]['id']}/cancel", json={"scope": "rest"}, headers=reader)
    assert rest.status_code == 200 and [b["status"] for b in rest.json()["bookings"]] == ["cancelled", "cancelled"]


async def test_listing_bookings_staff_by_zone_readers_their_own(client, demo):
    branch, zone, day = await coworking()
    reader, teen = await bearer(client, READER), await bearer(client, TEEN)
    mine = (await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 10), at(branch, day, 11)), headers=reader)).json()
    theirs = (await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 12), at(branch, day, 13)), headers=teen)).json()
    own = await client.get("/api/v1/bookings", params={"zone_id": zone.id}, headers=reader)
    assert own.status_code == 200 and mine["id"] in {b["id"] for b in own.json()["items"]} and theirs["id"] not in {b["id"] for b in own.json()["items"]}
    staff = await client.get("/api/v1/bookings", params={"zone_id": zone.id, "start": day.isoformat(), "end": day.isoformat()}, headers=await bearer(client, staff_of("centralnaya")))
    assert staff.status_code == 200 and [b["id"] for b in staff.json()["items"]] == [mine["id"], theirs["id"]]
    other = await client.get("/api/v1/bookings", params={"zone_id": zone.id}, headers=await bearer(client, staff_of("chekhov")))
    assert other.status_code == 403
    assert (await client.get(f"/api/v1/bookings/{theirs['id']}", headers=reader)).status_code == 403
    assert (await client.get("/api/v1/bookings/999999", headers=reader)).status_code == 404
    assert (await client.get("/api/v1/bookings", params={"status": "lost"}, headers=reader)).status_code == 422


async def test_approve_and_decline_over_http(client, demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    reader = await bearer(client, READER)
    first = (await client.post("/api/v1/bookings", json=body(hall, at(branch, day, 12), at(branch, day, 13)), headers=reader)).json()
    second = (await client.post("/api/v1/bookings", json=body(hall, at(branch, day, 15), at(branch, day, 16)), headers=reader)).json()
    assert first["status"] == "pending"
    assert (await client.post(f"/api/v1/bookings/{first['id']}/approve", headers=reader)).status_code == 403
    assert (await client.post(f"/api/v1/bookings/{first['id']}/approve", headers=await bearer(client, staff_of("dialog")))).status_code == 403
    staff = await bearer(client, staff_of("chekhov"))
    approved = await client.post(f"/api/v1/bookings/{first['id']}/approve", headers=staff)
    assert approved.status_code == 200 and approved.json()["bookings"][0]["status"] == "confirmed"
    assert (await client.post(f"/api/v1/bookings/{first['id']}/approve", headers=staff)).status_code == 409
    no_reason = await client.post(f"/api/v1/bookings/{second['id']}/decline", json={"reason": ""}, headers=staff)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    declined = await client.post(f"/api/v1/bookings/{second['id']}/decline", json={"reason": "Санитарная обработка зала"}, headers=staff)
    assert declined.status_code == 200 and declined.json()["bookings"][0]["reason"] == "Санитарная обработка зала"
    seen = await client.get(f"/api/v1/bookings/{second['id']}", headers=reader)
    assert seen.json()["status"] == "declined" and seen.json()["reason"] == "Санитарная обработка зала"


async def test_reschedule_over_http(client, demo):
    branch, zone, day = await coworking()
    reader = await bearer(client, READER)
    created = (await client.post("/api/v1/bookings", json=body(zone, at(branch, day, 10), at(branch, day, 11)), headers=reader)).json()
    moved = await client.post(f"/api/v1/bookings/{created['id']}/reschedule", json={"starts_at": at(branch, day, 13).isoformat(), "ends_at": at(branch, day, 14).isoformat()}, headers=reader)
    assert moved.status_code == 200 and datetime.fromisoformat(moved.json()["starts_at"]) == at(branch, day, 13)
    early = await client.post(f"/api/v1/bookings/{created['id']}/end", headers=reader)
    assert early.status_code == 422


async def test_every_rooms_endpoint_is_in_the_openapi_schema_with_a_summary(client):
    schema = (await client.get("/schema/openapi.json")).json()
    wanted = {
        ("get", "/api/v1/zones"),
        ("get", "/api/v1/zones/{zone_id}"),
        ("get", "/api/v1/zones/{zone_id}/availability"),
        ("get", "/api/v1/branches/{slug}/week"),
        ("post", "/api/v1/bookings"),
        ("get", "/api/v1/bookings"),
        ("get", "/api/v1/bookings/{booking_id}"),
        ("post", "/api/v1/bookings/{booking_id}/cancel"),
        ("post", "/api/v1/bookings/{booking_id}/approve"),
        ("post", "/api/v1/bookings/{booking_id}/decline"),
    }
    for method, path in wanted:
        assert schema["paths"][path][method]["summary"], (method, path)
