"""The notification worker: claim due outbox rows, send each, record the outcome; run the timed jobs.

Several workers (server processes, hosts, ``libspace worker``) may run at once. A row is *claimed* by setting
``lease_until``: with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, inside the one serialized writer
transaction on SQLite, so no two workers ever hold it. Each row is marked sent right after the server accepts
it, so a crash loses nothing and re-sends at most the one message that was in flight (same Message-ID) once
its lease has run out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src import db
from src.accounts.tables import Account
from src.db import is_postgres, write_transaction
from src.notifications import messages, rules, scheduler, telegram
from src.notifications.clock import Clock
from src.notifications.settings import MailSettings, get_mail_settings
from src.notifications.tables import Outbox, TelegramLink
from src.notifications.transport import SendError, Transport, make_transport
from src.ops import metrics
from src.ops.heartbeat import Heartbeat, worker_name
from src.ops.observe import job_run, yield_to_requests

log = logging.getLogger("libspace.worker")


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _due_filter(now: datetime):
    return (
        Outbox.sent_at.is_null()
        & Outbox.failed_at.is_null()
        & (Outbox.next_attempt_at.is_null() | (Outbox.next_attempt_at <= now))
        & (Outbox.lease_until.is_null() | (Outbox.lease_until < now))
    )


async def claim(now: datetime, settings: MailSettings, limit: int | None = None) -> list[dict]:
    """Take up to ``limit`` due rows for this worker until ``now + lease``; count the attempt."""
    engine = engine_finder()
    limit = limit or settings.batch_size
    lease_until = now + timedelta(seconds=settings.lease_seconds)
    if is_postgres(engine):
        rows = await Outbox.raw(
            """UPDATE outbox SET lease_until = {}, attempts = attempts + 1
               WHERE id IN (
                 SELECT id FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL
                   AND (next_attempt_at IS NULL OR next_attempt_at <= {})
                   AND (lease_until IS NULL OR lease_until < {})
                 ORDER BY created_at, id LIMIT {}
                 FOR UPDATE SKIP LOCKED)
               RETURNING *""",
            lease_until, now, now, limit,
        )
    else:
        if not await Outbox.exists().where(_due_filter(now)):  # a read first: idle polls never take the writer lock
            return []
        async with write_transaction(engine):
            candidates = await Outbox.select(Outbox.id).where(_due_filter(now)).order_by(Outbox.created_at).order_by(Outbox.id).limit(limit)
            ids = [row["id"] for row in candidates]
            if not ids:
                return []
            await Outbox.update({Outbox.lease_until: lease_until, Outbox.attempts: Outbox.attempts + 1}).where(Outbox.id.is_in(ids))
            rows = await Outbox.select().where(Outbox.id.is_in(ids))
    for row in rows:
        if isinstance(row["payload"], str):  # raw SQL on PostgreSQL and SQLite's JSON come back as text
            row["payload"] = json.loads(row["payload"] or "{}")
    return sorted(rows, key=lambda row: row["id"])


async def _recipients(ids: set[int]) -> dict[int, messages.Recipient]:
    if not ids:
        return {}
    rows = await Account.select(Account.id, Account.email, Account.full_name, Account.language).where(Account.id.is_in(sorted(ids)))
    return {row["id"]: messages.Recipient(row["id"], row["email"], row["full_name"], row["language"]) for row in rows}


def _address_only(row: dict) -> messages.Recipient | None:
    """Someone without an account yet (a teacher's invitation): the row carries the address."""
    return messages.Recipient(0, row["email"], "", "") if row.get("email") else None


async def _mark_sent(row_id: int, now: datetime) -> None:
    await Outbox.update({Outbox.sent_at: now, Outbox.lease_until: None, Outbox.last_error: ""}).where(Outbox.id == row_id)


async def _mark_failed(row: dict, now: datetime, error: str, permanent: bool, settings: MailSettings, retry_at: datetime | None = None) -> bool:
    """Record a failed try; give up on a permanent error or after the last attempt. True when given up.
    ``retry_at``: the server said when (Telegram's 429 retry_after): then, and the try does not count."""
    give_up = permanent or (row["attempts"] >= settings.max_attempts and retry_at is None)
    values = {Outbox.lease_until: None, Outbox.last_error: error[:2000]}
    if give_up:
        values[Outbox.failed_at] = now
    elif retry_at is not None:
        values[Outbox.next_attempt_at] = retry_at
        values[Outbox.attempts] = Outbox.attempts - 1
    else:
        values[Outbox.next_attempt_at] = now + rules.backoff(row["attempts"], settings.backoff_seconds, settings.backoff_max_seconds)
    await Outbox.update(values).where(Outbox.id == row["id"])
    return give_up


class RetryAt(SendError):
    def __init__(self, text: str, at: datetime) -> None:
        super().__init__(text, permanent=False)
        self.at = at


@dataclass
class Channels:
    """What one batch sends through: the e-mail transport, the Telegram bot and the chats of its recipients."""

    transport: Transport
    bot: telegram.BotApi | None
    chats: dict[int, int] = field(default_factory=dict)
    telegram_wait_until: datetime | None = None  # after a 429, the rest of the batch waits too


async def _deliver(row: dict, recipient: messages.Recipient | None, channels: Channels, settings: MailSettings, now: datetime, cache: dict) -> None:
    """Send one row through its channel; raises SendError (RetryAt when the server said when)."""
    if row.get("channel", "email") == "telegram":
        chat = channels.chats.get(row["recipient"])
        if recipient is None or chat is None:
            raise SendError("Telegram is not linked (any more)", permanent=True)
        if channels.bot is None:
            raise SendError("Telegram is not configured (LIBSPACE_TELEGRAM_TOKEN)", permanent=False)
        if channels.telegram_wait_until is not None and channels.telegram_wait_until > now:
            raise RetryAt("Telegram asked to wait (429)", channels.telegram_wait_until)
        chat_message = await messages.compose_chat(row, recipient, cache)
        try:
            await channels.bot.send(chat, chat_message.text, chat_message.button, chat_message.url)
        except telegram.TelegramError as error:
            if error.retry_after:
                channels.telegram_wait_until = now + timedelta(seconds=error.retry_after)
                raise RetryAt(str(error), channels.telegram_wait_until) from None
            if error.blocked:  # the reader blocked the bot or deleted the chat: stop writing there
                await telegram.unlink(row["recipient"], why="unlink_blocked")
                channels.chats.pop(row["recipient"], None)
            raise SendError(str(error), permanent=error.permanent) from None
        return
    if recipient is None or not rules.plausible_address(recipient.email):
        raise SendError(f"bad address: {recipient.email if recipient else 'no account'!r}", permanent=True)
    message = await messages.compose(row, recipient, settings, cache)
    await channels.transport.send(message, f"{row['id']:08d}")


async def send_due(
    transport: Transport, clock: Clock, settings: MailSettings | None = None, max_batches: int | None = None, bot: telegram.BotApi | None = None, pace: "Pace | None" = None
) -> Stats:
    """Send everything due now, batch by batch, each message marked as soon as it is accepted. ``bot``: the
    Telegram client (default: the configured one, if any). ``pace`` (the worker loop's): stop between batches
    when a burst of new messages began."""
    settings = settings or get_mail_settings()
    channels = Channels(transport, bot or telegram.bot())
    stats = Stats()
    batches = 0
    while max_batches is None or batches < max_batches:
        if pace is not None and batches and await pace.hold_back():  # a burst began: the answers first
            break
        batch = await claim(clock.now(), settings)
        if not batch:
            break
        batches += 1
        recipients = await _recipients({row["recipient"] for row in batch if row["recipient"] is not None})
        chat_of = sorted({row["recipient"] for row in batch if row.get("channel") == "telegram"})
        channels.chats = {row["account"]: row["chat_id"] for row in await TelegramLink.select().where(TelegramLink.account.is_in(chat_of))} if chat_of else {}
        about_cache: dict = {}  # one look-up of an event per batch, however many are told about it
        patience = settings.lease_seconds / 4  # each row is leased to us: never wait near the lease's end
        for row in batch:
            patience -= await yield_to_requests(patience)  # a server process answers its requests first
            recipient = recipients.get(row["recipient"]) if row["recipient"] is not None else _address_only(row)
            try:
                await _deliver(row, recipient, channels, settings, clock.now(), about_cache)
            except SendError as error:
                retry_at = error.at if isinstance(error, RetryAt) else None
                gave_up = await _mark_failed(row, clock.now(), str(error), error.permanent, settings, retry_at)
                stats.errors.append(f"outbox {row['id']}: {error}")
                if gave_up:
                    stats.failed += 1
                    metrics.MESSAGES.labels("given_up").inc()
                    log.warning("outbox %s given up: %s", row["id"], error)
                else:
                    stats.retried += 1
                    metrics.MESSAGES.labels("retry").inc()
                continue
            except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the others
                log.exception("outbox %s could not be composed", row["id"])
                await _mark_failed(row, clock.now(), f"internal error: {error!r}", False, settings)
                stats.retried += 1
                metrics.MESSAGES.labels("retry").inc()
                continue
            await _mark_sent(row["id"], clock.now())
            stats.sent += 1
            metrics.MESSAGES.labels("sent").inc()
    return stats


async def send_job(transport: Transport, clock: Clock, settings: MailSettings, swallow: bool = False, pace: "Pace | None" = None) -> Stats | None:
    """One run of the sending job (logged and counted; idle runs at DEBUG); None when it failed and was swallowed."""
    stats = None
    with job_run("send", swallow=swallow) as outcome:
        stats = await send_due(transport, clock, settings, pace=pace)
        outcome.note(sent=stats.sent, retried=stats.retried, given_up=stats.failed)
        outcome.quiet = not (stats.sent or stats.retried or stats.failed)
    return None if outcome.failed else stats


BURST_PER_SECOND = 20.0  # messages queued faster than this, across the whole service: a burst
BURST_HOLD_SECONDS = 20.0  # the longest the sending waits for a burst to pass


class Pace:
    """Whether messages are being queued in a burst right now (the rush of issue 17: 1,000 sign-ups in 10 s,
    each with its e-mail): the outbox's newest id grew faster than ``BURST_PER_SECOND`` since the worker
    loop's last pass. Then the pass sends nothing, at most ``BURST_HOLD_SECONDS`` in a row: the e-mails
    (about 10 ms of CPU each) would take the CPU the service's answers wait for, in every process, and
    they go out right after. A signal through the database, so that a quiet process does not compose its
    neighbours' e-mails while they answer."""

    def __init__(self) -> None:
        self.newest: int | None = None
        self.at = 0.0
        self.holding_since: float | None = None

    async def hold_back(self) -> bool:
        rows = await db.fetch(engine_finder(), "SELECT MAX(id) AS newest FROM outbox")
        newest, at = rows[0]["newest"] or 0, time.monotonic()
        burst = self.newest is not None and (newest - self.newest) / max(at - self.at, 0.5) >= BURST_PER_SECOND
        self.newest, self.at = newest, at
        if not burst:
            self.holding_since = None
            return False
        if self.holding_since is None:
            self.holding_since = at
        return at - self.holding_since < BURST_HOLD_SECONDS


async def run(stop: asyncio.Event, clock: Clock | None = None, settings: MailSettings | None = None) -> None:
    """The worker loop, until ``stop`` is set: the timed jobs that are due (``scheduler``: reminders, releases,
    pruning, …, each once per slot however many workers run), sending every poll interval, and a heartbeat after
    each pass in which everything succeeded (``/readyz`` reads it); beside it, the Telegram bot's long polling
    when a bot is configured (one worker at a time polls: ``telegram.poll_forever``)."""
    clock = clock or Clock()
    settings = settings or get_mail_settings()
    transport = make_transport(settings)
    heartbeat = Heartbeat()
    holder = worker_name()
    log.info("notification worker %s started (%s)", holder, "SMTP" if settings.smtp else f"files in {settings.outbox_dir}")
    bot = telegram.bot()
    poller = asyncio.create_task(telegram.poll_forever(stop, bot, holder, clock.now, settings.poll_seconds)) if bot is not None else None
    pace = Pace()
    try:
        while not stop.is_set():
            try:  # a failed job is logged by itself; the database may be away a moment
                healthy = all((await scheduler.run_due(clock.now(), holder, clock.now)).values())
            except Exception:  # noqa: BLE001 - keep the loop alive
                log.exception("the scheduler could not run")
                healthy = False
            try:
                held = await pace.hold_back()
            except Exception:  # noqa: BLE001 - without the signal, send as always
                held = False
            if not held:
                healthy = await send_job(transport, clock, settings, swallow=True, pace=pace) is not None and healthy
            if healthy:
                try:
                    await heartbeat.beat(clock.now())
                except Exception:  # noqa: BLE001 - keep the loop alive; /readyz will say the worker is silent
                    log.exception("notification worker heartbeat failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.poll_seconds)
            except asyncio.TimeoutError:
                pass
    finally:
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        await transport.close()
        log.info("notification worker %s stopped", holder)
