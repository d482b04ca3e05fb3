from datetime import date, timedelta

from src.accounts import messages
from src.accounts.tables import Account
from src.notifications.service import pending_for
from tests import dates
from tests.conftest import bearer

NEW_READER = {
    "full_name": "Алина Смирнова",
    "email": "alina@example.ru",
    "phone": None,
    "birth_date": "2001-04-03",
    "home_branch": "dialog",
    "password": "alina-secret",
    "consent_personal_data": True,
}


async def test_register_then_token_then_me(client, demo):
    created = await client.post("/api/v1/readers", json=NEW_READER)
    assert created.status_code == 202, created.text  # with an e-mail the card number arrives by e-mail
    token = await client.post("/api/v1/auth/token", json={"login": "Alina@Example.ru", "password": "alina-secret"})
    assert token.status_code == 200 and token.json()["token_type"] == "bearer"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["role"] == "reader"
    card_number = me.json()["card"]["card_number"]
    welcome = await pending_for(me.json()["id"])
    assert [row["kind"] for row in welcome] == [messages.WELCOME] and welcome[0]["payload"]["card"] == card_number


async def test_register_without_email_shows_the_card_at_once(client, demo):
    created = await client.post("/api/v1/readers", json={**NEW_READER, "email": None, "phone": "+7 914 555-12-12"})
    assert created.status_code == 201, created.text
    card_number = created.json()["card_number"]
    token = await client.post("/api/v1/auth/token", json={"login": card_number, "password": "alina-secret"})
    assert token.status_code == 200


async def test_a_registered_email_is_answered_as_a_new_one_and_its_owner_is_told(client, demo):
    first = await client.post("/api/v1/readers", json=NEW_READER)
    again = await client.post("/api/v1/readers", json={**NEW_READER, "full_name": "Кто-то Другой", "password": "other-secret"})
    assert again.status_code == first.status_code == 202
    assert again.json() == first.json()
    owner = await Account.select(Account.id).where(Account.email == "alina@example.ru")
    assert len(owner) == 1
    assert [row["kind"] for row in await pending_for(owner[0]["id"])] == [messages.WELCOME, messages.ACCOUNT_EXISTS]
    wrong = await client.post("/api/v1/auth/token", json={"login": "alina@example.ru", "password": "other-secret"})
    assert wrong.status_code == 401


async def test_under_14_without_guardian_is_422_with_fields(client, demo):
    young = {**NEW_READER, "email": "kid@example.ru", "birth_date": dates.birth_date(9).isoformat()}
    answer = await client.post("/api/v1/readers", json=young)
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] and {e["field"] for e in body["errors"]} == {"guardian_name", "guardian_consent"}


async def test_malformed_input_is_422_naming_the_field(client, demo):
    answer = await client.post("/api/v1/readers", json={**NEW_READER, "birth_date": "03.04.2001"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "birth_date"
    missing = await client.post("/api/v1/readers", json={"full_name": "x"})
    assert missing.status_code == 422 and missing.json()["errors"]
    broken = await client.post("/api/v1/readers", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["detail"] and broken.json()["errors"] == []  # no field to name: the body is not JSON


async def test_errors_are_in_the_users_language(client, demo):
    bad = {**NEW_READER, "consent_personal_data": False}
    ru = await client.post("/api/v1/readers", json=bad, headers={"Accept-Language": "ru"})
    en = await client.post("/api/v1/readers", json=bad, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert ru.json()["errors"][0]["message"] != en.json()["errors"][0]["message"]
    assert "consent" in en.json()["errors"][0]["message"]


async def test_wrong_login_same_message_and_429(client, demo):
    unknown = await client.post("/api/v1/auth/token", json={"login": "nobody@example.ru", "password": "x" * 8})
    wrong = await client.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "x" * 8})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    for _ in range(4):
        await client.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "x" * 8})
    limited = await client.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "libspace-demo"})
    assert limited.status_code == 429 and "retry-after" in limited.headers


async def test_reader_lookup_is_for_staff_only(client, demo):
    card = demo.card_for("0001")
    assert (await client.get(f"/api/v1/readers/{card}")).status_code == 401
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.get(f"/api/v1/readers/{card}", headers=reader)).status_code == 403
    staff = await bearer(client, "staff.dialog@libspace.local")  # any branch: the card is city-wide
    found = await client.get(f"/api/v1/readers/{card}", headers=staff)
    assert found.status_code == 200 and found.json()["full_name"] == "Анна Сергеевна Ковалёва"
    assert (await client.get("/api/v1/readers/999999999999", headers=staff)).status_code == 404


async def test_branches_list_and_detail(client, demo):
    page = await client.get("/api/v1/branches", params={"page_size": 3, "page": 2})
    body = page.json()
    assert page.status_code == 200 and body["total"] == 10 and body["page"] == 2 and len(body["items"]) == 3
    one = await client.get("/api/v1/branches/volkov-arts")
    branch = one.json()
    assert branch["address"].endswith("ул. Ленина, 72") and branch["timezone"] == "Asia/Yakutsk"
    week = branch["hours"]["week"]
    assert len(week) == 7 and branch["zones"] and branch["hours"]["weekly"]
    # this week as the schedule has it (holidays included), each interval a local time with its offset
    schedule = (await dates.branch("volkov-arts")).schedule
    monday = dates.today() - timedelta(days=dates.today().weekday())
    assert [day["date"] for day in week] == [(monday + timedelta(days=n)).isoformat() for n in range(7)]
    for day in week:
        expected = schedule.day(date.fromisoformat(day["date"]))
        assert day["open"] == expected.is_open == bool(day["intervals"]) and (day["closed_reason"] or "") == (expected.closed_reason or "")
        assert all(interval["starts_at"].endswith("+09:00") and interval["ends_at"].endswith("+09:00") for interval in day["intervals"])
    assert (await client.get("/api/v1/branches/nowhere")).status_code == 404
    assert (await client.get("/api/v1/branches", params={"page_size": 501})).status_code == 422


async def test_token_logout_and_password_change_revoke_tokens(client, demo):
    headers = await bearer(client, "teen@libspace.local")
    changed = await client.post("/api/v1/me/password", json={"current_password": "libspace-demo", "new_password": "teen-new-secret"}, headers=headers)
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    fresh = await bearer(client, "teen@libspace.local", "teen-new-secret")
    assert (await client.post("/api/v1/auth/logout", headers=fresh)).status_code == 204
    assert (await client.get("/api/v1/me", headers=fresh)).status_code == 401


async def test_openapi_schema_documents_the_api(client, demo):
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ["/api/v1/branches", "/api/v1/branches/{slug}", "/api/v1/readers", "/api/v1/readers/{card_number}", "/api/v1/auth/token", "/api/v1/me"]:
        assert path in schema["paths"], path
    assert not [p for p in schema["paths"] if not p.startswith(("/api/", "/feeds/"))]
    for path in ["/feeds/events.ics", "/feeds/branches/{slug}", "/feeds/zones/{zone}", "/feeds/private/{token}"]:
        assert any(p.startswith(path.split("{")[0]) for p in schema["paths"]), path


async def test_openapi_document_is_valid(client, demo):
    from openapi_spec_validator import validate

    validate((await client.get("/schema/openapi.json")).json())
