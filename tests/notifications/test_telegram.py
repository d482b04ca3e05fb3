"""The Telegram bot against a local fake of the Bot API: linking by deep link, /start /next /stop, one poller at a
time, and delivery through the outbox (the server failing mid-batch, 429 retry_after, 403 blocked)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from src.notifications import telegram, worker
from src.notifications.clock import FixedClock
from src.notifications.tables import Outbox, TelegramLink
from src.notifications.transport import SmtpTransport
from tests.notifications.fake_telegram import BOT, FakeBotApi
from tests.notifications.support import account, an_event, enqueue
from tests.notifications.test_reminders import sign_up

UTC = timezone.utc
NOW = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def fake_bot(monkeypatch):
    with FakeBotApi() as api:
        for name, value in api.env().items():
            monkeypatch.setenv(name, value)
        telegram.get_telegram_settings.cache_clear()
        yield api
    telegram.get_telegram_settings.cache_clear()


async def linked(chat_id: int, email: str | None = None, language: str = "") -> int:
    reader = await account(email or f"reader{chat_id}@example.org", language=language)
    await TelegramLink.insert(TelegramLink(account=reader, chat_id=chat_id, username=f"r{chat_id}", linked_at=NOW))
    return reader


async def test_a_reader_links_by_deep_link_and_talks_to_the_bot(fake_bot, demo):
    bot = telegram.bot()
    reader = await account("anna@example.org", language="en", name="Anna Reader")
    event_id = await an_event(starts_at=NOW + timedelta(days=3), title="Local history talk")
    await sign_up(reader, event_id, NOW - timedelta(days=1))
    linking = await telegram.start_linking(reader, NOW, bot)
    assert linking.url.startswith(f"https://t.me/{BOT}?start=") and linking.expires_at == NOW + timedelta(minutes=30)
    code = linking.url.rsplit("=", 1)[1]

    fake_bot.user_sends(42, f"/start {code}", username="anna_reads")
    fake_bot.user_sends(43, f"/start {code}")  # someone else with the same (used) link
    assert await telegram.poll_once(bot, "worker-1", NOW, 0) == 2
    assert await telegram.poll_once(bot, "worker-2", NOW, 0) is None  # one poller at a time: worker-1 holds the lease
    link = await TelegramLink.select().first()
    assert (link["account"], link["chat_id"], link["username"]) == (reader, 42, "anna_reads")
    assert "Telegram is linked" in fake_bot.texts(42)[0]
    assert "больше не действует" in fake_bot.texts(43)[0]  # in the language of the user's Telegram

    fake_bot.user_sends(42, "/next")
    assert await telegram.poll_once(bot, "worker-1", NOW, 0) == 1  # the earlier updates are not repeated
    assert "Local history talk" in fake_bot.texts(42)[-1] and "23 January" in fake_bot.texts(42)[-1]
    fake_bot.user_sends(42, "/stop")
    assert await telegram.poll_once(bot, "worker-1", NOW, 0) == 1
    assert await TelegramLink.count() == 0 and "unlinked" in fake_bot.texts(42)[-1]
    assert len(fake_bot.sent) == 4


async def send(smtp, clock, bot):
    settings = smtp.settings()
    transport = SmtpTransport(settings.smtp, 5)
    try:
        return await worker.send_due(transport, clock, settings, bot=bot)
    finally:
        await transport.close()


async def send_email(smtp):
    return await send(smtp, FixedClock(NOW), None)


async def test_messages_go_to_telegram_through_the_outbox_with_retries(smtp, fake_bot, demo):
    bot = telegram.bot()
    readers = [await linked(chat) for chat in (101, 102, 103)]
    await enqueue("notice", readers, {"title": "x", "path": "/me/registrations"}, cause="one", subject="Сбор книг %(n)s")
    assert await Outbox.count().where(Outbox.channel == "telegram") == 3
    clock = FixedClock(NOW)
    fake_bot.fail("sendMessage", 0)  # the server drops the first connection: the others still go
    stats = await send(smtp, clock, bot)
    assert (stats.sent, stats.retried) == (5, 1) and len(smtp.received) == 3
    clock.advance(seconds=60)
    fake_bot.fail("sendMessage", 429, retry_after=7)  # flood control: this one and the rest of the batch wait 7 s
    await enqueue("notice", readers, {"title": "y"}, cause="two")
    stats = await send(smtp, clock, bot)
    assert stats.retried == 4 and fake_bot.calls.count("sendMessage") == 4
    clock.advance(seconds=7)
    fake_bot.blocked.add(103)  # the third reader blocked the bot
    stats = await send(smtp, clock, bot)
    assert stats.sent == 3 and stats.failed == 1
    assert sorted(message["chat_id"] for message in fake_bot.sent) == [101, 101, 102, 102, 103]  # each once
    first = fake_bot.sent[0]
    assert first["text"].startswith("<b>Сбор книг one</b>") and first["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("/me/registrations")
    assert await TelegramLink.count() == 2  # 403: unlinked
    assert await Outbox.count().where(Outbox.attempts > 2) == 0  # waiting for 429 did not use up attempts


async def test_every_kind_reads_in_russian_on_telegram(database):
    import html
    import re

    from src.notifications import messages, registry
    from src.notifications.service import subject_text
    from tests.notifications.test_kinds import ALLOWED_LATIN, LATIN, LEAKS, PAYLOAD, SUBJECTS, without_links

    recipient = messages.Recipient(1, "", "Анна", "ru")
    for kind in sorted(registry.KINDS):
        row = {"kind": kind, "subject": subject_text("ru", SUBJECTS[kind], PAYLOAD), "payload": dict(PAYLOAD)}
        chat = await messages.compose_chat(row, recipient)
        plain = without_links(html.unescape(re.sub(r"</?b>", "", chat.text)))
        assert not LEAKS.search(plain), (kind, plain)
        assert not set(LATIN.findall(plain)) - ALLOWED_LATIN, (kind, plain)
        assert chat.button == ("Открыть страницу" if chat.url else "")
