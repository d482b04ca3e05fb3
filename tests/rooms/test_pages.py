"""Rooms pages as a browser without JavaScript sees them: the week grid, zones, the booking form with errors in
place, my bookings, and the staff schedule, approvals, blocks and closures."""

import re
from datetime import timedelta
from html import unescape

import pytest

from src.branches.tables import Closure
from src.rooms.tables import Booking
from tests import dates
from tests.conftest import post_form
from tests.rooms.helpers import READER, TEEN, at, open_day, staff_of, zone_named


@pytest.fixture
def browser_like(client):
    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    return client


async def log_in(client, login):
    answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
    assert answer.status_code == 303, answer.text


async def coworking():
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    return branch, zone, open_day(zone, branch.tz, weeks=2)


def form_for(zone, day, start, end, **extra):
    return {"zone_id": str(zone.id), "date": day.isoformat(), "start": start, "end": end, "purpose": "Учёба", "headcount": "2", **extra}


async def test_week_grid_links_free_cells_to_the_form_and_hides_who_is_busy(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, TEEN)
    await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "12:00", "14:00", purpose="Секретный проект"), action="/bookings")
    browser_like.cookies.clear()
    page = await browser_like.get(f"/branches/centralnaya/week?start={day}")
    assert page.status_code == 200 and 'class="grid"' in page.text
    section = page.text.split(f'id="zone-{zone.id}"')[1].split("</section>")[0]
    links = re.findall(r'href="(/bookings/new\?zone=\d+&amp;start=[^"]+)"', section)
    assert links and all(f"zone={zone.id}" in link for link in links)
    assert 'class="busy confirmed"' in section and "Секретный проект" not in page.text and "Орлов" not in page.text
    form = await browser_like.get(unescape(links[0]), follow_redirects=False)
    assert form.status_code == 302 and form.headers["location"].startswith("/login?next=")


async def test_zone_page_shows_its_rules(browser_like, demo):
    _branch, hall = await zone_named("chekhov", "Конференц-зал")
    page = await browser_like.get(f"/zones/{hall.id}")
    assert page.status_code == 200
    assert "Booking rules" in page.text and "Staff confirm each booking" in page.text and "15 minutes after" in page.text
    assert (await browser_like.get("/zones/999999")).status_code == 404


async def test_find_a_zone_across_branches(browser_like, demo):
    page = await browser_like.get("/zones", params=[("kind", "coworking"), ("feature", "step_free")])
    assert page.status_code == 200 and "2 zones found" in page.text
    bad = await browser_like.get("/zones", params={"on": "2026-13-40", "start": "10:00", "end": "11:00"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


async def test_a_reader_books_through_the_form_and_sees_it_in_my_bookings(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, READER)
    prefilled = await browser_like.get(f"/bookings/new?zone={zone.id}&start={at(branch, day, 10).isoformat()}&end={at(branch, day, 11).isoformat()}".replace("+", "%2B"))
    assert prefilled.status_code == 200 and f'value="{day.isoformat()}"' in prefilled.text and 'value="10:00"' in prefilled.text and 'value="11:00"' in prefilled.text
    done = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "10:00", "11:00"), action="/bookings")
    assert done.status_code == 303 and done.headers["location"] == "/me/bookings"
    mine = await browser_like.get("/me/bookings")
    assert "Booked: Коворкинг" in mine.text and "Confirmed" in mine.text and "Учёба" in mine.text
    booking_id = re.search(r'data-booking="(\d+)"', mine.text).group(1)
    cancelled = await post_form(browser_like, "/me/bookings", {"next": "/me/bookings"}, action=f"/me/bookings/{booking_id}/cancel")
    assert cancelled.status_code == 303
    assert (await Booking.select(Booking.status).where(Booking.id == int(booking_id)).first())["status"] == "cancelled"


async def test_form_errors_are_shown_in_place_and_nothing_is_written(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, READER)
    before = await Booking.count()
    early = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "08:00", "09:00"), action="/bookings")
    assert early.status_code == 303 and early.headers["location"] == f"/bookings/new?zone={zone.id}"  # back to the form's own address
    early = await browser_like.get(early.headers["location"])
    assert early.status_code == 200 and 'id="e-start"' in early.text and "outside opening hours" in early.text and 'data-testid="error-summary"' in early.text
    crowd = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "10:00", "11:00", headcount="500"), action="/bookings", follow_redirects=True)
    assert crowd.status_code == 200 and 'id="e-headcount"' in crowd.text and 'aria-invalid="true"' in crowd.text
    assert 'value="Учёба"' in crowd.text  # what was typed stays
    missing = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "", "11:00"), action="/bookings", follow_redirects=True)
    assert missing.status_code == 200 and 'id="e-start"' in missing.text
    assert await Booking.count() == before


async def test_a_clash_on_the_form_lists_the_taken_time(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, TEEN)
    await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "10:00", "12:00"), action="/bookings")
    browser_like.cookies.clear()
    await log_in(browser_like, READER)
    clash = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "11:00", "13:00"), action="/bookings", follow_redirects=True)
    assert clash.status_code == 200 and "already booked at these times" in clash.text and "10:00–12:00" in clash.text


async def test_a_weekly_series_from_the_form_skipping_a_taken_date(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, TEEN)
    week2 = day + timedelta(days=7)
    await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, week2, "15:00", "16:00"), action="/bookings")
    browser_like.cookies.clear()
    await log_in(browser_like, READER)
    series = form_for(zone, day, "15:00", "16:00", repeat="on", interval="1", count="2")
    refused = await post_form(browser_like, f"/bookings/new?zone={zone.id}", series, action="/bookings", follow_redirects=True)
    assert refused.status_code == 200 and "already booked at these times" in refused.text
    done = await post_form(browser_like, f"/bookings/new?zone={zone.id}", {**series, "skip_conflicts": "on"}, action="/bookings", follow_redirects=True)
    assert "1 bookings made, 1 dates skipped" in done.text


async def test_staff_approve_and_decline_with_a_reason(browser_like, demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    await log_in(browser_like, READER)
    for start, end in (("12:00", "13:00"), ("15:00", "16:00")):
        await post_form(browser_like, f"/bookings/new?zone={hall.id}", form_for(hall, day, start, end), action="/bookings")
    browser_like.cookies.clear()
    await log_in(browser_like, staff_of("chekhov"))
    queue = await browser_like.get("/staff/approvals")
    assert queue.status_code == 200 and "Ковалёва" in queue.text
    ids = [int(i) for i in re.findall(r'data-booking="(\d+)"', queue.text)]
    mine = [row["id"] for row in await Booking.select(Booking.id).where((Booking.zone == hall.id) & (Booking.status == "pending") & (Booking.starts_at >= at(branch, day, 0))).order_by(Booking.starts_at)]
    assert set(mine) <= set(ids)
    approved = await post_form(browser_like, "/staff/approvals", {}, action=f"/staff/bookings/{mine[0]}/approve")
    assert approved.status_code == 303
    step = f"/staff/bookings/{mine[1]}/decline"
    assert f'href="{step}"' in queue.text  # declining is a step of its own, asking for the reason
    no_reason = await post_form(browser_like, step, {"reason": ""})
    assert no_reason.status_code == 303 and no_reason.headers["location"] == step
    again = await browser_like.get(step)
    assert 'id="e-reason"' in again.text and 'data-testid="error-summary"' in again.text
    declined = await post_form(browser_like, step, {"reason": "Зал на ремонте"})
    assert declined.status_code == 303
    statuses = {row["id"]: (row["status"], row["reason"]) for row in await Booking.select(Booking.id, Booking.status, Booking.reason).where(Booking.id.is_in(mine))}
    assert statuses == {mine[0]: ("confirmed", ""), mine[1]: ("declined", "Зал на ремонте")}
    schedule = await browser_like.get(f"/staff/branches/chekhov/schedule?day={day}")
    assert schedule.status_code == 200 and "Ковалёва" in schedule.text and "Учёба" in schedule.text
    week = await browser_like.get(f"/staff/branches/chekhov/schedule?day={day}&view=week")
    assert week.status_code == 200 and "Ковалёва" in week.text


async def test_staff_pages_are_for_staff_of_that_branch(browser_like, demo):
    await log_in(browser_like, READER)
    assert (await browser_like.get("/staff/approvals")).status_code == 403
    browser_like.cookies.clear()
    await log_in(browser_like, staff_of("dialog"))
    assert (await browser_like.get("/staff/branches/chekhov/schedule")).status_code == 403
    assert (await browser_like.get("/staff/branches/chekhov/closures")).status_code == 403


async def test_internal_blocks(browser_like, demo):
    branch, zone, _day = await coworking()
    day = dates.open_run(zone.schedule, 3, after_days=8, tz=branch.tz)  # a block over three open days
    await log_in(browser_like, staff_of("centralnaya"))
    form = {"zone_id": str(zone.id), "date": day.isoformat(), "until": (day + timedelta(days=2)).isoformat(), "start": "10:00", "end": "12:00", "reason": "Замена мебели"}
    made = await post_form(browser_like, "/staff/branches/centralnaya/blocks", form, follow_redirects=True)
    assert made.status_code == 200 and "Blocked: 3 days" in made.text and "Замена мебели" in made.text
    again = await post_form(browser_like, "/staff/branches/centralnaya/blocks", form, follow_redirects=True)
    assert again.status_code == 200 and "already booked" in again.text
    no_reason = await post_form(browser_like, "/staff/branches/centralnaya/blocks", {**form, "reason": ""}, follow_redirects=True)
    assert no_reason.status_code == 200 and 'id="e-reason"' in no_reason.text
    week = await browser_like.get(f"/branches/centralnaya/week?start={day}&zone={zone.id}")
    assert "Замена мебели" in week.text  # staff of the branch see what a busy time is for


async def test_closures_editor(browser_like, demo):
    branch, zone, day = await coworking()
    await log_in(browser_like, READER)
    booked = await post_form(browser_like, f"/bookings/new?zone={zone.id}", form_for(zone, day, "10:00", "11:00"), action="/bookings")
    assert booked.status_code == 303, booked.text
    browser_like.cookies.clear()
    await log_in(browser_like, staff_of("centralnaya"))
    before = await Closure.count()
    booking_id = (await Booking.select(Booking.id).where(Booking.zone == zone.id).order_by(Booking.id, ascending=False).first())["id"]
    form = {"starts_on": day.isoformat(), "ends_on": "", "kind": "repair", "reason": "Протечка крыши", "zone_id": "", "which": "closure"}
    listed = await post_form(browser_like, "/staff/branches/centralnaya/closures", form, follow_redirects=True)
    assert listed.status_code == 200 and 'data-testid="affected"' in listed.text and f"№{booking_id}" in listed.text  # never silently
    assert await Closure.count() == before
    added = await post_form(browser_like, "/staff/branches/centralnaya/closures", {**form, "on_conflict": "keep"}, follow_redirects=True)
    assert added.status_code == 200 and "Протечка крыши" in added.text and "Kept outside the hours" in added.text
    assert await Closure.count() == before + 1
    assert (await Booking.select(Booking.override_hours).where(Booking.id == booking_id).first())["override_hours"]
    bad = await post_form(browser_like, "/staff/branches/centralnaya/closures", {"starts_on": day.isoformat(), "ends_on": (day - timedelta(days=1)).isoformat(), "kind": "repair", "reason": ""}, follow_redirects=True)
    assert bad.status_code == 200 and 'id="e-ends_on"' in bad.text and 'id="e-reason"' in bad.text
    closed = await browser_like.get(f"/branches/centralnaya/week?start={day}&zone={zone.id}")
    assert closed.status_code == 200 and f"start={day.isoformat()}T" not in closed.text  # no free cell on the closed day
    closure_id = (await Closure.select(Closure.id).where(Closure.reason == "Протечка крыши").first())["id"]
    removed = await post_form(browser_like, "/staff/branches/centralnaya/closures", {}, action=f"/staff/branches/centralnaya/closures/{closure_id}/delete")
    assert removed.status_code == 303 and await Closure.count() == before
