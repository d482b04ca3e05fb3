"""Every state change of bookings, events, sign-ups, visits, consultations and accounts writes its audit row,
with the actor of the request, in the same transaction."""

from datetime import timedelta

from src.audit import service as audit_service
from src.audit.tables import AuditEntry
from tests import dates
from tests.conftest import bearer
from tests.events.conftest import soon
from tests.guidance.conftest import counsellor, first_free_slot, make_reader, token_for  # noqa: F401 - a fixture
from tests.schools.conftest import hall_id, local, open_day, programme_id


async def history(kind: str, object_id: int) -> list[tuple[str, str, dict]]:
    return [(entry.action, entry.actor_role, entry.changes) for entry in await audit_service.of_object(kind, object_id)]


async def test_a_booking_from_making_to_cancelling(client, demo):
    reader = await bearer(client, "reader@libspace.local")
    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    on = dates.open_day(zone.schedule, after_days=3)
    start = dates.opening(zone.schedule, on, branch.tz, after_minutes=120)
    made = await client.post("/api/v1/bookings", json={"zone_id": zone.id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "purpose": "Курсовая"}, headers=reader)
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    moved = await client.post(f"/api/v1/bookings/{booking_id}/reschedule", json={"starts_at": (start + timedelta(hours=1)).isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}, headers=reader)
    assert moved.status_code == 200, moved.text
    assert (await client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=reader)).status_code == 200
    steps = await history("booking", booking_id)
    assert [(action, role) for action, role, _changes in steps] == [("create", "reader"), ("reschedule", "reader"), ("cancel", "reader")]
    assert steps[0][2]["zone"] == {"before": None, "after": zone.id} and steps[2][2]["status"] == {"before": "confirmed", "after": "cancelled"}
    assert {entry.branch_id for entry in await audit_service.of_object("booking", booking_id)} == {branch.id}


async def test_events_and_sign_ups(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    start = soon(5)
    body = {"title": "Лекция", "category": "lecture", "branch": "chekhov", "capacity": 1, "waitlist": True, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    created = await client.post("/api/v1/events", json=body, headers=staff)
    assert created.status_code == 201, created.text
    event_id = created.json()["event"]["id"]
    assert (await client.patch(f"/api/v1/events/{event_id}", json={"title": "Лекция о Зее"}, headers=staff)).status_code == 200
    first = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=await bearer(client, "reader@libspace.local"))
    second = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=await bearer(client, "student@libspace.local"))
    assert (first.json()["status"], second.json()["status"]) == ("confirmed", "waitlisted")
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.post(f"/api/v1/registrations/{first.json()['id']}/cancel", headers=reader)).status_code == 200
    assert (await client.post(f"/api/v1/events/{event_id}/cancel", json={"reason": "Болезнь лектора"}, headers=staff)).status_code == 200
    event_steps = await history("event", event_id)
    assert [action for action, _role, _changes in event_steps] == ["create", "update", "cancel"]
    assert event_steps[1][2] == {"title": {"before": "Лекция", "after": "Лекция о Зее"}}
    assert [(action, role) for action, role, _c in await history("registration", first.json()["id"])] == [("create", "reader"), ("cancel", "reader")]
    promoted = await history("registration", second.json()["id"])
    assert [(action, role) for action, role, _c in promoted] == [("create", "reader"), ("promote", "reader"), ("cancel", "staff")]


async def test_school_visits(client, demo):
    teacher = await bearer(client, "teacher@libspace.local")
    staff = await bearer(client, "staff.chekhov@libspace.local")
    day = await open_day()
    body = {"programme_id": await programme_id(), "branch": "chekhov", "windows": [{"starts_at": (await local(day, 11)).isoformat(), "ends_at": (await local(day, 15)).isoformat()}],
            "class_name": "8B", "grade": 8, "group_size": 24, "adults": 2, "needs": "", "note": ""}
    visit = (await client.post("/api/v1/visits", json=body, headers=teacher)).json()
    confirmed = await client.post(f"/api/v1/visits/{visit['id']}/confirm", json={"zone_id": await hall_id(), "starts_at": (await local(day, 12)).isoformat()}, headers=staff)
    assert confirmed.status_code == 200, confirmed.text
    steps = await history("visit", visit["id"])
    assert [(action, role) for action, role, _c in steps] == [("create", "teacher"), ("confirm", "staff")]
    assert steps[1][2]["status"] == {"before": "requested", "after": "confirmed"} and steps[1][2]["zone"]["after"] == await hall_id()
    held = await AuditEntry.select().where((AuditEntry.object_kind == "booking") & (AuditEntry.action == "create"))
    assert any('"holder_ref"' in row["changes"] and f'"after":{visit["id"]}' in row["changes"] and row["actor_role"] == "staff" for row in held)


async def test_consultations_never_log_private_notes(client, counsellor):
    reader_id = await make_reader(30)
    headers = await token_for(reader_id)
    slot = await first_free_slot(counsellor)
    booked = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}, headers=headers)
    assert booked.status_code == 201, booked.text
    consultation_id = booked.json()["id"]
    notes = await client.patch(f"/api/v1/guidance/consultations/{consultation_id}", json={"next_steps": "Кружок робототехники", "private_notes": "СЕКРЕТ-семья"}, headers=await token_for(counsellor))
    assert notes.status_code == 200, notes.text
    assert (await client.post(f"/api/v1/guidance/consultations/{consultation_id}/cancel", headers=headers)).status_code == 200
    steps = await history("consultation", consultation_id)
    assert [(action, role) for action, role, _c in steps] == [("create", "reader"), ("write_notes", "counsellor"), ("cancel", "reader")]
    assert steps[1][2] == {"next_steps": {"redacted": True}, "private_notes": {"redacted": True}}
    everything = " ".join(row["changes"] for row in await AuditEntry.select(AuditEntry.changes))
    assert "СЕКРЕТ" not in everything and "робототехники" not in everything


async def test_accounts(client, demo):
    reader = {"full_name": "Алина Тестовая", "birth_date": dates.birth_date(25).isoformat(), "email": "alina.audit@example.ru", "password": "alina-secret-1", "home_branch": "dialog", "consent_personal_data": True}
    created = await client.post("/api/v1/readers", json=reader)
    assert created.status_code == 202, created.text  # with an e-mail the card number goes there (issue 11)
    row = await AuditEntry.select().where((AuditEntry.object_kind == "account") & (AuditEntry.action == "register")).first()
    assert row is not None and row["actor_role"] == "reader" and "alina-secret" not in row["changes"]
    headers = await bearer(client, "alina.audit@example.ru", "alina-secret-1")
    changed = await client.post("/api/v1/me/password", json={"current_password": "alina-secret-1", "new_password": "alina-secret-2"}, headers=headers)
    assert changed.status_code == 204, changed.text
    steps = await history("account", row["object_id"])
    assert [action for action, _r, _c in steps] == ["register", "change_password"]
    assert steps[1][2] == {"password": {"redacted": True}}
