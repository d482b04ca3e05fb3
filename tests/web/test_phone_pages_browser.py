"""Pages that had wide tables, on 320 and 390 px phones: nothing scrolls sideways (tables become stacked cards),
the catalogue shows the events first with the filters behind one control, and staff check a reader in from the
attendee list with a button (issue 16, items 2, 3, 12)."""

from datetime import timedelta

import pytest

from src.events import service as events_service
from src.timeutil import now_utc
from tests.events.conftest import fresh_catalogue, new_event, principal, staff  # noqa: F401 (fixtures)
from tests import dates
from tests.support import chromium, log_in_page, new_page, running_server, scrolls_sideways

pytestmark = pytest.mark.browser
PHONES = [{"width": 320, "height": 640}, {"width": 390, "height": 844}]


@pytest.fixture(scope="module")
async def browser():
    async with chromium() as shared:
        yield shared


async def test_staff_pages_and_the_passport_fit_a_phone(browser, staff):
    start = now_utc() + timedelta(minutes=30)
    event_id = await new_event(staff, title="Профессия: геолог и исследователь недр Приамурья", starts_at=start, ends_at=start + timedelta(hours=2))
    await events_service.sign_up(await principal("teen@libspace.local"), event_id)
    async with running_server() as base_url:
        for phone in PHONES:
            async with new_page(browser, phone) as page:
                await log_in_page(page, base_url, "staff.chekhov@libspace.local")
                for path in ("/staff", "/staff/events", f"/staff/events/{event_id}/attendees", "/staff/checkin", "/staff/branches/chekhov/schedule?view=week"):
                    await page.goto(base_url + path)
                    assert not await scrolls_sideways(page), (phone, path)
                await page.goto(f"{base_url}/staff/events")
                row = page.get_by_test_id("staff-events").locator("tr", has_text="геолог")
                assert await row.get_by_role("link", name="Изменить").is_visible() and await row.get_by_role("link", name="Отменить").is_visible()
            async with new_page(browser, phone) as page:
                await log_in_page(page, base_url, "teen@libspace.local")
                await page.goto(f"{base_url}/guidance/passport")
                assert not await scrolls_sideways(page), (phone, "passport")
        async with new_page(browser, PHONES[0]) as page:
            await log_in_page(page, base_url, "staff.chekhov@libspace.local")
            await page.goto(f"{base_url}/staff/events/{event_id}/attendees")
            await page.get_by_test_id("check-in").click()
            await page.wait_for_url(f"{base_url}/staff/events/{event_id}/attendees")
            assert "Максим Дмитриевич Орлов" in await page.get_by_test_id("checkin-result").inner_text()
            assert "✔" in await page.get_by_test_id("attendee").first.inner_text()
            assert not await scrolls_sideways(page)


async def test_the_catalogue_on_a_phone_shows_events_first(browser, staff):
    await new_event(staff, title="Клуб любителей фантастики", category="reading_club", min_age=None, max_age=None)
    async with running_server() as base_url, new_page(browser, PHONES[0], javascript=False) as page:
        await page.goto(f"{base_url}/events")
        assert not await scrolls_sideways(page)
        assert not await page.get_by_label("Категория").is_visible()  # the filters wait behind one control
        card = page.get_by_role("link", name="Клуб любителей фантастики")
        assert await card.is_visible()
        assert (await card.bounding_box())["y"] < 640  # on the first screen
        await page.locator("details.filter-box > summary").click()
        await page.get_by_label("Категория").select_option("reading_club")
        await page.get_by_role("button", name="Показать").click()
        assert "category=reading_club" in page.url
        assert "(1)" in await page.locator("details.filter-box > summary").inner_text()  # how many filters are on


async def test_check_in_reads_the_qr_code_with_the_camera_where_the_browser_can(browser, staff):
    start = now_utc() + timedelta(minutes=30)
    event_id = await new_event(staff, title="Профессия: геолог", starts_at=start, ends_at=start + timedelta(hours=2))
    ticket = await events_service.sign_up(await principal("teen@libspace.local"), event_id)
    async with running_server() as base_url:
        async with new_page(browser, PHONES[1]) as page:  # no barcode detector: the button stays hidden, typing works
            await log_in_page(page, base_url, "staff.chekhov@libspace.local")
            await page.goto(f"{base_url}/staff/checkin?event={event_id}")
            assert not await page.get_by_role("button", name="Сканировать камерой").is_visible()
        async with new_page(browser, PHONES[1]) as page:  # a detector that sees the ticket's QR code
            await page.add_init_script(
                "window.BarcodeDetector = class { detect() { return Promise.resolve([{rawValue: %r}]); } };"
                "navigator.mediaDevices.getUserMedia = () => Promise.resolve(document.createElement('canvas').captureStream());" % ticket.ticket_code
            )
            await log_in_page(page, base_url, "staff.chekhov@libspace.local")
            await page.goto(f"{base_url}/staff/checkin?event={event_id}")
            await page.get_by_role("button", name="Сканировать камерой").click()
            result = page.get_by_test_id("checkin-result")
            await result.wait_for()
            assert "Максим Дмитриевич Орлов" in await result.inner_text()


async def test_the_zone_week_is_a_list_by_day_on_a_phone(browser, demo):
    async with running_server() as base_url, new_page(browser, PHONES[0], javascript=False) as page:
        branch = await dates.branch("centralnaya")
        await page.goto(f"{base_url}/branches/centralnaya/week?start={dates.open_day(branch.schedule, 7, tz=branch.tz)}")  # a week with free times
        assert not await scrolls_sideways(page)
        assert not await page.locator(".grid-wrap").first.is_visible()  # no box that scrolls inside the page
        boxes = await page.evaluate("() => [...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' && e.checkVisibility()).map(e => e.className)")
        assert boxes == []
        day = page.locator(".week-day[open]").first
        free = day.locator("a.slot-free").first
        assert await free.is_visible() and (await free.bounding_box())["height"] >= 44
        await free.click()
        await page.wait_for_url("**/login?next=*")  # booking asks an anonymous visitor to log in first
