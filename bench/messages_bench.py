"""Issue 14 figures, in a fresh throwaway database with the demo:

* messages per second through a real SMTP server (aiosmtpd on loopback) with one worker, each message a
  sign-up confirmation with its HTML alternative and .ics (``worker.send_due`` in process);
* the delay from a sign-up (the 201 of ``POST /api/v1/events/{id}/registrations``) to its message arriving at
  the SMTP server, with the worker inside ``libspace serve`` (median and p95; the worker polls every
  ``LIBSPACE_WORKER_POLL_SECONDS``, 2 by default);
* the same two through Telegram: the tests' fake Bot API (``tests/notifications/fake_telegram.py``, on loopback)
  to readers whose chats are linked, the rate counting their Telegram rows only.

    .venv/bin/python -m bench.messages_bench --db sqlite|postgres [--messages 500] [--sign-ups 40] [--poll 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.common import ROOT, cli, free_port, percentiles, served, throwaway_database
from bench.events_bench import seed
from tests.notifications.fake_telegram import FakeBotApi


class Arrivals:
    """Counts messages and notes when each recipient's first message arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.first_at: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            self.first_at.setdefault(rcpt, time.perf_counter())
        assert message.get_body(("html",)) is not None
        return "250 OK"


class TimedBotApi(FakeBotApi):
    """The tests' fake Bot API noting when each chat's first message arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.first_at: dict[int, float] = {}

    async def _answer(self, target: str, params: dict) -> tuple[int, dict]:
        status, answer = await super()._answer(target, params)
        if status == 200 and target.endswith("/sendMessage"):
            self.first_at.setdefault(params["chat_id"], time.perf_counter())
        return status, answer


async def link_chats(readers: list[int]) -> dict[int, int]:
    """Link each reader to a Telegram chat of its own (as the bot's /start would); returns reader -> chat."""
    from src.notifications.tables import TelegramLink
    from src.timeutil import now_utc

    chats = {reader: 900_000_000 + reader for reader in readers}
    now = now_utc()
    await TelegramLink.insert(*[TelegramLink(account=reader, chat_id=chat, username=f"bench{reader}", linked_at=now) for reader, chat in chats.items()])
    return chats


async def enqueue_many(event_id: int, count: int, offset: int = 0) -> None:
    from piccolo.engine import engine_finder

    from src.db import write_transaction
    from src.events import messages as event_messages
    from src.notifications import service as notifications

    readers = [row["id"] for row in await _bench_readers(offset, count)]
    async with write_transaction(engine_finder()):
        for index, reader in enumerate(readers):
            await notifications.enqueue(
                event_messages.SIGNED_UP, [reader], event_messages.SUBJECTS[event_messages.SIGNED_UP],
                {"event_id": event_id, "title": "Большой фестиваль", "ticket_code": f"{index:06d}", "path": "/me/registrations"},
                cause=f"bench-{offset + index}", subject_vars={"title": "Большой фестиваль"},
            )


async def smtp_rate(port: int, event_id: int, count: int, arrivals: Arrivals) -> tuple[float, int]:
    from src import registrations  # noqa: F401
    from src.notifications import worker
    from src.notifications.clock import Clock
    from src.notifications.settings import SmtpTarget, get_mail_settings
    from src.notifications.transport import SmtpTransport

    await enqueue_many(event_id, count)
    settings = replace(get_mail_settings(), smtp=SmtpTarget("127.0.0.1", port, "plain"), mail_from="noreply@libspace.example", batch_size=100)
    transport = SmtpTransport(settings.smtp, 10)
    started = time.perf_counter()
    try:
        stats = await worker.send_due(transport, Clock(), settings)
    finally:
        await transport.close()
    return stats.sent / (time.perf_counter() - started), stats.sent


async def telegram_rate(bot_api: TimedBotApi, event_id: int, offset: int, count: int) -> tuple[float, int]:
    """Messages per second to linked chats through the fake Bot API, one worker; their e-mail twins are dropped
    first so that only the Telegram rows are timed."""
    from src.notifications import telegram, worker
    from src.notifications.clock import Clock
    from src.notifications.settings import get_mail_settings
    from src.notifications.tables import Outbox
    from src.notifications.transport import EmlTransport

    readers = [row["id"] for row in await _bench_readers(offset, count)]
    await link_chats(readers)  # before the messages are written: linked readers get a Telegram row each
    await enqueue_many(event_id, count, offset)
    await Outbox.delete().where((Outbox.channel == "email") & Outbox.recipient.is_in(list(readers)))
    settings = telegram.TelegramSettings(token=bot_api.token, api=bot_api.url, bot="", poll_seconds=1)
    bot = telegram.BotApi(settings)
    with tempfile.TemporaryDirectory() as unused:  # no e-mail goes: the transport is only the worker's argument
        started = time.perf_counter()
        stats = await worker.send_due(EmlTransport(Path(unused)), Clock(), replace(get_mail_settings(), batch_size=100), bot=bot)
        elapsed = time.perf_counter() - started
    return stats.sent / elapsed, stats.sent


async def _bench_readers(offset: int, count: int) -> list[dict]:
    from src.accounts.tables import Account

    return await Account.select(Account.id).where(Account.email.like("bench%@example.ru")).order_by(Account.id).offset(offset).limit(count)


async def sign_up_delays(base: str, event_id: int, tokens: list[str], keys: list, first_at: dict, wait: float) -> list[float]:
    """Milliseconds from each sign-up's 201 to ``first_at[key]`` (its reader's first message: by e-mail address
    at the SMTP server, by chat at the fake Bot API)."""
    import httpx

    answered: dict = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for token, key in zip(tokens, keys):
            response = await client.post(f"{base}/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 201:
                answered[key] = time.perf_counter()
            await asyncio.sleep(0.25)
    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline and not all(key in first_at for key in answered):
        await asyncio.sleep(0.1)
    return [(first_at[key] - at) * 1000 for key, at in answered.items() if key in first_at]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--sign-ups", type=int, default=40)
    parser.add_argument("--poll", type=float, default=2.0)
    args = parser.parse_args()
    os.chdir(ROOT)
    # the readers, by id: SMTP rate, SMTP sign-ups, Telegram rate, Telegram sign-ups
    smtp_ups = slice(args.messages, args.messages + args.sign_ups)
    tg_first = args.messages + args.sign_ups
    tg_ups = slice(tg_first + args.messages, tg_first + args.messages + args.sign_ups)
    with throwaway_database(args.db) as url, TimedBotApi() as bot_api:
        cli(url, "migrate")
        cli(url, "demo", "--no-history")
        os.environ["LIBSPACE_DATABASE_URL"] = url
        os.environ["PICCOLO_CONF"] = "piccolo_conf"
        sys.path.insert(0, str(ROOT))
        from piccolo.engine import engine_finder

        from src.accounts.tables import Account
        from src.db import close_pools, open_pools

        arrivals = Arrivals()
        port = free_port()
        smtp = Controller(arrivals, hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            async def prepare():
                engine = engine_finder()
                await open_pools(engine)
                try:
                    big, tokens = await seed(10, 10, 2 * (args.messages + args.sign_ups))
                    rate, sent = await smtp_rate(port, big[0], args.messages, arrivals)
                    tg_rate, tg_sent = await telegram_rate(bot_api, big[0], tg_first, args.messages)
                    accounts = await Account.select(Account.id, Account.email).where(Account.email.like("bench%@example.ru")).order_by(Account.id)
                    chats = await link_chats([row["id"] for row in accounts[tg_ups]])
                    return big, tokens, [row["email"] for row in accounts], list(chats.values()), rate, sent, tg_rate, tg_sent
                finally:
                    await close_pools(engine)

            big, tokens, emails, chats, rate, sent, tg_rate, tg_sent = asyncio.run(prepare())
            print(f"libspace messages benchmark [{args.db}]")
            print(f"  through SMTP (aiosmtpd on loopback), one worker: {sent} sign-up confirmations with HTML and .ics at {rate:,.0f} messages per second")
            print(f"  through the fake Bot API (loopback), one worker: {tg_sent} sign-up confirmations at {tg_rate:,.0f} messages per second")
            arrivals.first_at.clear()
            bot_api.first_at.clear()
            env = {"LIBSPACE_DATABASE_URL": url, "LIBSPACE_SMTP_URL": f"smtp://127.0.0.1:{port}", "LIBSPACE_WORKER": "on", "LIBSPACE_WORKER_POLL_SECONDS": str(args.poll), **bot_api.env()}
            wait = 3 * args.poll + 10
            with served("libspace", env) as (base, _ready, _process):
                delays = asyncio.run(sign_up_delays(base, big[1], tokens[smtp_ups], emails[smtp_ups], arrivals.first_at, wait))
                tg_delays = asyncio.run(sign_up_delays(base, big[-1], tokens[tg_ups], chats, bot_api.first_at, wait))
            for where, found in (("the SMTP server", delays), ("the fake Bot API", tg_delays)):
                median, p95 = percentiles(found)
                print(f"  sign-up -> its message at {where}, worker inside libspace serve (poll {args.poll:g} s): "
                      f"median {median / 1000:.2f} s, p95 {p95 / 1000:.2f} s over {len(found)} of {args.sign_ups} sign-ups")
        finally:
            smtp.stop()


if __name__ == "__main__":
    main()
