"""One convention across the API (issue 16, item 18): every list filter named start and end takes a date or a
date-time with an offset; every resource answers with its id at the top level, the older shapes kept."""

from __future__ import annotations

from datetime import timedelta

from src.events import service as events_service
from tests.conftest import bearer
from tests.dates import today
from tests.events.conftest import new_event, principal, soon


async def test_start_and_end_take_a_date_or_a_date_time_with_an_offset(client, demo):
    day = today() + timedelta(days=3)
    moment = f"{day.isoformat()}T12:00:00+09:00"
    staff = await bearer(client, "staff.chekhov@libspace.local")
    for path in ("/api/v1/events", "/api/v1/guidance/slots", "/feeds/events.ics", "/api/v1/branches/chekhov/week", "/api/v1/stats/summary"):
        by_day = await client.get(path, params={"start": day.isoformat()}, headers=staff)
        by_moment = await client.get(path, params={"start": moment}, headers=staff)
        assert by_day.status_code == 200 and by_moment.status_code == 200, (path, by_day.text, by_moment.text)
        if path != "/feeds/events.ics":
            assert by_day.json() == by_moment.json(), path  # the same day
        wrong = await client.get(path, params={"start": "9 декабря"}, headers=staff)
        assert wrong.status_code == 422, path
        if path != "/feeds/events.ics":
            assert wrong.json()["errors"][0]["field"] == "start", path
    for path in ("/api/v1/events", "/api/v1/guidance/slots", "/api/v1/stats/summary"):
        ranged = await client.get(path, params={"start": day.isoformat(), "end": f"{(day + timedelta(days=6)).isoformat()}T23:00:00+09:00"}, headers=staff)
        assert ranged.status_code == 200, (path, ranged.text)
    zones = (await client.get("/api/v1/zones", params={"branch": "chekhov"})).json()["items"]
    for start in (day.isoformat(), moment):
        assert (await client.get(f"/api/v1/zones/{zones[0]['id']}/availability", params={"start": start})).status_code == 200


async def test_every_resource_answers_with_its_id_at_the_top_level(client, demo):
    headers = await bearer(client, "staff.chekhov@libspace.local")
    start = soon(5)
    body = {"title": "Профессия: геолог", "category": "career_workshop", "branch": "chekhov", "capacity": 10, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat()}
    created = (await client.post("/api/v1/events", json=body, headers=headers)).json()
    assert created["id"] == created["event"]["id"]  # the older nested shape stays
    detail = (await client.get(f"/api/v1/events/{created['id']}")).json()
    assert detail["id"] == detail["event"]["id"] == created["id"]
    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff, starts_at=start, ends_at=start + timedelta(hours=1), min_age=None, max_age=None)
    signed = await events_service.sign_up(await principal("teen@libspace.local"), event_id)
    (attendee,) = (await client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)).json()["items"]
    assert attendee["id"] == attendee["registration_id"] == signed.id
