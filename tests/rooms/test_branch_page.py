"""A branch's page (issue 16, item 16): whether it is open now, a map link, its coming events."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from src.branches.rules import HoursRow, Schedule
from src.rooms.pages import open_now

TZ = ZoneInfo("Asia/Yakutsk")
WEDNESDAY = date(2026, 12, 9)
SCHEDULE = Schedule(weekly=tuple(HoursRow(weekday=day, opens=time(10), closes=time(19)) for day in range(5)))


def test_open_now_says_until_when_or_when_it_opens_next():
    assert open_now(SCHEDULE, datetime.combine(WEDNESDAY, time(12), tzinfo=TZ)) == {"open": True, "until": time(19)}
    assert open_now(SCHEDULE, datetime.combine(WEDNESDAY, time(8), tzinfo=TZ)) == {"open": False, "next_day": None, "next_time": time(10)}
    friday_night = datetime.combine(date(2026, 12, 11), time(20), tzinfo=TZ)
    assert open_now(SCHEDULE, friday_night) == {"open": False, "next_day": date(2026, 12, 14), "next_time": time(10)}  # Monday
    assert open_now(Schedule(), friday_night) == {"open": False, "next_day": None, "next_time": None}


async def test_the_branch_page_says_if_it_is_open_links_the_map_and_lists_coming_events(client, demo):
    page = await client.get("/branches/chekhov")
    assert page.status_code == 200
    assert 'data-testid="open-now"' in page.text and ("Сейчас открыто" in page.text or "Сейчас закрыто" in page.text)
    assert 'href="https://www.openstreetmap.org/' in page.text
    assert 'id="coming-events"' in page.text
    # how to get there: the route planner with the branch as the destination, after the address (not the feeds first)
    assert 'href="https://www.openstreetmap.org/directions?route=%3B50.270500%2C127.527000"' in page.text
    assert page.text.index('data-testid="open-now"') < page.text.index('data-testid="route-link"') < page.text.index("/feeds/branches/chekhov.ics")


async def test_the_week_on_a_phone_calls_past_days_over_not_closed(client, demo):
    """The list by day said «30 ноября, понедельник · закрыто» on Wednesday for a library open that Monday
    (issue 16 QA pass): the days before today are over; closed is for days the library does not open."""
    from tests import dates

    branch = await dates.branch("chekhov")
    today = dates.today(branch.tz)
    page = await client.get("/branches/chekhov/week", params={"start": (today - timedelta(days=7)).isoformat()})  # all of last week is over
    assert page.status_code == 200
    summaries = re.findall(r'<details class="week-day"[^>]*>\s*<summary>(.*?)</summary>', page.text, re.S)
    assert summaries and all("уже прошёл" in summary and "закрыто" not in summary for summary in summaries)
    coming = await client.get("/branches/chekhov/week", params={"start": (today + timedelta(days=7)).isoformat()})
    sunday = next(summary for summary in re.findall(r"<summary>(.*?)</summary>", coming.text, re.S) if "воскресенье" in summary)
    assert "закрыто" in sunday and "уже прошёл" not in sunday  # Chekhov is closed on Sundays
