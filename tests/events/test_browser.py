"""On a phone, in headless Chromium against a real server: a 15-year-old finds a career workshop by filter,
signs up, sees the ticket, cancels; staff check someone in at the door."""

import re
from datetime import timedelta

import pytest

from src.events import service as events_service
from tests.events.conftest import during_opening, new_event, principal
from tests.support import browser_page, header_click, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


async def _log_in(page, base_url, login):
    await page.goto(f"{base_url}/login")
    await page.get_by_label("Номер карты или e-mail").fill(login)
    await page.get_by_label(re.compile("^Пароль")).fill("libspace-demo")
    await page.get_by_role("button", name="Войти").click()


async def test_teen_finds_a_career_workshop_signs_up_sees_ticket_and_cancels(staff):
    await new_event(staff, title="Профессия: инженер-программист")
    await new_event(staff, title="Клуб любителей фантастики", category="reading_club", min_age=None, max_age=None)
    async with running_server() as base_url, browser_page(viewport=PHONE) as page:
        await _log_in(page, base_url, "teen@libspace.local")
        await header_click(page, "Афиша")
        assert await page.get_by_role("link", name="Профессия: инженер-программист").is_visible()  # events first on a phone
        await page.locator("details.filter-box > summary").click()  # the filters behind one control
        await page.get_by_label("Категория").select_option("career_workshop")
        await page.get_by_label("Возраст").fill("15")
        await page.get_by_role("button", name="Показать").click()
        assert "category=career_workshop" in page.url and "age=15" in page.url  # a shareable URL
        assert await page.get_by_role("link", name="Клуб любителей фантастики").count() == 0
        await page.get_by_role("link", name="Профессия: инженер-программист").click()
        await page.get_by_role("button", name="Записаться").click()
        await page.get_by_test_id("ticket").wait_for()
        await header_click(page, "Мои записи")
        code = (await page.get_by_test_id("ticket-code").inner_text()).strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        assert await page.locator("[data-testid=ticket] svg").count() == 1
        await page.screenshot(path="var/screenshot-my-sign-ups.png", full_page=True)
        await page.get_by_role("link", name="Отменить запись").click()
        assert await page.get_by_test_id("what-happens").is_visible()  # one more step saying what will happen
        await page.get_by_role("button", name="Да, отменить запись").click()
        await page.get_by_text("Запись отменена.").wait_for()
        assert await page.get_by_test_id("ticket").count() == 0


async def test_staff_check_someone_in_by_ticket_code(staff, frozen_clock):
    start = await during_opening(frozen_clock) + timedelta(minutes=30)
    event_id = await new_event(staff, title="Профессия: геолог", starts_at=start, ends_at=start + timedelta(hours=2))
    ticket = await events_service.sign_up(await principal("teen@libspace.local"), event_id)
    async with running_server() as base_url, browser_page(viewport=PHONE) as page:
        await _log_in(page, base_url, "staff.chekhov@libspace.local")
        await page.get_by_role("link", name="Отметка участников").click()
        await page.get_by_label("Код билета или номер карты").fill(ticket.ticket_code.lower())
        await page.get_by_role("button", name="Отметить").click()
        result = page.get_by_test_id("checkin-result")
        await result.wait_for()
        assert "Максим Дмитриевич Орлов" in await result.inner_text()
        await page.goto(f"{base_url}/staff/events/{event_id}/attendees")
        assert "✔" in await page.get_by_test_id("attendee").first.inner_text()
