"""Every input bounded: dates in their windows, integers in the engine's range, no control characters, list
lengths, deep JSON, and the framework's own errors in the caller's language (issue 11: items 5, 6, 9, 13, 15)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from src import bounds
from src.events.tables import Event
from src.timeutil import now_utc, today_in
from tests.conftest import bearer, post_form
from tests.events.conftest import soon
from tests.guidance.conftest import counsellor  # noqa: F401 - fixture

HUGE = 18446744073709551615
RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}


def _today() -> date:
    return today_in("Asia/Yakutsk")


# --- the mechanism itself -------------------------------------------------------------------------------------


def test_windows_follow_today():
    today = _today()
    assert bounds.window_problem(today - timedelta(days=1), bounds.SCHEDULE) is None
    assert bounds.window_problem(today + relativedelta(years=3), bounds.SCHEDULE) is None
    assert bounds.window_problem(today - timedelta(days=2), bounds.SCHEDULE)
    assert bounds.window_problem(today + relativedelta(years=3, days=1), bounds.SCHEDULE)
    assert bounds.window_problem(now_utc() + timedelta(days=1), bounds.SCHEDULE) is None
    assert bounds.window_problem(now_utc() - timedelta(days=2), bounds.SCHEDULE)
    assert bounds.window_problem(date(1900, 1, 1), bounds.BIRTH) is None
    assert bounds.window_problem(date(1899, 12, 31), bounds.BIRTH)
    assert bounds.window_problem(today + timedelta(days=1), bounds.BIRTH)
    assert bounds.window_problem(date(1970, 1, 1), bounds.FILTER) is None and bounds.window_problem(date(2100, 12, 31), bounds.FILTER) is None
    assert bounds.window_problem(date(1, 1, 1), bounds.FILTER) and bounds.window_problem(date(9999, 12, 31), bounds.FILTER)


def test_control_characters():
    assert bounds.control_problem("Мастер-класс «Робототехника»") is None
    for bad in ("a\r\nb", "a\tb", "a\x00b", "a\x85b", "a\u2028b", "a\x7fb"):
        assert bounds.control_problem(bad), repr(bad)
    assert bounds.control_problem("two\r\nlines\tand a tab", multi_line=True) is None
    assert bounds.control_problem("a\x0bb", multi_line=True) and bounds.control_problem("a\x1bb", multi_line=True)
    assert bounds.clean_line("a\r\nb\x00c") == "a  b c"


# --- integers beyond the engine's range -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/visits/{HUGE}",
        f"/api/v1/events/{HUGE}",
        f"/api/v1/bookings/{HUGE}",
        f"/api/v1/zones/{HUGE}",
        f"/events/{HUGE}",
        f"/api/v1/guidance/consultations/{HUGE}",
    ],
)
async def test_huge_path_ids_are_not_found(client, demo, url):
    headers = await bearer(client, "admin@libspace.local")
    response = await client.get(url, headers={**headers, **RU})
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events?page=1383179492790850808834949120",
        "/api/v1/branches?page=2147483648",
        f"/api/v1/bookings?zone_id={HUGE}",
        f"/api/v1/zones?min_capacity={HUGE}",
        f"/api/v1/guidance/slots?counsellor={HUGE}",
        f"/staff/checkin?event={HUGE}",
        f"/guidance/slots?counsellor={HUGE}",
        "/events?page=1383179492790850808834949120",
    ],
)
async def test_huge_query_integers_are_refused(client, demo, url):
    headers = await bearer(client, "admin@libspace.local")
    response = await client.get(url, headers={**headers, **RU})
    assert response.status_code == 422, response.text


async def test_no_get_endpoint_answers_500_to_huge_integers(client, demo):
    """Every GET of the OpenAPI document, each integer parameter set to 2**64-1 in turn."""
    headers = {**await bearer(client, "admin@libspace.local"), **EN}
    schema = (await client.get("/schema/openapi.json")).json()
    tried = 0
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        params = operation.get("parameters", [])
        path_values = {p["name"]: ("1" if _is_int(p) else "chekhov") for p in params if p["in"] == "path"}
        for param in params:
            if not _is_int(param):
                continue
            values = {**path_values}
            query = ""
            if param["in"] == "path":
                values[param["name"]] = str(HUGE)
            else:
                query = f"?{param['name']}={HUGE}"
            url = path.format(**values) + query
            response = await client.get(url, headers=headers)
            tried += 1
            assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])
    assert tried > 20


def _is_int(param: dict) -> bool:
    schema = param.get("schema", {})
    return schema.get("type") == "integer" or any(option.get("type") == "integer" for option in schema.get("oneOf", []))


# --- dates far from today ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1969-12-31", "2101-01-01"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events?start={v}",
        "/api/v1/events?end={v}",
        "/feeds/events.ics?start={v}",
        "/api/v1/guidance/slots?start={v}",
        "/api/v1/guidance/slots?end={v}",
        "/api/v1/branches/chekhov/week?start={v}",
        "/api/v1/zones/1/availability?start={v}",
        "/api/v1/bookings?start={v}",
        "/api/v1/zones?free_from={v}",
    ],
)
async def test_query_dates_outside_1970_to_2100_are_refused(client, demo, url, value):
    headers = await bearer(client, "admin@libspace.local")
    response = await client.get(url.format(v=value), headers={**headers, **EN})
    assert response.status_code == 422, response.text
    assert "Choose a date from 1970-01-01 to 2100-12-31" in (response.json()["errors"][0]["message"] if url.startswith("/api/") else response.text)


@pytest.mark.parametrize("url", ["/events?start={v}", "/events?month=9999-12", "/branches/chekhov/week?start={v}", "/staff/branches/chekhov/schedule?day={v}", "/guidance/slots?start={v}", "/guidance/counsellor?date={v}"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
async def test_pages_ignore_dates_far_from_today(client, demo, url, value):
    await post_form(client, "/login", {"login": "admin@libspace.local", "password": "libspace-demo"})
    response = await client.get(url.format(v=value))
    assert response.status_code < 500, response.text[:300]


async def test_an_event_three_years_and_a_day_ahead_is_refused(client, demo):
    headers = await bearer(client, "staff.chekhov@libspace.local")
    far = now_utc() + relativedelta(years=3, days=2)
    body = {"title": "Далеко", "category": "lecture", "branch": "chekhov", "starts_at": far.isoformat(), "ends_at": (far + timedelta(hours=1)).isoformat()}
    response = await client.post("/api/v1/events", json=body, headers={**headers, **RU})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"
    assert "три года" in response.json()["errors"][0]["message"] or "3" in response.json()["errors"][0]["message"]
    body["starts_at"], body["ends_at"] = "9999-12-31T10:00:00+09:00", "9999-12-31T12:00:00+09:00"
    assert (await client.post("/api/v1/events", json=body, headers=headers)).status_code == 422
    assert await Event.count() == 0


async def test_booking_and_visit_windows_checked_inside_lists(client, demo):
    headers = await bearer(client, "reader@libspace.local")
    past = (now_utc() - timedelta(days=3)).replace(microsecond=0)
    response = await client.post(
        "/api/v1/bookings", json={"zone_id": 1, "starts_at": past.isoformat(), "ends_at": (past + timedelta(hours=1)).isoformat()}, headers={**headers, **EN}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "starts_at"
    teacher = await bearer(client, "teacher@libspace.local")
    far = "9999-12-31T10:00:00"
    response = await client.post(
        "/api/v1/visits",
        json={"programme_id": 1, "branch": "chekhov", "windows": [{"starts_at": far, "ends_at": far}], "class_name": "8Б", "grade": 8, "group_size": 20, "adults": 2},
        headers={**teacher, **EN},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "windows[0].starts_at"


async def test_birth_dates_from_1900_to_today(client, demo):
    body = {
        "full_name": "Проверка Дат",
        "home_branch": "chekhov",
        "password": "long-enough-1",
        "consent_personal_data": True,
        "phone": "+79141234567",
    }
    for birth in ("1899-12-31", (_today() + timedelta(days=1)).isoformat(), "0001-01-01"):
        response = await client.post("/api/v1/readers", json={**body, "birth_date": birth}, headers=RU)
        assert response.status_code == 422, birth
        assert response.json()["errors"][0]["field"] == "birth_date"


async def test_register_page_refuses_a_birth_date_before_1900(client, demo):
    response = await post_form(
        client,
        "/register",
        {"full_name": "Проверка Дат", "birth_date": "1850-01-01", "home_branch": "chekhov", "phone": "+79141234567", "password": "long-enough-1",
         "password_repeat": "long-enough-1", "consent_personal_data": "on"},
        follow_redirects=True,
    )
    assert str(response.url).endswith("/register")
    assert "1900-01-01" in response.text


async def test_a_feed_survives_an_event_stored_at_9999_12_31(client, demo):
    """Rows written before the windows existed (or by hand) must not break the feeds."""
    from tests.events.conftest import new_event, principal

    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff, starts_at=soon(2), capacity=5)
    far_start = now_utc().replace(year=9999, month=12, day=31, hour=1)
    await Event.update({Event.starts_at: far_start, Event.ends_at: far_start.replace(hour=3)}).where(Event.id == event_id)
    for url in ("/feeds/events.ics", "/feeds/branches/chekhov.ics", f"/feeds/events/{event_id}.ics", "/api/v1/events", "/events", f"/events/{event_id}"):
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
    headers = await bearer(client, "staff.chekhov@libspace.local")
    fixed = soon(4)
    response = await client.patch(
        f"/api/v1/events/{event_id}", json={"starts_at": fixed.isoformat(), "ends_at": (fixed + timedelta(hours=1)).isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text


# --- control characters -----------------------------------------------------------------------------------------


async def test_line_breaks_in_one_line_fields_are_refused(client, demo):
    headers = await bearer(client, "staff.chekhov@libspace.local")
    start = soon(3)
    body = {"title": "Заголовок\r\nX-Injected: yes", "category": "lecture", "branch": "chekhov", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    response = await client.post("/api/v1/events", json=body, headers={**headers, **RU})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "title" and "одна строка" in error["message"]
    body["title"] = "Нормально"
    body["description"] = "Две строки\nи табуляция\t— можно"
    assert (await client.post("/api/v1/events", json=body, headers=headers)).status_code == 201
    body["description"] = "Escape \x1b[31m"
    assert (await client.post("/api/v1/events", json=body, headers=headers)).status_code == 422


async def test_control_characters_in_a_page_form_are_refused(client, demo):
    response = await post_form(
        client,
        "/register",
        {"full_name": "Имя\r\nBcc: x@example.com", "birth_date": "1990-05-05", "home_branch": "chekhov", "phone": "+79141234567", "password": "long-enough-1",
         "password_repeat": "long-enough-1", "consent_personal_data": "on"},
        follow_redirects=True,
    )
    assert str(response.url).endswith("/register")
    assert "управляющих символов" in response.text


async def test_nul_in_a_query_or_path_string_is_refused(client, demo):
    assert (await client.get("/api/v1/events?q=a%00b")).status_code == 422
    assert (await client.get("/api/v1/branches/a%00b")).status_code == 404
    assert (await client.get("/api/v1/events?branch=a%00b")).status_code == 422


# --- lists, strings and bodies ------------------------------------------------------------------------------------


async def test_lists_have_length_limits(client, demo):
    from tests.events.conftest import new_event, principal

    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff)
    headers = await bearer(client, "staff.chekhov@libspace.local")
    response = await client.patch(f"/api/v1/events/{event_id}", json={"career_fields": ["x"] * 100000}, headers={**headers, **RU})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "career_fields", "message": "Не больше 30 элементов"}
    response = await client.get("/api/v1/zones?" + "&".join(["feature=a"] * 50), headers=EN)
    assert response.status_code == 422


async def test_deep_json_is_a_422(client, demo):
    body = b"[" * 100000 + b"]" * 100000
    response = await client.post("/api/v1/readers", content=body, headers={"content-type": "application/json", **RU})
    assert response.status_code == 422
    assert response.json()["detail"] == "Тело запроса вложено слишком глубоко"


async def test_framework_errors_speak_the_callers_language(client, demo):
    response = await client.post("/api/v1/readers", content=b"{bad", headers={"content-type": "application/json", **RU})
    assert response.status_code == 400 and response.json()["detail"] == "Тело запроса — некорректный JSON"
    response = await client.post("/api/v1/readers", content=b"{bad", headers={"content-type": "application/json", **EN})
    assert response.json()["detail"] == "The request body is not valid JSON"
    response = await client.post("/api/v1/readers", content=b"x" * (11 * 1024 * 1024), headers={"content-type": "application/json", **RU})
    assert response.status_code == 413 and response.json()["detail"] == "Запрос слишком велик"
    response = await client.post("/api/v1/readers", json={"full_name": 5}, headers=RU)
    assert response.status_code == 422
    messages = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert messages == {"full_name": "Ожидается текст"}
    response = await client.post("/api/v1/readers", json={"full_name": "x" * 201}, headers=RU)
    assert {"field": "full_name", "message": "Не больше 200 символов"} in response.json()["errors"]
    response = await client.post("/api/v1/readers", json={"full_name": "Имя", "surprise": 1}, headers=EN)
    assert {"field": "surprise", "message": "There is no such field"} in response.json()["errors"]
    assert all("Expected" not in error["message"] for error in response.json()["errors"])


# --- times without an offset ---------------------------------------------------------------------------------------


async def test_a_consultation_time_without_offset_is_the_branchs_local_time(client, counsellor):
    from zoneinfo import ZoneInfo

    from src.branches import service as branches_service
    from tests.guidance.conftest import first_free_slot

    slot = await first_free_slot(counsellor)
    branch = await branches_service.branch_by_id(slot.branch_id)
    local = slot.starts_at.astimezone(ZoneInfo(branch.timezone)).replace(tzinfo=None)
    reader = await bearer(client, "reader@libspace.local")
    booked = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": local.isoformat()}, headers=reader)
    assert booked.status_code == 201, booked.text
    assert datetime.fromisoformat(booked.json()["starts_at"]) == slot.starts_at


async def test_the_notes_form_without_private_notes_leaves_them_as_they_are(app, client, counsellor):
    from src.accounts.passwords import hash_password_sync
    from src.accounts.tables import Account
    from src.guidance.tables import Consultation
    from tests.guidance.conftest import make_reader, token_for

    reader = await token_for(await make_reader(22))
    from tests.guidance.conftest import first_free_slot

    slot = await first_free_slot(counsellor)
    booked = (await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}, headers=reader)).json()
    mine = await token_for(counsellor)
    await client.patch(f"/api/v1/guidance/consultations/{booked['id']}", json={"next_steps": "Первое", "private_notes": "Только для консультанта"}, headers=mine)
    await Account.update({Account.password_hash: hash_password_sync("libspace-demo")}).where(Account.id == counsellor)
    email = (await Account.select(Account.email).where(Account.id == counsellor).first())["email"]
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        assert (await post_form(browser, "/login", {"login": email, "password": "libspace-demo"})).status_code == 303
        saved = await post_form(browser, f"/guidance/counsellor/consultations/{booked['id']}", {"next_steps": "Второе"})
        assert saved.status_code == 303
    row = await Consultation.select(Consultation.next_steps, Consultation.private_notes).where(Consultation.id == booked["id"]).first()
    assert row == {"next_steps": "Второе", "private_notes": "Только для консультанта"}
