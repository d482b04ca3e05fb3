"""Issue 14 figures, in a fresh throwaway database with the demo:

* messages per second through a real SMTP server (aiosmtpd on loopback) with one worker, each message a
  sign-up confirmation with its HTML alternative and .ics (``worker.send_due`` in process);
* the delay from a sign-up (the 201 of ``POST /api/v1/events/{id}/registrations``) to its message arriving at
  the SMTP server, with the worker inside ``libspace serve`` (median and p95; the worker polls every
  ``LIBSPACE_WORKER_POLL_SECONDS``, 5 by default).

    .venv/bin/python -m bench.messages_bench --db sqlite|postgres [--messages 500] [--sign-ups 40] [--poll 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from bench.common import ROOT, cli, free_port, percentiles, served, throwaway_database
from bench.events_bench import seed


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


async def enqueue_many(event_id: int, count: int) -> None:
    from piccolo.engine import engine_finder

    from src.accounts.tables import Account
    from src.db import write_transaction
    from src.events import messages as event_messages
    from src.notifications import service as notifications

    readers = [row["id"] for row in await Account.select(Account.id).where(Account.email.like("bench%@example.ru")).limit(count)]
    async with write_transaction(engine_finder()):
        for index, reader in enumerate(readers):
            await notifications.enqueue(
                event_messages.SIGNED_UP, [reader], event_messages.SUBJECTS[event_messages.SIGNED_UP],
                {"event_id": event_id, "title": "Большой фестиваль", "ticket_code": f"{index:06d}", "path": "/me/registrations"},
                cause=f"bench-{index}", subject_vars={"title": "Большой фестиваль"},
            )


async def smtp_rate(port: int, event_id: int, count: int, arrivals: Arrivals) -> tuple[float, int]:
    from dataclasses import replace

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


async def sign_up_delays(base: str, event_id: int, tokens: list[str], emails: list[str], arrivals: Arrivals, wait: float) -> list[float]:
    import httpx

    answered: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for token, email in zip(tokens, emails):
            response = await client.post(f"{base}/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 201:
                answered[email] = time.perf_counter()
            await asyncio.sleep(0.25)
    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline and not all(email in arrivals.first_at for email in answered):
        await asyncio.sleep(0.1)
    return [(arrivals.first_at[email] - at) * 1000 for email, at in answered.items() if email in arrivals.first_at]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--sign-ups", type=int, default=40)
    parser.add_argument("--poll", type=float, default=5.0)
    args = parser.parse_args()
    os.chdir(ROOT)
    with throwaway_database(args.db) as url:
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
                    big, tokens = await seed(10, 10, args.messages + args.sign_ups)
                    rate, sent = await smtp_rate(port, big[0], args.messages, arrivals)
                    emails = [row["email"] for row in await Account.select(Account.email).where(Account.email.like("bench%@example.ru")).order_by(Account.id)]
                    return big, tokens, emails, rate, sent
                finally:
                    await close_pools(engine)

            big, tokens, emails, rate, sent = asyncio.run(prepare())
            print(f"libspace messages benchmark [{args.db}]")
            print(f"  through SMTP (aiosmtpd on loopback), one worker: {sent} sign-up confirmations with HTML and .ics at {rate:,.0f} messages per second")
            arrivals.first_at.clear()
            env = {"LIBSPACE_DATABASE_URL": url, "LIBSPACE_SMTP_URL": f"smtp://127.0.0.1:{port}", "LIBSPACE_WORKER": "on", "LIBSPACE_WORKER_POLL_SECONDS": str(args.poll)}
            with served("libspace", env) as (base, _ready, _process):
                chosen = slice(args.messages, args.messages + args.sign_ups)
                delays = asyncio.run(sign_up_delays(base, big[1], tokens[chosen], emails[chosen], arrivals, wait=3 * args.poll + 10))
            median, p95 = percentiles(delays)
            print(f"  sign-up -> its message at the SMTP server, worker inside libspace serve (poll {args.poll:g} s): "
                  f"median {median / 1000:.2f} s, p95 {p95 / 1000:.2f} s over {len(delays)} of {args.sign_ups} sign-ups")
        finally:
            smtp.stop()


if __name__ == "__main__":
    main()
