"""Issue 14's journey in the browser against a real server whose worker talks to a local fake Bot API: a teenager
links Telegram (the deep link shown, the bot receives /start, the page says "linked"), joins the waitlist of a
full workshop, is promoted when someone cancels, receives that in Telegram and confirms the seat with one click
on the message's button (the signed confirm link, no log-in)."""

from urllib.parse import urlsplit

import pytest

from src.events import service as events_service
from src.events.tables import Registration
from src.timeutil import now_utc
from tests.events.conftest import make_readers, new_event, soon, staff  # noqa: F401 - the staff fixture
from tests.notifications.fake_telegram import BOT, FakeBotApi
from tests.support import browser_page, header_click, log_in_page, log_out, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CHAT = 5550001


async def test_a_teen_links_telegram_is_promoted_and_confirms_from_the_message(staff):  # noqa: F811
    starts = soon(days=2)
    hours = int((starts - now_utc()).total_seconds() // 3600) - 2  # a promoted seat must be confirmed within hours
    event_id = await new_event(staff, title="Профессия: робототехник", capacity=1, starts_at=starts, confirm_hours_before=hours)
    (other,) = await make_readers(1)
    taken = await events_service.sign_up(other, event_id)
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
            await page.get_by_role("button", name="Встать в лист ожидания").click()
            assert "лист" in await page.get_by_test_id("my-status").inner_text()
            await events_service.cancel_registration(other, taken.id)  # someone else's seat frees up
            promoted = lambda: [m for m in bot.sent if m["chat_id"] == CHAT and "Место за вами" in m["text"]]  # noqa: E731
            await bot.wait_for(lambda: bool(promoted()))
            (message,) = promoted()
            assert "Профессия: робототехник" in message["text"]
            (button,) = message["reply_markup"]["inline_keyboard"][0]
            confirm = urlsplit(button["url"])
            assert "/confirm/" in confirm.path
            await log_out(page)  # one click from the phone's Telegram: no session needed
            await page.goto(base_url + confirm.path)
            await page.get_by_role("heading", name="Место подтверждено").wait_for()
    teen = await Registration.select(Registration.status, Registration.confirmed_at).where(
        (Registration.event == event_id) & (Registration.id != taken.id)).first()
    assert teen["status"] == "confirmed" and teen["confirmed_at"] is not None
