"""Journeys in headless Chromium against a real server: a reader books a free coworking slot from the week
grid; staff approve a pending booking."""

import os

import pytest

from src.rooms import bookings
from src.rooms.constants import CONFIRMED, PENDING
from src.rooms.tables import Booking
from tests.rooms.helpers import READER, at, open_day, principal, staff_of, zone_named
from tests.support import browser_page, running_server

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LIBSPACE_SCREENSHOTS")  # a folder to keep screenshots in, when asked


async def _log_in(page, login: str) -> None:
    await page.fill("#f-login", login)
    await page.fill("#f-password", "libspace-demo")
    await page.click("main form button[type=submit]")


async def _shot(page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


async def test_a_reader_finds_a_free_coworking_slot_in_the_week_grid_and_books_it(demo):
    branch, zone = await zone_named("centralnaya", "Коворкинг")
    day = open_day(zone, branch.tz)
    reader = await principal(READER)
    async with running_server() as base_url, browser_page() as page:
        await page.goto(f"{base_url}/branches/centralnaya/week?start={day}")
        await _shot(page, "week-grid")
        free = page.locator(f"#zone-{zone.id} td.free a").first
        href = await free.get_attribute("href")
        await free.click()
        await page.wait_for_url("**/login?next=*")
        await _log_in(page, READER)
        await page.wait_for_url("**/bookings/new?*")
        assert await page.locator("#f-date").input_value() and await page.locator("#f-start").input_value()
        await page.fill("#f-purpose", "Готовлюсь к сессии")
        await page.fill("#f-headcount", "2")
        await _shot(page, "booking-form")
        await page.click("main form button[type=submit]")
        await page.wait_for_url("**/me/bookings")
        await _shot(page, "my-bookings")
        assert "Готовлюсь к сессии" in await page.locator("main").inner_text()
    assert href and f"zone={zone.id}" in href
    row = await Booking.select(Booking.status, Booking.purpose).where((Booking.zone == zone.id) & (Booking.holder == reader.id) & (Booking.purpose == "Готовлюсь к сессии")).first()
    assert row == {"status": CONFIRMED, "purpose": "Готовлюсь к сессии"}


async def test_staff_approve_a_pending_booking(demo):
    branch, hall = await zone_named("chekhov", "Конференц-зал")
    day = open_day(hall, branch.tz)
    request = bookings.BookingRequest(zone_id=hall.id, starts_at=at(branch, day, 15), ends_at=at(branch, day, 17), purpose="Лекция о Чехове", headcount=25)
    (pending,) = (await bookings.book(await principal(READER), request)).bookings
    assert pending.status == PENDING
    async with running_server() as base_url, browser_page(viewport={"width": 390, "height": 844}) as page:
        await page.goto(f"{base_url}/login")
        await _log_in(page, staff_of("chekhov"))
        await page.goto(f"{base_url}/staff/approvals")
        item = page.locator(f'li[data-booking="{pending.id}"]')
        assert "Лекция о Чехове" in await item.inner_text()
        await _shot(page, "approvals")
        await item.locator("form[action$='/approve'] button").first.click()
        await page.wait_for_url("**/staff/approvals")
        assert await page.locator(f'li[data-booking="{pending.id}"]').count() == 0
    assert (await Booking.select(Booking.status).where(Booking.id == pending.id).first())["status"] == CONFIRMED
