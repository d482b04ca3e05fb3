"""The schools, programmes and visits API: the names clients rely on, the lifecycle over HTTP, and bad input."""

from datetime import timedelta

from tests.conftest import bearer
from tests.schools.conftest import hall_id, local, open_day, programme_id


async def visit_body(day, **overrides) -> dict:
    body = {
        "programme_id": await programme_id(),
        "branch": "chekhov",
        "windows": [{"starts_at": (await local(day, 11)).isoformat(), "ends_at": (await local(day, 15)).isoformat()}],
        "class_name": "8B",
        "grade": 8,
        "group_size": 24,
        "adults": 2,
        "needs": "Пандус для одного ученика",
        "note": "",
    }
    body.update(overrides)
    return body


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


async def test_schools_for_staff_only(client, demo):
    staff = await bearer(client, "staff.dialog@libspace.local")
    answer = await client.get("/api/v1/schools", headers=staff)
    assert answer.status_code == 200
    assert {"school-5", "school-14", "alekseevskaya", "lyceum-11"} <= {s["slug"] for s in answer.json()["items"]}
    assert (await client.get("/api/v1/schools", headers=await bearer(client, "teacher@libspace.local"))).status_code == 403
    assert (await client.get("/api/v1/schools")).status_code == 401


async def test_programmes_with_the_fields_clients_use(client, demo):
    answer = await client.get("/api/v1/programmes", params={"grade": 9, "branch": "chekhov"})
    assert answer.status_code == 200
    items = answer.json()["items"]
    career = next(p for p in items if p["topic"] == "career")
    assert {"id", "branches", "duration_minutes", "grade_min", "grade_max", "group_min", "group_max", "zone_kinds"} <= set(career)
    assert "chekhov" in career["branches"] and career["duration_minutes"] == 90 and career["zone_kinds"] == ["conference_hall"]
    assert all(p["grade_min"] <= 9 <= p["grade_max"] and "chekhov" in p["branches"] for p in items)
    assert {p["topic"] for p in (await client.get("/api/v1/programmes", params={"topic": "science"})).json()["items"]} == {"science"}
    assert (await client.get(f"/api/v1/programmes/{career['id']}")).json()["title"] == career["title"]
    bad_grade = await client.get("/api/v1/programmes", params={"grade": 12})
    assert bad_grade.status_code == 422 and [e["field"] for e in bad_grade.json()["errors"]] == ["grade"]


async def test_lifecycle_over_http(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    staff = await bearer(client, "staff.chekhov@libspace.local")
    day = await open_day()
    created = await client.post("/api/v1/visits", json=await visit_body(day), headers=teacher)
    assert created.status_code == 201, created.text
    visit = created.json()
    assert {"id", "status", "zone_id", "starts_at", "ends_at"} <= set(visit)
    assert (visit["status"], visit["zone_id"], visit["starts_at"], visit["class_name"]) == ("requested", None, None, "8B")
    url = f"/api/v1/visits/{visit['id']}"

    suggestions = (await client.get(f"{url}/suggestions", headers=staff)).json()
    assert suggestions[0]["action"] == "confirm" and suggestions[0]["in_window"] == 0

    later = await open_day(weekday=3)
    proposed = await client.post(f"{url}/propose", json={"starts_at": (await local(later, 14)).isoformat()}, headers=staff)
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed" and proposed.json()["zone_id"] == await hall_id()
    accepted = await client.post(f"{url}/accept", headers=teacher)
    assert accepted.status_code == 200 and accepted.json()["status"] == "confirmed"
    assert accepted.json()["starts_at"] == (await local(later, 14)).isoformat()
    assert accepted.json()["ends_at"] == (await local(later, 15, 30)).isoformat()
    again = await client.post(f"{url}/confirm", json={"zone_id": await hall_id(), "starts_at": (await local(day, 11)).isoformat()}, headers=staff)
    assert again.status_code == 409
    cancelled = await client.post(f"{url}/cancel", json={"reason": "Экзамены"}, headers=teacher)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.post(f"{url}/confirm", json={"zone_id": await hall_id(), "starts_at": (await local(day, 11)).isoformat()}, headers=staff)).status_code == 409
    history = (await client.get(url, headers=teacher)).json()["history"]
    assert [h["to_status"] for h in history] == ["requested", "proposed", "confirmed", "cancelled"]


async def test_confirm_and_decline_over_http(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    staff = await bearer(client, "staff.chekhov@libspace.local")
    day = await open_day()
    first = (await client.post("/api/v1/visits", json=await visit_body(day), headers=teacher)).json()
    second = (await client.post("/api/v1/visits", json=await visit_body(day, class_name="9В", grade=9), headers=teacher)).json()
    naive_local_time = (await local(day, 12)).replace(tzinfo=None).isoformat()  # no offset: the branch's time
    confirmed = await client.post(f"/api/v1/visits/{first['id']}/confirm", json={"zone_id": await hall_id(), "starts_at": naive_local_time}, headers=staff)
    assert confirmed.status_code == 200 and confirmed.json()["starts_at"] == (await local(day, 12)).isoformat()
    clash = await client.post(f"/api/v1/visits/{second['id']}/confirm", json={"zone_id": await hall_id(), "starts_at": (await local(day, 13)).isoformat()}, headers=staff)
    assert clash.status_code == 409 and clash.json()["conflicts"]
    no_reason = await client.post(f"/api/v1/visits/{second['id']}/decline", headers=staff)
    assert no_reason.status_code == 422 and error_fields(no_reason) == ["reason"]
    declined = await client.post(f"/api/v1/visits/{second['id']}/decline", json={"reason": "Зал занят"}, headers=staff)
    assert declined.json()["status"] == "declined" and declined.json()["decline_reason"] == "Зал занят"
    mine = (await client.get("/api/v1/visits", params={"status": ["confirmed", "declined"]}, headers=teacher)).json()
    assert {v["id"] for v in mine["items"]} >= {first["id"], second["id"]} and all(v["school"] == "school-5" for v in mine["items"])
    theirs = (await client.get("/api/v1/visits", headers=staff)).json()
    assert all(v["branch"] == "chekhov" for v in theirs["items"]) and theirs["total"] >= 2


async def test_bad_input_is_422_naming_the_field(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    day = await open_day()
    cases = [
        ({"group_size": 0}, "group_size"),
        ({"group_size": 31}, "group_size"),
        ({"grade": 5, "class_name": "5B"}, "grade"),
        ({"windows": [{"starts_at": (await local(day, 18)).isoformat(), "ends_at": (await local(day, 19, 30)).isoformat()}]}, "windows"),
        ({"windows": []}, "windows"),
        ({"windows": [{"starts_at": "2030-01-01T10:00:00+09:00", "ends_at": "soon"}]}, "windows[0].ends_at"),
        ({"branch": "no-such-branch"}, "branch"),
        ({"group_size": "many"}, "group_size"),
    ]
    for overrides, field in cases:
        answer = await client.post("/api/v1/visits", json=await visit_body(day, **overrides), headers=teacher)
        assert answer.status_code == 422, (overrides, answer.text)
        assert field in error_fields(answer), (overrides, answer.json())
    missing = await client.post("/api/v1/visits", json={"programme_id": await programme_id()}, headers=teacher)
    assert missing.status_code == 422


async def test_another_schools_visit_is_403(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    other = await bearer(client, "teacher.school-14@libspace.local")
    other_staff = await bearer(client, "staff.dialog@libspace.local")
    visit = (await client.post("/api/v1/visits", json=await visit_body(await open_day()), headers=teacher)).json()
    url = f"/api/v1/visits/{visit['id']}"
    assert (await client.get(url, headers=other)).status_code == 403
    assert (await client.post(f"{url}/cancel", headers=other)).status_code == 403
    assert (await client.post(f"{url}/decline", json={"reason": "нет"}, headers=other_staff)).status_code == 403
    assert (await client.post(f"{url}/confirm", json={"zone_id": await hall_id(), "starts_at": (await local(await open_day(), 11)).isoformat()}, headers=teacher)).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (await client.get("/api/v1/visits/999999", headers=teacher)).status_code == 404
    pending_teacher = await bearer(client, "new.teacher@libspace.local")
    assert (await client.post("/api/v1/visits", json=await visit_body(await open_day()), headers=pending_teacher)).status_code == 403
    assert (await client.get("/api/v1/visits", headers=pending_teacher)).status_code == 403


async def test_propose_with_a_zone_and_the_school_declines(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    staff = await bearer(client, "staff.chekhov@libspace.local")
    day = await open_day()
    visit = (await client.post("/api/v1/visits", json=await visit_body(day), headers=teacher)).json()
    url = f"/api/v1/visits/{visit['id']}"
    reading = await hall_id("chekhov", "reading_hall")
    wrong_zone = await client.post(f"{url}/propose", json={"starts_at": (await local(day + timedelta(days=1), 11)).isoformat(), "zone_id": reading}, headers=staff)
    assert wrong_zone.status_code == 422 and error_fields(wrong_zone) == ["zone_id"]
    proposed = await client.post(f"{url}/propose", json={"starts_at": (await local(day + timedelta(days=1), 11)).isoformat(), "zone_id": await hall_id()}, headers=staff)
    assert proposed.json()["status"] == "proposed"
    declined = await client.post(f"{url}/decline", headers=teacher)
    assert declined.status_code == 200 and declined.json()["status"] == "declined" and declined.json()["zone_id"] is None
