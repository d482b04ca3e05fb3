"""The events API: names and shapes clients rely on, and every bad input of the issue (nothing written)."""

from __future__ import annotations

from datetime import date, timedelta

from src.events.tables import Event, Registration
from src.timeutil import now_utc
from tests.conftest import bearer
from tests.events.conftest import during_opening, make_readers, new_event, soon


def _iso(moment) -> str:
    return moment.isoformat()


async def _staff(client):
    return await bearer(client, "staff.chekhov@libspace.local")


EVENT = {
    "title": "Профессия: врач",
    "description": "**Встреча** с хирургом областной больницы.\n\n<script>alert(1)</script>",
    "category": "career_workshop",
    "branch": "chekhov",
    "capacity": 20,
    "min_age": 14,
    "max_age": 18,
    "waitlist": True,
    "profession_types": ["people", "nature"],
    "host_name": "Ирина Ким",
    "host_profession": "хирург",
    "host_organisation": "Амурская областная больница",
}


async def test_create_list_filter_and_detail(client, demo):
    headers = await _staff(client)
    start = soon(5)
    created = await client.post("/api/v1/events", json={**EVENT, "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=2))}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    event_id = body["event"]["id"]
    assert body["event"]["seats_left"] == 20 and body["event"]["branch"] == "chekhov" and body["event"]["host"]["profession"] == "хирург"
    assert "<strong>Встреча</strong>" in body["description_html"] and "<script>" not in body["description_html"]
    lecture = await client.post("/api/v1/events", json={**EVENT, "title": "Лекция о Зее", "category": "lecture", "min_age": None, "max_age": None, "branch": "dialog",
                                                        "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=1))}, headers=await bearer(client, "staff.dialog@libspace.local"))
    assert lecture.status_code == 201, lecture.text
    found = await client.get("/api/v1/events", params={"category": "career_workshop", "age": 15, "branch": "chekhov", "free_only": "true", "q": "ВРАЧ"})
    assert [item["id"] for item in found.json()["items"]] == [event_id]
    assert (await client.get("/api/v1/events", params={"age": 30, "category": "career_workshop"})).json()["total"] == 0
    day = (start + timedelta(hours=9)).date().isoformat()
    assert (await client.get("/api/v1/events", params={"start": day, "end": day})).json()["total"] == 2
    assert (await client.get("/api/v1/events", params={"category": "party"})).status_code == 422
    detail = await client.get(f"/api/v1/events/{event_id}")
    assert detail.status_code == 200 and detail.json()["my_registration"] is None


async def test_sign_up_answers_201_with_status_and_position(client, staff):
    event_id = await new_event(staff, capacity=1, max_age=None)
    headers = await bearer(client, "teen@libspace.local")
    first = await client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "confirmed" and first.json()["waitlist_position"] is None
    student = await bearer(client, "student@libspace.local")
    second = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=student)
    assert second.status_code == 201 and second.json()["status"] == "waitlisted" and second.json()["waitlist_position"] == 1
    mine = await client.get("/api/v1/me/registrations", headers=student)
    assert mine.json()["items"][0]["waitlist_position"] == 1 and mine.json()["items"][0]["event"]["id"] == event_id
    detail = await client.get(f"/api/v1/events/{event_id}", headers=headers)
    assert detail.json()["my_registration"]["status"] == "confirmed" and detail.json()["waitlist_count"] == 1


async def test_outside_window_is_422_with_the_window(client, staff):
    opens = now_utc() + timedelta(days=1)
    event_id = await new_event(staff, registration_opens_at=opens)
    answer = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=await bearer(client, "teen@libspace.local"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["registration_opens_at"] and body["registration_closes_at"] and body["detail"]
    assert await Registration.count() == 0


async def test_wrong_age_is_422_with_the_reason(client, staff):
    event_id = await new_event(staff)  # 14-18
    answer = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=await bearer(client, "reader@libspace.local", ))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "age"
    assert "18" in answer.json()["detail"]
    assert await Registration.count() == 0


async def test_full_without_waitlist_and_second_sign_up_are_409(client, staff):
    event_id = await new_event(staff, capacity=1, waitlist=False, max_age=None)
    teen = await bearer(client, "teen@libspace.local")
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=teen)).status_code == 201
    again = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=teen)
    assert again.status_code == 409
    full = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=await bearer(client, "student@libspace.local"))
    assert full.status_code == 409
    assert await Registration.count() == 1


async def test_capacity_below_confirmed_is_422(client, staff):
    event_id = await new_event(staff, capacity=3)
    for reader in await make_readers(2):
        from src.events import service as events_service

        await events_service.sign_up(reader, event_id)
    headers = await _staff(client)
    answer = await client.patch(f"/api/v1/events/{event_id}", json={"capacity": 1}, headers=headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "capacity"
    assert (await Event.select(Event.capacity).where(Event.id == event_id).first())["capacity"] == 3
    moved = await client.patch(f"/api/v1/events/{event_id}", json={"capacity": 2, "title": "Новое название"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["event"]["seats_left"] == 0


async def test_check_in_wrong_ticket_is_422_and_nothing_written(client, staff, frozen_clock):
    start = await during_opening(frozen_clock) + timedelta(minutes=20)
    today_id = await new_event(staff, starts_at=start, ends_at=start + timedelta(hours=2))
    other_day = await new_event(staff, starts_at=start + timedelta(days=3), title="Через три дня")
    teen = await bearer(client, "teen@libspace.local")
    ticket = (await client.post(f"/api/v1/events/{other_day}/registrations", json={}, headers=teen)).json()["ticket_code"]
    headers = await _staff(client)
    wrong = await client.post("/api/v1/checkins", json={"code": ticket, "event": today_id}, headers=headers)
    assert wrong.status_code == 422
    wrong_day = await client.post("/api/v1/checkins", json={"code": ticket}, headers=headers)
    assert wrong_day.status_code == 422
    assert await Registration.count().where(Registration.checked_in_at.is_not_null()) == 0
    mine = (await client.post(f"/api/v1/events/{today_id}/registrations", json={}, headers=teen)).json()
    done = await client.post("/api/v1/checkins", json={"code": mine["ticket_code"]}, headers=headers)
    assert done.status_code == 200 and done.json()["full_name"] == "Максим Дмитриевич Орлов" and not done.json()["already_checked_in"]
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.post("/api/v1/checkins", json={"code": mine["ticket_code"]}, headers=reader)).status_code == 403


async def test_staff_signs_up_walk_in_by_card(client, staff, demo):
    event_id = await new_event(staff, min_age=None, max_age=None, category="family")
    headers = await _staff(client)
    answer = await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": demo.card_for("0003"), "seats": 1}, headers=headers)
    assert answer.status_code == 201 and answer.json()["status"] == "confirmed"
    listed = await client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)
    assert listed.json()["items"][0]["full_name"] == "Софья Андреевна Ли"
    other = await bearer(client, "staff.dialog@libspace.local")
    assert (await client.get(f"/api/v1/events/{event_id}/registrations", headers=other)).status_code == 403
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": demo.card_for("0001")}, headers=other)).status_code == 403


async def test_cancel_event_keeps_it_listed(client, staff):
    event_id = await new_event(staff)
    headers = await _staff(client)
    answer = await client.post(f"/api/v1/events/{event_id}/cancel", json={"reason": "Ремонт"}, headers=headers)
    assert answer.status_code == 200 and answer.json()["event"]["status"] == "cancelled" and answer.json()["cancel_reason"] == "Ремонт"
    listed = await client.get("/api/v1/events")
    assert listed.json()["items"][0]["status"] == "cancelled"
    assert (await client.get("/api/v1/events", params={"free_only": True})).json()["total"] == 0


async def test_bad_event_input_is_422_and_creates_nothing(client, demo):
    headers = await _staff(client)
    start = soon(4)
    bad = {**EVENT, "starts_at": _iso(start), "ends_at": _iso(start - timedelta(hours=1)), "min_age": 18, "max_age": 14, "category": "party"}
    answer = await client.post("/api/v1/events", json=bad, headers=headers)
    assert answer.status_code == 422
    assert {"ends_at", "max_age", "category"} <= {e["field"] for e in answer.json()["errors"]}
    naive = await client.post("/api/v1/events", json={**EVENT, "starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T12:00:00"}, headers=headers)
    assert naive.status_code == 422
    endless = await client.post("/api/v1/events", json={**EVENT, "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=1)), "recurrence": "FREQ=WEEKLY"}, headers=headers)
    assert endless.status_code == 422 and endless.json()["errors"][0]["field"] == "recurrence"
    other_branch = await client.post("/api/v1/events", json={**EVENT, "branch": "dialog", "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=1))}, headers=headers)
    assert other_branch.status_code == 403
    assert await Event.count() == 0


async def test_series_via_api(client, demo):
    headers = await _staff(client)
    start = soon(2)
    answer = await client.post("/api/v1/events", json={**EVENT, "category": "reading_club", "min_age": None, "max_age": None, "starts_at": _iso(start),
                                                       "ends_at": _iso(start + timedelta(hours=1)), "recurrence": "FREQ=MONTHLY;BYDAY=+2TH;COUNT=3"}, headers=headers)
    assert answer.status_code == 201, answer.text
    occurrences = answer.json()["occurrences"]
    assert len(occurrences) == 3
    assert all(date.fromisoformat(o["starts_at"][:10]).weekday() == 3 for o in occurrences[1:])


async def test_openapi_documents_the_events_api(client, demo):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ["/api/v1/events", "/api/v1/events/{event_id}", "/api/v1/events/{event_id}/cancel", "/api/v1/events/{event_id}/registrations",
                 "/api/v1/me/registrations", "/api/v1/registrations/{registration_id}/cancel", "/api/v1/checkins"]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/events"]) and "patch" in paths["/api/v1/events/{event_id}"]


async def test_zone_clash_is_409_and_nothing_is_created(client, demo):
    from tests.events.conftest import wednesday_afternoon, zone_id

    headers = await _staff(client)
    start = await wednesday_afternoon()
    body = {**EVENT, "zone_id": await zone_id(), "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=2))}
    assert (await client.post("/api/v1/events", json=body, headers=headers)).status_code == 201
    clash = await client.post("/api/v1/events", json={**body, "title": "Другое событие в тот же час"}, headers=headers)
    assert clash.status_code == 409 and clash.json()["detail"]
    assert await Event.count() == 1
