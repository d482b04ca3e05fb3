""""My data": the export holds everything but the counsellor's private notes; erasure cancels what is ahead
(the waitlist moves up) and leaves no name, e-mail, phone, birth date or card number anywhere in the database
or the outbox (every table scanned), on both engines."""

from __future__ import annotations

import json
from datetime import date, timedelta

from src.accounts.passwords import hash_password
from src.accounts.tables import Account, ReaderCard
from src.guidance import consultations
from src.guidance.tables import SurveyResponse
from src.piccolo_app import APP_CONFIG
from src.timeutil import now_utc
from tests.accounts.helpers import imported
from tests.conftest import bearer
from tests.events.conftest import new_event, principal
from tests.guidance.conftest import first_free_slot, make_counsellor, open_every_day
from tests.rooms.helpers import at, open_day, zone_named

NAME = "Эрастова Ульяна Тестовна"
EMAIL = "ulyana.erase@example.ru"
BIRTH = date(1990, 6, 17)
CARD = "100200777"
PASSWORD = "ulyana-password"


async def _reader() -> int:
    account_id = await imported(card=CARD, name=NAME, birth=BIRTH, email=EMAIL, phone="+79145550123")
    await Account.update({Account.password_hash: await hash_password(PASSWORD)}).where(Account.id == account_id)
    return account_id


def _texts(value) -> list[str]:
    text = str(value)
    texts = [text]
    if isinstance(value, str) and value[:1] in "{[":
        try:
            texts.append(json.dumps(json.loads(value), ensure_ascii=False))
        except ValueError:
            pass
    if isinstance(value, (dict, list)):
        texts.append(json.dumps(value, ensure_ascii=False, default=str))
    return texts


async def _traces(needles: list[str]) -> list[str]:
    found = []
    for table in APP_CONFIG.table_classes:
        for row in await table.select():
            for column, value in row.items():
                for text in _texts(value):
                    for needle in needles:
                        if needle.casefold() in text.casefold():
                            found.append(f"{table._meta.tablename}.{column} holds {needle!r}")
    return sorted(set(found))


async def test_export_then_erase_leaves_no_trace(client, demo):
    account_id = await _reader()
    me = await bearer(client, CARD, PASSWORD)
    staff_headers = await bearer(client, "staff.chekhov@libspace.local")

    # the desk corrects the phone and e-mail (the old address is told) and replaces the card: the old values are
    # in the log, the outbox and the retired numbers
    corrected = await client.patch(f"/api/v1/readers/{CARD}", json={"phone": "+79145550124", "email": "ulyana.new@example.ru"}, headers=staff_headers)
    assert corrected.status_code == 200, corrected.text
    from src.accounts import messages as accounts_messages
    from src.notifications.tables import Outbox

    assert await Outbox.exists().where((Outbox.kind == accounts_messages.EMAIL_CHANGED) & (Outbox.email == EMAIL))
    replaced = await client.post(f"/api/v1/readers/{CARD}/replace", json={"reason": "утеряна"}, headers=staff_headers)
    new_card = replaced.json()["card_number"]
    me = await bearer(client, new_card, PASSWORD)
    await client.post("/api/v1/auth/activate", json={"card_number": new_card, "birth_date": BIRTH.isoformat(), "contact": EMAIL})  # a throttle key with the number
    await client.post("/api/v1/auth/password-reset", json={"login": EMAIL})

    # a full event with someone waiting, a zone booking, a consultation with private notes, a survey result
    event_id = await new_event(await principal("staff.chekhov@libspace.local"), capacity=1, min_age=None, max_age=None, waitlist=True)
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=me)).json()["status"] == "confirmed"
    other = await bearer(client, "reader@libspace.local")
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={}, headers=other)).json()["status"] == "waitlisted"
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    booked = await client.post(
        "/api/v1/bookings",
        json={"zone_id": zone.id, "starts_at": at(branch, day, 12).isoformat(), "ends_at": at(branch, day, 13).isoformat(), "purpose": f"Встреча: {NAME}"},
        headers=me,
    )
    assert booked.status_code == 201, booked.text
    counsellor_id = await make_counsellor()
    await open_every_day(counsellor_id)
    slot = await first_free_slot(counsellor_id)
    consultation = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor_id, "starts_at": slot.starts_at.isoformat(), "topic": "Хочу в IT"}, headers=me)
    assert consultation.status_code == 201, consultation.text
    await consultations.write_notes(await principal("c.test@test.local"), consultation.json()["id"], "Пройти курс", "секрет-заметка")
    await SurveyResponse.insert(SurveyResponse(reader=account_id, answers={"q1": 4}, scores={"technology": 8}, top_types="technology", created_at=now_utc()))

    exported = await client.get("/api/v1/me/export", headers=me)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["account"]["full_name"] == NAME and data["card"]["card_number"] == new_card and data["replaced_cards"][0]["card_number"] == CARD
    assert len(data["sign_ups"]) == 1 and len(data["bookings"]) == 1 and data["consultations"][0]["next_steps"] == "Пройти курс"
    assert data["survey_results"][0]["top_types"] == "technology" and data["messages"]
    assert "секрет-заметка" not in exported.text and "private_notes" not in exported.text

    assert len(await _traces([NAME, EMAIL, new_card])) >= 5  # the scan does see them while they are there
    wrong = await client.post("/api/v1/me/erase", json={"password": "not-my-password"}, headers=me)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "password"
    erased = await client.post("/api/v1/me/erase", json={"password": PASSWORD}, headers=me)
    assert erased.status_code == 200, erased.text
    assert (erased.json()["sign_ups_cancelled"], erased.json()["bookings_cancelled"], erased.json()["consultations_cancelled"]) == (1, 1, 1)
    assert (await client.get("/api/v1/me", headers=me)).status_code == 401
    assert (await client.post("/api/v1/auth/token", json={"login": new_card, "password": PASSWORD})).status_code == 401

    mine = (await client.get("/api/v1/me/registrations", headers=other)).json()["items"]
    assert [item["status"] for item in mine] == ["confirmed"]  # the waitlist moved up, and the reader was told
    assert await Outbox.exists().where(Outbox.kind == "registration_promoted")
    assert await Outbox.exists().where((Outbox.kind == "consultation_cancelled_counsellor") & (Outbox.recipient == counsellor_id))  # the counsellor is told
    card = await ReaderCard.select().where(ReaderCard.account == account_id).first()
    assert card["birth_date"] == date(1990, 1, 1) and card["erased_at"] is not None  # the age group stays for statistics

    needles = [NAME, "Эрастова", "Ульяна", EMAIL, "ulyana.erase", "ulyana.new", "+79145550123", "79145550123", "9145550124", CARD, new_card, BIRTH.isoformat(), "секрет-заметка", "Хочу в IT"]
    assert await _traces(needles) == []


async def test_staff_erase_at_a_written_request(client, demo):
    account_id = await _reader()
    staff_headers = await bearer(client, "staff.dialog@libspace.local")
    missing = await client.post(f"/api/v1/readers/{CARD}/erase", json={"request_reference": ""}, headers=staff_headers)
    assert missing.status_code == 422
    reader = await bearer(client, CARD, PASSWORD)
    assert (await client.post(f"/api/v1/readers/{CARD}/erase", json={"request_reference": "№ 12 от 1 декабря"}, headers=reader)).status_code == 403
    done = await client.post(f"/api/v1/readers/{CARD}/erase", json={"request_reference": "№ 12 от 1 декабря"}, headers=staff_headers)
    assert done.status_code == 200, done.text
    assert (await client.get(f"/api/v1/readers/{CARD}", headers=staff_headers)).status_code == 404
    assert await _traces([NAME, EMAIL, CARD, BIRTH.isoformat(), "+79145550123"]) == []
    from src.audit.tables import AuditEntry

    entry = await AuditEntry.select().where((AuditEntry.object_id == account_id) & (AuditEntry.action == "erase")).first()
    assert entry["actor_role"] == "staff" and "№ 12 от 1 декабря" in entry["changes"]
