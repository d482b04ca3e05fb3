"""Consultations in calendars: the reader's private feed, the counsellor's, one consultation's .ics and the
links on the consultation pages. Parsed by icalendar and ical.js; the instants equal the API's; no notes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import icalendar

from tests.calendars.clients import icaljs_spans, instant, python_spans
from tests.guidance.conftest import counsellor, first_free_slot, make_counsellor, make_reader, token_for  # noqa: F401 (the fixture)

UTC = timezone.utc
SECRET = "СЕКРЕТНАЯ-ЗАМЕТКА-42"
STEPS = "Записаться на мастер-класс по робототехнике"


async def feed_path(client, headers: dict) -> str:
    feeds = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    assert [feed["kind"] for feed in feeds] == ["reader"]
    return "/" + feeds[0]["links"]["url"].split("://", 1)[1].split("/", 1)[1]


async def booked(client, counsellor: int, reader_id: int, skip: int = 0) -> dict:
    slot = await first_free_slot(counsellor, skip)
    answer = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat(), "topic": "IT"},
                               headers=await token_for(reader_id))
    assert answer.status_code == 201, answer.text
    return answer.json()


def window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(days=40)


async def test_reader_and_counsellor_feeds_hold_the_consultation_without_notes(client, counsellor):
    reader_id = await make_reader(31, name="Иван Консультируемый")
    kept = await booked(client, counsellor, reader_id)
    dropped = await booked(client, counsellor, reader_id, skip=3)
    mine = await token_for(counsellor)
    notes = await client.patch(f"/api/v1/guidance/consultations/{kept['id']}", json={"next_steps": STEPS, "private_notes": SECRET}, headers=mine)
    assert notes.status_code == 200
    reader = await token_for(reader_id)
    assert (await client.post(f"/api/v1/guidance/consultations/{dropped['id']}/cancel", headers=reader)).status_code == 200

    api = (await client.get(f"/api/v1/guidance/consultations/{kept['id']}", headers=reader)).json()
    expected = [(f"consultation-{kept['id']}@libspace", instant(api["starts_at"]), instant(api["ends_at"]))]
    for headers, who in ((reader, "reader"), (mine, "counsellor")):
        response = await client.get(await feed_path(client, headers))
        assert response.status_code == 200
        assert SECRET not in response.text and "private" not in response.text.lower() and STEPS not in response.text
        events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.content).events}
        assert str(events[f"consultation-{dropped['id']}@libspace"]["STATUS"]) == "CANCELLED"
        item = events[f"consultation-{kept['id']}@libspace"]
        assert str(item["STATUS"]) == "CONFIRMED" and "Краснофлотская" in str(item["LOCATION"])
        if who == "counsellor":
            assert "Иван Консультируемый" in str(item["SUMMARY"]) and str(item["URL"]).endswith(f"/guidance/counsellor/consultations/{kept['id']}")
        else:
            assert "Консультант Тестовый" in str(item["SUMMARY"])
        mine_only = lambda spans: [s for s in spans if s[0].startswith("consultation-")]  # noqa: E731
        assert mine_only(python_spans(response.content, *window())) == expected
        assert mine_only(icaljs_spans(response.content, *window())) == expected


async def test_one_consultation_as_ics_for_its_people_only(client, counsellor):
    reader_id = await make_reader(32)
    consultation = await booked(client, counsellor, reader_id)
    path = f"/guidance/consultations/{consultation['id']}/calendar.ics"
    await client.patch(f"/api/v1/guidance/consultations/{consultation['id']}", json={"private_notes": SECRET}, headers=await token_for(counsellor))
    for headers in (await token_for(reader_id), await token_for(counsellor)):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 200 and SECRET not in answer.text
        assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(answer.content).events] == [f"consultation-{consultation['id']}@libspace"]
    other_reader = await token_for(await make_reader(33))
    other_counsellor = await make_counsellor("c.other@test.local", "Другой Консультант")
    assert (await client.get(path, headers=other_reader)).status_code == 404
    assert (await client.get(path, headers=await token_for(other_counsellor))).status_code == 404
    assert (await client.get(path, headers=await token_for(other_counsellor))).status_code == 404


async def test_links_on_the_consultation_pages(client, counsellor):
    from tests.conftest import post_form

    reader_id = await make_reader(34)
    consultation = await booked(client, counsellor, reader_id)
    ics = f"/guidance/consultations/{consultation['id']}/calendar.ics"
    reader_page = await client.get("/guidance/consultations", headers=await token_for(reader_id))
    assert reader_page.status_code == 200 and ics in reader_page.text and "webcal://" in reader_page.text and "calendar.google.com" in reader_page.text
    counsellor_page = await client.get(f"/guidance/counsellor/consultations/{consultation['id']}", headers=await token_for(counsellor))
    assert counsellor_page.status_code == 200 and ics in counsellor_page.text and "webcal://" in counsellor_page.text
