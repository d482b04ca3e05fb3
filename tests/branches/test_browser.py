"""The network's journey in headless Chromium against a real server: the admin creates a branch with hours and a
zone on a desktop and makes a staff member its head; a reader books the new zone on a phone; the branch head
shortens Saturday's hours, sees the booking it strands and cancels it with a reason; the reader sees it
cancelled and has a message; the audit page shows all of it. Dates come from the clock (the next Saturday)."""

import pytest

from src.accounts.tables import Account
from src.notifications.tables import Outbox
from src.rooms.tables import Booking, Zone
from tests import dates
from tests.support import chromium, log_in_page, new_page, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def test_a_new_branch_from_creation_to_a_shortened_saturday(demo):
    saturday = dates.next_weekday(5, after_days=2, tz="Asia/Yakutsk")
    head = await Account.select(Account.id).where(Account.email == "staff.chekhov@libspace.local").first()
    async with running_server() as base_url, chromium() as browser:
        async with new_page(browser, locale="en-US") as page:  # the admin, on a desktop
            await log_in_page(page, base_url, "admin@libspace.local")
            await page.goto(f"{base_url}/staff/network")
            await page.click("text=New branch")
            await page.fill("#f-name", "Библиотека на Зее")
            await page.fill("#f-name_en", "Zeya Library")
            await page.fill("#f-slug", "zeya")
            await page.fill("#f-address", "ул. Зейская, 1")
            await page.click("main form button[type=submit]")
            await page.wait_for_url("**/staff/network/branches/zeya/hours")
            for day in WEEK:
                await page.fill(f"#f-{day}_0_opens", "10:00")
                await page.fill(f"#f-{day}_0_closes", "19:00")
            await page.click("[data-testid=weekly-form] button[type=submit]")
            await page.wait_for_load_state()
            assert "saved" in (await page.locator("main").inner_text()).lower()
            await page.goto(f"{base_url}/staff/network/branches/zeya/zones/new")
            await page.fill("#f-name", "Коворкинг на Зее")
            await page.select_option("#f-kind", "coworking")
            await page.fill("#f-capacity", "6")
            await page.check("input[name=feature_wifi]")
            await page.fill("#f-lead_minutes", "0")
            await page.click("main form button[type=submit]")
            await page.wait_for_load_state()
            assert "/staff/network/zones/" in page.url, await page.locator("main").inner_text()
            await page.goto(f"{base_url}/staff/network/staff/{head['id']}")
            await page.check("input[name=branch_zeya]")
            await page.check("input[name=head_zeya]")
            await page.click("main form button[type=submit]")
            await page.wait_for_load_state()

        zone = await Zone.select(Zone.id).where(Zone.name == "Коворкинг на Зее").first()
        async with new_page(browser, viewport=PHONE) as phone:  # the reader, on a phone
            await log_in_page(phone, base_url, "student@libspace.local")  # no demo booking of theirs overlaps (one person, one place at a time)
            start = f"{saturday.isoformat()}T16:00:00+09:00"
            end = f"{saturday.isoformat()}T17:00:00+09:00"
            await phone.goto(f"{base_url}/bookings/new?zone={zone['id']}&start={start.replace('+', '%2B')}&end={end.replace('+', '%2B')}")
            await phone.fill("#f-purpose", "Курсовая")
            await phone.click("main form button[type=submit]")
            await phone.wait_for_url("**/me/bookings")
            booking = await Booking.select(Booking.id, Booking.status).where(Booking.zone == zone["id"]).first()
            assert booking["status"] == "confirmed"

            async with new_page(browser) as desk:  # the branch head, on a desktop
                await log_in_page(desk, base_url, "staff.chekhov@libspace.local")
                await desk.goto(f"{base_url}/staff/network/branches/zeya/hours")
                await desk.fill("#f-sat_0_closes", "15:00")
                await desk.click("[data-testid=weekly-form] button[type=submit]")
                await desk.wait_for_selector("[data-testid=affected]")
                assert f"№{booking['id']}" in await desk.locator("[data-testid=affected]").inner_text()
                await desk.check("input[name=on_conflict][value=cancel]")
                await desk.fill("#f-reason-weekly", "Суббота теперь короче")
                await desk.click("[data-testid=weekly-form] button[type=submit]")
                await desk.wait_for_load_state()
                assert await desk.locator("[data-testid=affected]").count() == 0

            await phone.goto(f"{base_url}/me/bookings")
            text = await phone.locator("main").inner_text()
            assert "Суббота теперь короче" in text
            reader = await Account.select(Account.id).where(Account.email == "student@libspace.local").first()
            assert await Outbox.count().where((Outbox.recipient == reader["id"]) & (Outbox.kind == "booking_cancelled")) == 1

        async with new_page(browser, locale="en-US") as page:  # the audit page shows all of it
            await log_in_page(page, base_url, "admin@libspace.local")
            await page.goto(f"{base_url}/staff/network/audit?branch=zeya")
            log = await page.locator("[data-testid=audit]").inner_text()
            for expected in ("branch:", "update_hours", f"zone:{zone['id']}", f"booking:{booking['id']}", "cancel"):
                assert expected in log, expected
