"""A reader links Telegram in the browser against a real server whose worker talks to a local fake Bot API:
the deep link is shown, the bot receives /start, the page says "linked", and a sign-up's message arrives."""

import pytest

from tests.events.conftest import new_event, staff  # noqa: F401 - the staff fixture
from tests.notifications.fake_telegram import BOT, FakeBotApi
from tests.support import browser_page, header_click, log_in_page, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CHAT = 5550001


async def test_a_reader_links_telegram_and_receives_a_sign_up_there(staff):  # noqa: F811
    event_id = await new_event(staff, title="Профессия: робототехник")
    with FakeBotApi() as bot:
        env = {**bot.env(), "LIBSPACE_WORKER_POLL_SECONDS": "0.5"}
        async with running_server(env=env) as base_url, browser_page(viewport=PHONE) as page:
            await log_in_page(page, base_url, "teen@libspace.local")
            await header_click(page, "Мои сообщения")
            await page.get_by_role("button", name="Привязать Telegram").click()
            link = await page.get_by_test_id("telegram-deep-link").get_attribute("href")
            assert link.startswith(f"https://t.me/{BOT}?start=")
            bot.user_sends(CHAT, "/start " + link.rsplit("=", 1)[1], username="teen_reads")  # Telegram, after "Start"
            await bot.wait_for(lambda: any("Telegram привязан" in text for text in bot.texts(CHAT)))
            await page.get_by_role("link", name="Проверить привязку").click()
            assert "@teen_reads" in await page.get_by_test_id("telegram-linked").inner_text()
            await page.goto(f"{base_url}/events/{event_id}")
            await page.get_by_role("button", name="Записаться").click()
            await page.get_by_test_id("ticket").wait_for()
            await bot.wait_for(lambda: any("Профессия: робототехник" in text for text in bot.texts(CHAT)))
