"""Calendar links on event pages, and the page of one's private calendar addresses."""

import re
from datetime import datetime, time, timedelta, timezone

from src.events import service as events_service
from src.events.service import EventInput
from tests import dates
from tests.calendars.test_domain_feeds import staff
from tests.calendars.test_imports import _log_in
from tests.conftest import CSRF_RE


async def test_an_event_page_offers_download_subscribe_and_google(client, demo):
    start = datetime.combine(dates.today() + timedelta(days=30), time(10), tzinfo=timezone.utc)  # a month ahead, 10:00 UTC
    (event_id,) = await events_service.create_event(await staff(), EventInput(title="Лекция", category="lecture", branch="chekhov", starts_at=start, ends_at=start + timedelta(hours=1)))
    html = (await client.get(f"/events/{event_id}")).text
    assert f'/feeds/events/{event_id}.ics?download=true"' in html
    assert f'webcal://127.0.0.1:8000/feeds/events/{event_id}.ics"' in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html and f"dates={start:%Y%m%d}T100000Z%2F{start:%Y%m%d}T110000Z" in html
    download = await client.get(f"/feeds/events/{event_id}.ics?download=true")
    assert download.status_code == 200 and b"SUMMARY:" in download.content


async def test_my_calendar_page_and_replacing_the_address(client, demo):
    await _log_in(client, "reader@libspace.local")
    shown = await client.get("/me/feeds")
    assert shown.status_code == 200 and "webcal://" in shown.text
    old = re.search(r'value="(http[^"]+\.ics)"', shown.text).group(1)
    token = CSRF_RE.search(shown.text).group(1)
    replaced = await client.post("/me/feeds/regenerate", data={"_csrf_token": token})
    assert replaced.status_code == 303 and replaced.headers["location"] == "/me/feeds"
    assert old not in (await client.get("/me/feeds")).text
    assert (await client.get("/" + old.split("://", 1)[1].split("/", 1)[1])).status_code == 404


async def test_booking_branch_and_zone_pages_offer_calendar_links(client, demo):
    from src.accounts.tables import Account
    from src.rooms.tables import Booking

    await _log_in(client, "reader@libspace.local")
    mine = await client.get("/me/bookings")
    assert mine.status_code == 200
    reader = await Account.select(Account.id).where(Account.email == "reader@libspace.local").first()
    mine_only = (Booking.holder_kind == "reader") & (Booking.holder == reader["id"])
    booking = await Booking.select(Booking.id, Booking.zone).where(mine_only).order_by(Booking.id).first()
    assert booking, "the demo reader has bookings"
    assert f'data-booking="{booking["id"]}"' in mine.text
    assert f"/me/bookings/{booking['id']}/calendar.ics" in mine.text and "webcal://127.0.0.1:8000/feeds/private/" in mine.text
    download = await client.get(f"/me/bookings/{booking['id']}/calendar.ics")
    assert download.status_code == 200 and download.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f"UID:booking-{booking['id']}@libspace".encode() in download.content
    theirs = await Booking.select(Booking.id).where((Booking.holder_kind == "reader") & (Booking.holder != reader["id"])).first()
    assert theirs, "the demo has other readers' bookings"
    assert (await client.get(f"/me/bookings/{theirs['id']}/calendar.ics")).status_code == 403  # someone else's
    branch = await client.get("/branches/chekhov")
    assert "webcal://127.0.0.1:8000/feeds/branches/chekhov.ics" in branch.text
    zone = await client.get(f"/zones/{booking['zone']}")
    assert f"webcal://127.0.0.1:8000/feeds/zones/{booking['zone']}.ics" in zone.text


async def test_a_readers_private_feed_has_their_bookings(client, demo):
    from src.accounts.tables import Account
    from src.accounts.tables import Account
    from src.rooms.tables import Booking

    row = await Booking.select(Booking.id, Booking.holder, Booking.purpose).where((Booking.holder_kind == "reader") & (Booking.status == "confirmed")).first()
    assert row is not None, "the demo has reader bookings"
    email = (await Account.select(Account.email).where(Account.id == row["holder"]).first())["email"]
    from tests.conftest import bearer

    headers = await bearer(client, email)
    (feed,) = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    body = (await client.get("/" + feed["links"]["url"].split("://", 1)[1].split("/", 1)[1])).content.decode().replace("\r\n ", "")
    assert f"UID:booking-{row['id']}@libspace" in body
