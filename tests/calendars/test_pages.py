"""Calendar links on event pages, and the page of one's private calendar addresses."""

import re
from datetime import datetime, timedelta, timezone

from src.events import service as events_service
from src.events.service import EventInput
from tests.calendars.test_domain_feeds import staff
from tests.calendars.test_imports import _log_in
from tests.conftest import CSRF_RE


async def test_an_event_page_offers_download_subscribe_and_google(client, demo):
    start = datetime(2027, 3, 11, 10, 0, tzinfo=timezone.utc)
    (event_id,) = await events_service.create_event(await staff(), EventInput(title="Лекция", category="lecture", branch="chekhov", starts_at=start, ends_at=start + timedelta(hours=1)))
    html = (await client.get(f"/events/{event_id}")).text
    assert f'/feeds/events/{event_id}.ics?download=true"' in html
    assert f'webcal://127.0.0.1:8000/feeds/events/{event_id}.ics"' in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html and "dates=20270311T100000Z%2F20270311T110000Z" in html
    download = await client.get(f"/feeds/events/{event_id}.ics?download=true")
    assert download.status_code == 200 and b"SUMMARY:" in download.content


async def test_my_calendar_page_and_replacing_the_address(client, demo):
    await _log_in(client, "reader@libspace.local")
    shown = await client.get("/me/feeds")
    assert shown.status_code == 200 and "webcal://" in shown.text
    old = re.search(r'value="(http[^"]+\.ics)"', shown.text).group(1)
    token = CSRF_RE.search(shown.text).group(1)
    replaced = await client.post("/me/feeds/regenerate", data={"_csrf_token": token})
    assert replaced.status_code in (302, 303)
    assert old not in (await client.get("/me/feeds")).text
    assert (await client.get("/" + old.split("://", 1)[1].split("/", 1)[1])).status_code == 404
