"""The branches' administration API: create, edit (a renamed slug redirects), deactivate and reactivate; the
weekly hours, exceptions and closures, and an hours change that would strand bookings (409, keep, cancel)."""

import json
from datetime import time, timedelta

from src.audit import service as audit_service
from src.notifications.tables import Outbox
from src.rooms.tables import Booking
from tests import dates
from tests.conftest import bearer

NEW = {"slug": "zeya", "name": "Библиотека на Зее", "name_en": "Zeya Library", "short_name": "На Зее", "address": "ул. Зейская, 1",
       "latitude": 50.26, "longitude": 127.53, "phone": "+7 4162 11-11-11", "email": "zeya@example.org", "website": "https://example.org/zeya", "timezone": "Asia/Yakutsk"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def test_admin_creates_edits_renames_deactivates_and_reactivates(client, demo):
    admin = await bearer(client, "admin@libspace.local")
    made = await client.post("/api/v1/branches", json=NEW, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["name_en"] == "Zeya Library" and made.json()["is_active"]
    again = await client.post("/api/v1/branches", json=NEW, headers=admin)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "slug"
    bad = await client.post("/api/v1/branches", json={**NEW, "slug": "zeya-2", "timezone": "Mars/Base", "email": "nope"}, headers=admin)
    assert bad.status_code == 422 and {error["field"] for error in bad.json()["errors"]} == {"timezone", "email"}

    renamed = await client.patch("/api/v1/branches/zeya", json={"slug": "na-zee", "name": "Библиотека «На Зее»"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["slug"] == "na-zee"
    old = await client.get("/api/v1/branches/zeya", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"].endswith("/api/v1/branches/na-zee")
    assert (await client.get("/api/v1/branches/na-zee")).status_code == 200
    taken = await client.patch("/api/v1/branches/centralnaya", json={"slug": "zeya"}, headers=admin)
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "slug"

    assert (await client.post("/api/v1/branches/na-zee/deactivate", headers=admin)).json()["is_active"] is False
    assert (await client.get("/api/v1/branches/na-zee")).status_code == 404
    listed = (await client.get("/api/v1/branches", params={"page_size": 500})).json()["items"]
    assert "na-zee" not in {item["slug"] for item in listed}
    assert (await client.post("/api/v1/branches/na-zee/reactivate", headers=admin)).json()["is_active"] is True
    assert (await client.get("/api/v1/branches/na-zee")).status_code == 200

    branch_id = made.json()["id"]
    actions = [entry.action for entry in await audit_service.of_object("branch", branch_id)]
    assert actions == ["create", "update", "deactivate", "reactivate"]


async def test_who_may_do_what(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    reader = await bearer(client, "reader@libspace.local")
    teacher = await bearer(client, "teacher@libspace.local")
    for headers in (staff, reader, teacher):
        assert (await client.post("/api/v1/branches", json=NEW, headers=headers)).status_code == 403
        assert (await client.patch("/api/v1/branches/chekhov", json={"name": "X"}, headers=headers)).status_code == 403
        assert (await client.post("/api/v1/branches/chekhov/deactivate", headers=headers)).status_code == 403
    week = {"weekly": {"mon": [{"opens": "10:00", "closes": "19:00"}]}, "on_conflict": "keep"}
    assert (await client.put("/api/v1/branches/centralnaya/hours", json=week, headers=staff)).status_code == 403  # another branch
    for headers in (reader, teacher):
        assert (await client.put("/api/v1/branches/chekhov/hours", json=week, headers=headers)).status_code == 403
    assert (await client.put("/api/v1/branches/chekhov/hours", json=week)).status_code == 401
    closure = {"date": dates.today().isoformat(), "reason": "x"}
    assert (await client.post("/api/v1/branches/centralnaya/closures", json=closure, headers=staff)).status_code == 403
    assert (await client.post("/api/v1/branches/centralnaya/exceptions", json=closure, headers=staff)).status_code == 403


async def test_weekly_hours_read_and_replace(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    hours = (await client.get("/api/v1/branches/chekhov/hours")).json()
    assert set(hours["weekly"]) == set(WEEKDAYS) and hours["weekly"]["mon"] == [{"opens": "11:00", "closes": "20:00"}] and hours["weekly"]["sun"] == []
    overlapping = {"weekly": {"mon": [{"opens": "10:00", "closes": "14:00"}, {"opens": "13:00", "closes": "19:00"}], "tue": [{"opens": "19:00", "closes": "10:00"}]}, "on_conflict": "keep"}
    bad = await client.put("/api/v1/branches/chekhov/hours", json=overlapping, headers=staff)
    assert bad.status_code == 422, bad.text
    assert {error["field"] for error in bad.json()["errors"]} == {"weekly.mon[1].opens", "weekly.tue[0].closes"}
    assert (await client.put("/api/v1/branches/chekhov/hours", json={"weekly": {"xyz": []}}, headers=staff)).status_code == 422
    assert (await client.put("/api/v1/branches/chekhov/hours", json={"weekly": {}, "on_conflict": "maybe"}, headers=staff)).status_code == 422
    lunch = {"weekly": {day: [{"opens": "11:00", "closes": "14:00"}, {"opens": "15:00", "closes": "20:00"}] for day in WEEKDAYS[:5]}, "on_conflict": "keep"}
    done = await client.put("/api/v1/branches/chekhov/hours", json=lunch, headers=staff)
    assert done.status_code == 200, done.text
    assert done.json()["weekly"]["fri"] == [{"opens": "11:00", "closes": "14:00"}, {"opens": "15:00", "closes": "20:00"}] and done.json()["weekly"]["sat"] == []
    branch = await dates.branch("chekhov")
    monday = branch.schedule.day(dates.next_weekday(0, after_days=400))  # far ahead: no closure on it
    assert monday.exceptional or monday.intervals == ((time(11), time(14)), (time(15), time(20)))


async def _booked(client, reader) -> tuple[dict, object]:
    """A reader's booking of the central library's coworking zone on an ordinary open day, and that day."""
    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    on = dates.open_day(zone.schedule, after_days=3)
    start = dates.opening(zone.schedule, on, branch.tz, after_minutes=120)
    made = await client.post("/api/v1/bookings", json={"zone_id": zone.id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "purpose": "Курсовая"}, headers=reader)
    assert made.status_code == 201, made.text
    return made.json(), on


def _closing_day(hours: dict, on) -> dict:
    """The weekly pattern with ``on``'s weekday closed."""
    weekly = dict(hours["weekly"])
    weekly[WEEKDAYS[on.weekday()]] = []
    return {"weekly": weekly}


async def test_an_hours_change_never_strands_a_booking_silently(client, demo):
    reader = await bearer(client, "reader@libspace.local")
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    booking, on = await _booked(client, reader)
    hours = (await client.get("/api/v1/branches/centralnaya/hours")).json()
    change = _closing_day(hours, on)

    refused = await client.put("/api/v1/branches/centralnaya/hours", json=change, headers=staff)
    assert refused.status_code == 409, refused.text
    mine = [item for item in refused.json()["affected"] if (item["kind"], item["id"]) == ("booking", booking["id"])]  # the demo's may be there too
    assert len(mine) == 1 and {"starts_at", "ends_at"} <= set(mine[0])
    assert (await client.get("/api/v1/branches/centralnaya/hours")).json() == hours  # nothing half-applied

    kept = await client.put("/api/v1/branches/centralnaya/hours", json={**change, "on_conflict": "keep"}, headers=staff)
    assert kept.status_code == 200, kept.text
    assert booking["id"] in [item["id"] for item in kept.json()["kept"]]
    row = await Booking.select(Booking.status, Booking.override_hours).where(Booking.id == booking["id"]).first()
    assert row == {"status": "confirmed", "override_hours": True}
    assert [entry.action for entry in await audit_service.of_object("booking", booking["id"])][-1] == "keep_outside_hours"


async def test_cancelling_what_an_hours_change_strands_tells_each_person(client, demo):
    reader = await bearer(client, "reader@libspace.local")
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    booking, on = await _booked(client, reader)
    hours = (await client.get("/api/v1/branches/centralnaya/hours")).json()
    done = await client.put("/api/v1/branches/centralnaya/hours", json={**_closing_day(hours, on), "on_conflict": "cancel", "reason": "Сокращаем часы"}, headers=staff)
    assert done.status_code == 200, done.text
    assert booking["id"] in [item["id"] for item in done.json()["cancelled"]]
    row = await Booking.select(Booking.status, Booking.reason, Booking.holder).where(Booking.id == booking["id"]).first()
    assert (row["status"], row["reason"]) == ("cancelled", "Сокращаем часы")
    messages = await Outbox.select(Outbox.kind, Outbox.payload).where((Outbox.recipient == row["holder"]) & (Outbox.kind == "booking_cancelled"))
    payloads = [message["payload"] if isinstance(message["payload"], dict) else json.loads(message["payload"]) for message in messages]
    assert [payload["booking_id"] for payload in payloads].count(booking["id"]) == 1
    assert [(entry.action, entry.actor_role) for entry in await audit_service.of_object("booking", booking["id"])][-1] == ("cancel", "staff")
    branch = await dates.branch("centralnaya")
    last = (await audit_service.of_object("branch", branch.id))[-1]
    assert (last.action, last.actor_role) == ("update_hours", "staff")


async def test_exceptions_and_closures(client, demo):
    reader = await bearer(client, "reader@libspace.local")
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    booking, on = await _booked(client, reader)
    short = {"date": on.isoformat(), "reason": "Предпраздничный день", "hours": [{"opens": "10:00", "closes": "11:00"}]}
    refused = await client.post("/api/v1/branches/centralnaya/exceptions", json=short, headers=staff)
    assert refused.status_code == 409 and booking["id"] in [item["id"] for item in refused.json()["affected"]]
    inverted = await client.post("/api/v1/branches/centralnaya/exceptions", json={**short, "hours": [{"opens": "12:00", "closes": "11:00"}]}, headers=staff)
    assert inverted.status_code == 422 and inverted.json()["errors"][0]["field"] == "hours[0].closes"
    made = await client.post("/api/v1/branches/centralnaya/exceptions", json={**short, "on_conflict": "keep"}, headers=staff)
    assert made.status_code == 201, made.text
    assert made.json()["hours"] == [{"opens": "10:00", "closes": "11:00"}] and booking["id"] in [item["id"] for item in made.json()["kept"]]
    listed = (await client.get("/api/v1/branches/centralnaya/exceptions")).json()
    assert {"date": on.isoformat(), "reason": "Предпраздничный день", "hours": [{"opens": "10:00", "closes": "11:00"}], "kept": [], "cancelled": []} in listed
    removed = await client.post(f"/api/v1/branches/centralnaya/exceptions/{on.isoformat()}/remove", json={}, headers=staff)  # the kept booking stays kept
    assert removed.status_code == 200, removed.text
    assert on.isoformat() not in [item["date"] for item in (await client.get("/api/v1/branches/centralnaya/exceptions")).json()]
    assert (await client.post(f"/api/v1/branches/centralnaya/exceptions/{on.isoformat()}/remove", json={}, headers=staff)).status_code == 404

    closed_on = on + timedelta(days=1)
    closure = await client.post("/api/v1/branches/centralnaya/closures", json={"date": closed_on.isoformat(), "reason": "Ремонт", "kind": "repair"}, headers=staff)
    assert closure.status_code == 201, closure.text
    assert closure.json()["id"] in [item["id"] for item in (await client.get("/api/v1/branches/centralnaya/closures")).json()]
    bad = await client.post("/api/v1/branches/centralnaya/closures", json={"date": closed_on.isoformat(), "reason": "Ремонт", "kind": "party"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"


async def test_events_held_in_a_zone_are_cancelled_by_their_own_domain(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    branch = await dates.branch("chekhov")
    hall = next(zone for zone in branch.zones if zone.name == "Конференц-зал")
    on = dates.open_day(hall.schedule, after_days=3)
    start = dates.opening(hall.schedule, on, branch.tz, after_minutes=120)
    body = {"title": "Лекция", "category": "lecture", "branch": "chekhov", "zone_id": hall.id, "capacity": 10, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    made = await client.post("/api/v1/events", json=body, headers=staff)
    assert made.status_code == 201, made.text
    event_id = made.json()["event"]["id"]
    walk = await client.post("/api/v1/events", json={**body, "title": "Прогулка от входа", "zone_id": None}, headers=staff)  # no zone: the branch's hours
    assert walk.status_code == 201, walk.text
    walk_id = walk.json()["event"]["id"]
    hours = (await client.get("/api/v1/branches/chekhov/hours")).json()
    change = _closing_day(hours, on)
    refused = await client.put("/api/v1/branches/chekhov/hours", json=change, headers=staff)
    assert refused.status_code == 409 and {("event", event_id), ("event", walk_id)} <= {(item["kind"], item["id"]) for item in refused.json()["affected"]}
    done = await client.put("/api/v1/branches/chekhov/hours", json={**change, "on_conflict": "cancel", "reason": "Ремонт зала"}, headers=staff)
    assert done.status_code == 200, done.text
    for cancelled in (event_id, walk_id):
        assert (await client.get(f"/api/v1/events/{cancelled}")).json()["event"]["status"] == "cancelled"


async def test_a_zone_has_its_own_hours_inside_the_branch(client, demo):
    reader = await bearer(client, "reader@libspace.local")
    staff = await bearer(client, "staff.centralnaya@libspace.local")
    booking, on = await _booked(client, reader)  # 2 hours after opening, for an hour
    zone_id = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=reader)).json()["zone_id"]
    branch_hours = (await client.get("/api/v1/branches/centralnaya/hours")).json()["weekly"]
    closed_day = next(day for day in WEEKDAYS if not branch_hours[day])
    outside = await client.put(f"/api/v1/zones/{zone_id}/hours", json={"weekly": {closed_day: [{"opens": "10:00", "closes": "12:00"}]}}, headers=staff)
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == f"weekly.{closed_day}[0].opens"
    afternoons = {day: [{"opens": "16:00", "closes": "18:00"}] for day in WEEKDAYS if branch_hours[day]}
    refused = await client.put(f"/api/v1/zones/{zone_id}/hours", json={"weekly": afternoons}, headers=staff)
    assert refused.status_code == 409 and booking["id"] in [item["id"] for item in refused.json()["affected"]]
    kept = await client.put(f"/api/v1/zones/{zone_id}/hours", json={"weekly": afternoons, "on_conflict": "keep"}, headers=staff)
    assert kept.status_code == 200, kept.text
    assert (await client.get(f"/api/v1/zones/{zone_id}/hours")).json()["weekly"][WEEKDAYS[on.weekday()]] == [{"opens": "16:00", "closes": "18:00"}]
    zone = next(item for item in (await dates.branch("centralnaya")).zones if item.id == zone_id)
    assert zone.schedule.day(on).intervals == ((time(16), time(18)),) or zone.schedule.day(on).exceptional
    other = await bearer(client, "staff.chekhov@libspace.local")
    assert (await client.put(f"/api/v1/zones/{zone_id}/hours", json={"weekly": {}}, headers=other)).status_code == 403
    back = await client.put(f"/api/v1/zones/{zone_id}/hours", json={"weekly": {}}, headers=staff)
    assert back.status_code == 200 and all(not intervals for intervals in back.json()["weekly"].values())
