"""Feeds of events, bookings and sign-ups, checked against what the API says, through ical.js and
icalendar + recurring-ical-events, across a daylight-saving change in a branch set to Europe/Berlin.

The dates follow the clock: ``change`` is the next Sunday Berlin moves to summer time (at least three weeks
ahead); the weekly club meets on the three Tuesdays before it and the three after."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from piccolo.engine import engine_finder

from src.accounts import service as accounts_service
from src.accounts.tables import Account
from src.branches.tables import Branch
from src.db import write_transaction
from src.events import service as events_service
from src.events.service import EventChange, EventInput
from src.events.tables import Event
from src.rooms import service as rooms_service
from src.timeutil import now_utc
from tests import dates
from tests.calendars.clients import icaljs, icaljs_spans, instant, python_spans
from tests.conftest import bearer

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def change() -> date:
    """The Sunday Berlin moves to summer time, at least three weeks ahead (2027-03-28 seen from December 2026)."""
    return dates.summer_time_change("Europe/Berlin", after_days=21)


def window(change: date) -> tuple[datetime, datetime]:
    """Four weeks before the change to five weeks after (1 March to 1 May 2027 for the change of 2027)."""
    return datetime.combine(change - timedelta(days=27), time(), tzinfo=UTC), datetime.combine(change + timedelta(days=34), time(), tzinfo=UTC)


def tuesday(change: date, week: int) -> date:
    """The club's ``week``-th Tuesday (0-5): three before the change, three after."""
    return change - timedelta(days=19) + timedelta(weeks=week)


def on_berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def js_instant(moment: datetime) -> str:
    """How ical.js writes an instant: ``2027-03-09T17:00:00.000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def staff(login: str = "staff.chekhov@libspace.local"):
    account = await Account.select(Account.id).where(Account.email == login).first()
    return await accounts_service.load_principal(account["id"])


async def berlin_branch(slug: str = "chekhov") -> None:
    async with write_transaction(engine_finder()):
        await Branch.update({Branch.timezone: "Europe/Berlin"}).where(Branch.slug == slug)
        await rooms_service.changed()


async def weekly_club_in_berlin(change: date) -> list[int]:
    """Tuesdays 18:00 Berlin time, six weeks across the change to summer time (9 March to 13 April 2027 for
    the change on 28 March 2027)."""
    await berlin_branch()
    first = on_berlin(tuesday(change, 0), 18)
    return await events_service.create_event(
        await staff(),
        EventInput(title="Книжный клуб", category="reading_club", branch="chekhov", starts_at=first, ends_at=first + timedelta(hours=1, minutes=30),
                   description="**Читаем** вместе", recurrence="FREQ=WEEKLY;COUNT=6", capacity=12),
    )


async def api_spans(client, change: date, **params) -> list[tuple]:
    start, end = window(change)
    query = {"start": start.date().isoformat(), "end": end.date().isoformat(), "page_size": 500, **params}
    items = (await client.get("/api/v1/events", params=query)).json()["items"]
    return sorted((instant(e["starts_at"]), instant(e["ends_at"])) for e in items if e["status"] != "cancelled")


def spans_only(spans: list[tuple]) -> list[tuple]:
    """The timed items (closures are all-day dates, not in the events API)."""
    return sorted((start, end) for _uid, start, end in spans if isinstance(start, datetime))


async def test_a_series_across_dst_expands_to_what_the_api_says(client, demo, change):
    ids = await weekly_club_in_berlin(change)
    principal = await staff()
    await events_service.cancel_event(principal, ids[1], reason="Санитарный день")
    moved = on_berlin(tuesday(change, 3), 19, 30)
    await events_service.update_event(principal, ids[3], EventChange(values={"starts_at": moved, "ends_at": moved + timedelta(hours=1, minutes=30)}))
    await events_service.update_event(principal, ids[4], EventChange(values={"title": "Книжный клуб: гость — автор"}))

    feed = await client.get("/feeds/events.ics", params={"branch": "chekhov"})
    assert feed.status_code == 200
    text = feed.content.decode().replace("\r\n ", "")
    assert "RRULE:FREQ=WEEKLY;COUNT=6" in text and f"EXDATE;TZID=Europe/Berlin:{tuesday(change, 1):%Y%m%d}T180000" in text
    assert f"RECURRENCE-ID;TZID=Europe/Berlin:{tuesday(change, 3):%Y%m%d}T180000" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text

    expected = await api_spans(client, change, branch="chekhov")
    assert len(expected) == 5
    assert [start.hour for start, _end in expected] == [17, 17, 17, 16, 16]  # 18:00 local, UTC+1 then UTC+2 (the move: 17:30 UTC)
    assert spans_only(python_spans(feed.content, *window(change))) == expected
    assert spans_only(icaljs_spans(feed.content, *window(change))) == expected
    titles = {e["start"]: e["summary"] for e in icaljs(feed.content, *window(change))["events"]}
    assert titles[js_instant(on_berlin(tuesday(change, 4), 18))] == "Книжный клуб: гость — автор"


async def test_branch_feed_has_its_events_and_the_one_event_feed(client, demo, change):
    ids = await weekly_club_in_berlin(change)
    branch = await client.get("/feeds/branches/chekhov.ics")
    assert spans_only(icaljs_spans(branch.content, *window(change))) == await api_spans(client, change, branch="chekhov")
    assert "Книжный клуб" not in (await client.get("/feeds/branches/dialog.ics")).content.decode()
    one = await client.get(f"/feeds/events/{ids[0]}.ics", params={"download": "true"})
    assert one.status_code == 200 and one.headers["content-disposition"].startswith("attachment")
    (event,) = icalendar.Calendar.from_ical(one.content).events
    assert str(event["UID"]) == f"event-{ids[0]}@libspace" and "Читаем вместе" in str(event["DESCRIPTION"])
    assert (await client.get("/feeds/events/999999.ics")).status_code == 404


async def test_filters_are_the_catalogues(client, demo, change):
    await weekly_club_in_berlin(change)
    start = datetime.combine(tuesday(change, 0) + timedelta(days=2), time(10), tzinfo=UTC)
    await events_service.create_event(await staff("staff.dialog@libspace.local"), EventInput(title="Лекция о Зее", category="lecture", branch="dialog", starts_at=start, ends_at=start + timedelta(hours=1)))
    lectures = await client.get("/feeds/events.ics", params={"category": "lecture"})
    assert spans_only(python_spans(lectures.content, *window(change))) == await api_spans(client, change, category="lecture") == [(start, start + timedelta(hours=1))]
    everything = await client.get("/feeds/events.ics")
    assert len(python_spans(everything.content, *window(change))) == 7
    assert (await client.get("/feeds/events.ics", params={"category": "nonsense"})).status_code == 422


async def test_events_feed_304_and_a_change_makes_a_new_one(client, demo, change):
    ids = await weekly_club_in_berlin(change)
    first = await client.get("/feeds/events.ics")
    assert (await client.get("/feeds/events.ics", headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    assert (await client.get("/feeds/events.ics", headers={"If-Modified-Since": first.headers["last-modified"]})).status_code == 304
    assert (await client.head("/feeds/events.ics")).headers["content-length"] == str(len(first.content))
    await events_service.cancel_event(await staff(), ids[5], reason="Отпуск")
    after = await client.get("/feeds/events.ics", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]


async def test_a_cancelled_single_event_stays_cancelled_for_30_days(client, demo, change):
    start = datetime.combine(tuesday(change, 0) + timedelta(days=2), time(10), tzinfo=UTC)
    principal = await staff()
    (event_id,) = await events_service.create_event(principal, EventInput(title="Мастер-класс", category="master_class", branch="chekhov", starts_at=start, ends_at=start + timedelta(hours=1)))
    await events_service.cancel_event(principal, event_id, reason="Болезнь")
    feed = await client.get("/feeds/events.ics")
    parsed = icaljs(feed.content, *window(change))["events"]
    assert [(e["uid"], e["status"]) for e in parsed] == [(f"event-{event_id}@libspace", "CANCELLED")]
    long_ago = now_utc() - timedelta(days=31)
    await Event.update({Event.cancelled_at: long_ago, Event.updated_at: long_ago}).where(Event.id == event_id)
    assert b"BEGIN:VEVENT" not in (await client.get("/feeds/events.ics")).content


async def test_zone_feed_has_busy_blocks_without_personal_data(client, demo):
    from src.rooms.tables import Booking

    booking = await Booking.select(Booking.id, Booking.zone, Booking.purpose, Booking.starts_at, Booking.ends_at, Booking.holder_kind).where(Booking.status == "confirmed").first()
    feed = await client.get(f"/feeds/zones/{booking['zone']}.ics")
    text = feed.content.decode().replace("\r\n ", "")
    assert f"UID:booking-{booking['id']}@libspace" in text
    if booking["purpose"] and booking["holder_kind"] != "event":
        assert booking["purpose"] not in text
    spans = icaljs_spans(feed.content, booking["starts_at"] - timedelta(days=1), booking["ends_at"] + timedelta(days=1))
    assert (f"booking-{booking['id']}@libspace", instant(booking["starts_at"]), instant(booking["ends_at"])) in spans
    holders = await Account.select(Account.full_name, Account.email)
    assert not any(row["full_name"] in text or (row["email"] or "\x00") in text for row in holders)


async def test_a_readers_private_feed_has_their_sign_ups(client, demo, change):
    ids = await weekly_club_in_berlin(change)
    headers = await bearer(client, "reader@libspace.local")
    signed = await client.post(f"/api/v1/events/{ids[0]}/registrations", headers=headers, json={"seats": 1})
    assert signed.status_code == 201 and signed.json()["status"] == "confirmed", signed.text
    (feed,) = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    path = "/" + feed["links"]["url"].split("://", 1)[1].split("/", 1)[1]
    private = await client.get(path)
    assert private.status_code == 200 and private.headers["cache-control"].startswith("private")
    events = icaljs(private.content, *window(change))["events"]
    signed_up = [(e["uid"], e["start"]) for e in events if e["uid"].startswith("event-")]  # (the demo's bookings may fall in the window too)
    assert signed_up == [(f"event-{ids[0]}@libspace", js_instant(on_berlin(tuesday(change, 0), 18)))]
    again = await client.get(path, headers={"If-None-Match": private.headers["etag"]})
    assert again.status_code == 304
    await client.post("/api/v1/me/feeds/regenerate", headers=headers)
    assert (await client.get(path)).status_code == 404


async def test_a_staff_members_feed_has_their_branches_schedule(client, demo, change):
    await weekly_club_in_berlin(change)
    headers = await bearer(client, "staff.chekhov@libspace.local")
    (feed,) = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    private = await client.get("/" + feed["links"]["url"].split("://", 1)[1].split("/", 1)[1])
    text = private.content.decode().replace("\r\n ", "")
    assert "Книжный клуб" in text and "Закрыто" in text
    assert len(python_spans(private.content, *window(change))) >= 6
