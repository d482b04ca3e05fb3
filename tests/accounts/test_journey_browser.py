"""The card journey on a phone, in headless Chromium against a real server: a reader imported from the old
system activates the card online (the link read from the outbox, as the worker would send it), signs up for a
workshop, forgets the password and sets a new one with the reset link."""

from __future__ import annotations

import asyncio
import re

import pytest

from src.accounts import messages
from tests.accounts.helpers import imported, link_in, sent, years_ago
from tests.events.conftest import new_event, principal
from tests.support import browser_page, log_in_page, log_out, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


async def _link_of(kind: str, count: int = 1) -> str:
    """The newest message of this kind once the server has queued it (it does so after answering)."""
    for _attempt in range(300):  # up to 30 s: a loaded machine (CI runs two engines' servers) may take a while
        rows = await sent(kind)
        if len(rows) >= count:
            return await link_in(rows[-1])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind} message was queued")


async def test_imported_reader_activates_signs_up_and_resets_the_password_on_a_phone(demo):
    birth = years_ago(16)
    await imported(card="100200300", name="Пётр Иванов", birth=birth, email="petr@example.ru", branch="chekhov")
    event_id = await new_event(await principal("staff.chekhov@libspace.local"), title="Мастер-класс: робототехника", category="career_workshop", min_age=None, max_age=None)
    async with running_server() as base_url, browser_page(viewport=PHONE) as page:
        await page.goto(f"{base_url}/activate")
        await page.get_by_label("Номер карты").fill("100 200 300")
        await page.get_by_label("Дата рождения").fill(birth.isoformat())
        await page.get_by_label("E-mail или телефон").fill("petr@example.ru")
        await page.get_by_role("button", name="Прислать ссылку").click()
        await page.locator("[role=status]").first.wait_for()

        await page.goto(base_url + await _link_of(messages.ACTIVATION))
        await page.get_by_label(re.compile("^Новый пароль")).fill("petr-first-password")
        await page.get_by_label("Повторите пароль").fill("petr-first-password")
        await page.get_by_label(re.compile("согласие на обработку")).check()
        await page.get_by_role("button", name="Активировать билет").click()
        await page.wait_for_url(f"{base_url}/me/card")
        assert (await page.get_by_test_id("card-number").inner_text()).strip() == "100200300"

        await page.goto(f"{base_url}/events/{event_id}")
        await page.get_by_role("button", name="Записаться").click()
        await page.get_by_test_id("ticket").wait_for()

        await log_out(page)
        await page.goto(f"{base_url}/password/forgot")
        await page.get_by_label("E-mail или номер билета").fill("100200300")
        await page.get_by_role("button", name="Прислать ссылку").click()
        await page.locator("[role=status]").first.wait_for()
        await page.goto(base_url + await _link_of(messages.PASSWORD_RESET))
        await page.get_by_label(re.compile("^Новый пароль")).fill("petr-second-password")
        await page.get_by_label("Повторите пароль").fill("petr-second-password")
        await page.get_by_role("button", name="Сохранить пароль").click()
        await page.wait_for_url(f"{base_url}/me/card")

        await log_out(page)
        await log_in_page(page, base_url, "100200300", "petr-first-password")
        assert "/login" in page.url  # the old password no longer works
        await log_in_page(page, base_url, "100200300", "petr-second-password")
        await page.wait_for_url(f"{base_url}/me/card")
        await page.goto(f"{base_url}/events/{event_id}")
        await page.get_by_test_id("ticket").wait_for()  # the sign-up is still there
