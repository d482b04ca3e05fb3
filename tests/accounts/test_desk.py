"""The desk through the API: search, correct details, replace a lost card, block and unblock on every booking
path, one-time access codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from src.accounts import messages
from src.accounts.tables import RetiredCard
from src.audit.tables import AuditEntry
from src.timeutil import now_utc
from tests.accounts.helpers import imported, sent, years_ago
from tests.conftest import bearer
from tests.events.conftest import new_event, principal, soon
from tests.guidance.conftest import make_counsellor, token_for

STAFF = "staff.chekhov@libspace.local"  # a branch that is not the reader's: the card is valid city-wide


async def _staff(client) -> dict:
    return await bearer(client, STAFF)


async def test_search_by_card_name_email_and_phone(client, demo):
    await imported(card="100200300", name="Пётр Ёлкин", email="petr@example.ru", phone="+79140000001")
    headers = await _staff(client)
    for query in ("100 200 300", "ёлкин", "ПЁТР", "petr@example.ru", "8 914 000-00-01"):
        answer = await client.get("/api/v1/readers", params={"q": query}, headers=headers)
        assert answer.status_code == 200, answer.text
        assert [item["card"]["card_number"] for item in answer.json()["items"]] == ["100200300"], query
    nothing = await client.get("/api/v1/readers", params={"q": "никого-нет"}, headers=headers)
    assert nothing.status_code == 200 and nothing.json()["items"] == []
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.get("/api/v1/readers", params={"q": "ёлкин"}, headers=reader)).status_code == 403
    assert (await client.get("/api/v1/readers", params={"q": "ёлкин"})).status_code == 401


async def test_patch_changes_contacts_and_home_branch_with_an_audit_row_and_a_message(client, demo):
    account_id = await imported()
    headers = await _staff(client)
    answer = await client.patch("/api/v1/readers/100200300", json={"email": "new@example.ru", "phone": "", "home_branch": "dom-semyi"}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["email"] == "new@example.ru" and body["phone"] is None and body["home_branch"] == "dom-semyi"
    entry = await AuditEntry.select().where((AuditEntry.object_id == account_id) & (AuditEntry.action == "update")).first()
    assert entry["actor_name"] == "Сотрудник (chekhov)" and "new@example.ru" in entry["changes"] and "petr@example.ru" in entry["changes"]
    assert len(await sent(messages.DETAILS_CHANGED)) == 1
    nothing_left = await client.patch("/api/v1/readers/100200300", json={"email": ""}, headers=headers)
    assert nothing_left.status_code == 422 and nothing_left.json()["errors"][0]["field"] == "email"
    taken = await client.patch("/api/v1/readers/100200300", json={"email": "reader@libspace.local"}, headers=headers)
    assert taken.status_code == 409
    unknown = await client.patch("/api/v1/readers/100200300", json={"home_branch": "nowhere"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "home_branch"
    assert (await client.patch("/api/v1/readers/999999999", json={"phone": "+79140000002"}, headers=headers)).status_code == 404


async def test_replace_a_lost_card_keeps_everything_and_the_old_number_answers_replaced_by(client, demo):
    staff = await principal(STAFF)
    event_id = await new_event(staff, min_age=None, max_age=None)
    reader = await bearer(client, "reader@libspace.local")
    old_number = (await client.get("/api/v1/me", headers=reader)).json()["card"]["card_number"]
    signed = await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=reader)
    assert signed.status_code == 201, signed.text
    headers = await _staff(client)
    missing_reason = await client.post(f"/api/v1/readers/{old_number}/replace", json={"reason": ""}, headers=headers)
    assert missing_reason.status_code == 422
    answer = await client.post(f"/api/v1/readers/{old_number}/replace", json={"reason": "утеряна"}, headers=headers)
    assert answer.status_code == 200, answer.text
    new_number = answer.json()["card_number"]
    assert new_number != old_number
    old = await client.get(f"/api/v1/readers/{old_number}", headers=headers)
    assert old.status_code == 403 and old.json()["replaced_by"] == new_number and new_number in old.json()["detail"] and "утеряна" in old.json()["detail"]
    hits = (await client.get("/api/v1/readers", params={"q": old_number}, headers=headers)).json()["items"]
    assert [(hit["card"]["card_number"], hit["found_by_replaced_number"]) for hit in hits] == [(new_number, old_number)]
    by_staff = await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": old_number}, headers=headers)
    assert by_staff.status_code == 403 and by_staff.json()["replaced_by"] == new_number
    mine = (await client.get("/api/v1/me/registrations", headers=reader)).json()
    assert [item["event"]["id"] if "event" in item else item["event_id"] for item in mine["items"]] == [event_id]
    assert (await client.get("/api/v1/me", headers=reader)).json()["card"]["card_number"] == new_number
    assert (await client.post("/api/v1/auth/token", json={"login": old_number, "password": "libspace-demo"})).status_code == 401
    assert (await client.post("/api/v1/auth/token", json={"login": new_number, "password": "libspace-demo"})).status_code == 200
    assert await RetiredCard.count() == 1
    (message,) = await sent(messages.CARD_REPLACED)
    assert message["payload"]["new_card"] == new_number
    again = await client.post(f"/api/v1/readers/{new_number}/replace", json={"reason": "испорчена", "new_card_number": old_number}, headers=headers)
    assert again.status_code == 409  # a retired number is never handed out again


async def test_a_blocked_card_is_refused_on_every_booking_path_with_the_reason(client, demo):
    staff = await principal(STAFF)
    event_id = await new_event(staff, min_age=None, max_age=None)
    reader = await bearer(client, "reader@libspace.local")
    card = (await client.get("/api/v1/me", headers=reader)).json()["card"]["card_number"]
    headers = await _staff(client)
    blocked = await client.post(f"/api/v1/readers/{card}/block", json={"reason": "не вернул 5 книг"}, headers=headers)
    assert blocked.status_code == 200 and blocked.json()["blocked"] and blocked.json()["blocked_reason"] == "не вернул 5 книг"
    assert (await client.post(f"/api/v1/readers/{card}/block", json={"reason": "ещё раз"}, headers=headers)).status_code == 409
    me = (await client.get("/api/v1/me", headers=reader)).json()["card"]
    assert me["blocked"] and me["blocked_reason"] == "не вернул 5 книг"  # the reader sees why

    zones = (await client.get("/api/v1/zones", params={"branch": "centralnaya"})).json()
    zone = next(item for item in (zones["items"] if isinstance(zones, dict) else zones) if item["name"] == "Коворкинг")
    start = soon(days=5, hour=12)
    counsellor_id = await make_counsellor()
    attempts = {
        "self sign-up": client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=reader),
        "staff sign-up": client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": card}, headers=headers),
        "booking": client.post("/api/v1/bookings", json={"zone_id": zone["id"], "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}, headers=reader),
        "consultation": client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor_id, "starts_at": start.isoformat()}, headers=reader),
        "staff consultation": client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor_id, "starts_at": start.isoformat(), "card_number": card}, headers=headers),
    }
    for path, attempt in attempts.items():
        answer = await attempt
        assert answer.status_code == 403, (path, answer.text)
        assert "не вернул 5 книг" in answer.json()["detail"] and answer.json()["reason"] == "не вернул 5 книг", path
    assert len(await sent(messages.CARD_BLOCKED)) == 1

    unblocked = await client.post(f"/api/v1/readers/{card}/unblock", json={}, headers=headers)
    assert unblocked.status_code == 200 and not unblocked.json()["blocked"]
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=reader)).status_code == 201
    assert (await client.post(f"/api/v1/readers/{card}/unblock", json={}, headers=headers)).status_code == 409
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(AuditEntry.actor_role == "staff").order_by(AuditEntry.id)]
    assert [action for action in actions if action in ("block", "unblock")] == ["block", "unblock"]  # done by the staff member


async def test_access_code_activates_an_imported_card_at_the_desk(client, demo):
    account_id = await imported(birth=years_ago(40))
    headers = await _staff(client)
    answer = await client.post("/api/v1/readers/100200300/access-code", headers=headers)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    code = body["code"]
    assert len(code) == 19 and code.count("-") == 3 and body["url"].endswith("/activate/" + code.replace("-", ""))
    assert timedelta(days=6, hours=23) < datetime.fromisoformat(body["expires_at"]) - now_utc() <= timedelta(days=7)
    typed = code.lower().replace("-", " ")
    page = await client.get("/activate/code", params={"code": typed}, follow_redirects=True)
    assert page.status_code == 200 and "100200300" in page.text
    done = await client.post("/api/v1/auth/password-reset/confirm", json={"token": typed, "password": "petr-password", "consent_personal_data": True})
    assert done.status_code == 200, done.text
    assert (await client.post("/api/v1/auth/token", json={"login": "100200300", "password": "petr-password"})).status_code == 200
    used = await client.post("/api/v1/auth/password-reset/confirm", json={"token": code, "password": "petr-password-2"})
    assert used.status_code == 410
    assert await AuditEntry.exists().where((AuditEntry.object_id == account_id) & (AuditEntry.action == "access_code"))
    reader = await token_for(account_id)
    assert (await client.post("/api/v1/readers/100200300/access-code", headers=reader)).status_code == 403


async def test_staff_book_a_zone_and_a_consultation_for_a_reader_recorded_as_theirs(client, demo):
    from src.guidance.tables import Consultation
    from src.rooms.tables import Booking
    from tests.guidance.conftest import first_free_slot, open_every_day
    from tests.rooms.helpers import at, open_day, zone_named

    reader = await bearer(client, "reader@libspace.local")
    card = (await client.get("/api/v1/me", headers=reader)).json()["card"]["card_number"]
    reader_id = (await principal("reader@libspace.local")).id
    staff_id = (await principal(STAFF)).id
    headers = await _staff(client)
    branch, zone = await zone_named("chekhov", "Коворкинг")
    day = open_day(zone, branch.tz)
    body = {"zone_id": zone.id, "starts_at": at(branch, day, 12).isoformat(), "ends_at": at(branch, day, 13).isoformat(), "card_number": card}
    booked = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert booked.status_code == 201, booked.text
    row = await Booking.select().where(Booking.id == booked.json()["id"]).first()
    assert (row["holder"], row["holder_kind"], row["created_by"]) == (reader_id, "reader", staff_id)
    assert [b["id"] for b in (await client.get("/api/v1/bookings", headers=reader)).json()["items"]].count(row["id"]) == 1
    other_branch = await bearer(client, "staff.dialog@libspace.local")
    assert (await client.post("/api/v1/bookings", json={**body, "starts_at": at(branch, day, 14).isoformat(), "ends_at": at(branch, day, 15).isoformat()}, headers=other_branch)).status_code in (403, 422)
    assert (await client.post("/api/v1/bookings", json={**body, "card_number": card}, headers=reader)).status_code == 403

    counsellor_id = await make_counsellor()
    await open_every_day(counsellor_id)
    slot = await first_free_slot(counsellor_id)
    made = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor_id, "starts_at": slot.starts_at.isoformat(), "card_number": card}, headers=headers)
    assert made.status_code == 201, made.text
    consultation = await Consultation.select().where(Consultation.id == made.json()["id"]).first()
    assert consultation["reader"] == reader_id
    entry = await AuditEntry.select().where((AuditEntry.object_kind == "consultation") & (AuditEntry.object_id == consultation["id"])).first()
    assert entry["actor_id"] == staff_id
    assert (await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor_id, "starts_at": slot.starts_at.isoformat(), "card_number": card}, headers=reader)).status_code == 403
