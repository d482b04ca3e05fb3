"""Telegram: the Bot API client, linking a chat to an account, and the bot's commands.

``LIBSPACE_TELEGRAM_TOKEN`` turns it on; ``LIBSPACE_TELEGRAM_API`` is the API's base URL (default the official
one; tests point it at a local fake); ``LIBSPACE_TELEGRAM_BOT`` names the bot for deep links (else ``getMe``).
Every request goes through the guarded outbound client (``src/outbound.py``, trusted: the URL is configuration).

Linking: "my messages" makes a one-time code (its SHA-256 stored, valid ``CODE_MINUTES``) and shows
``https://t.me/<bot>?start=<code>``; Telegram sends the bot ``/start <code>``, which binds the chat to the
account. ``/stop`` unlinks, ``/next`` lists the reader's next sign-ups, bookings and consultations (each
domain says which through ``registry.upcoming``), ``/help`` lists the commands.

The bot polls (``getUpdates``, long polling) inside the worker. Only one worker polls at a time: it holds the
lease of the ``telegram-updates`` row of ``job_run``, whose ``cursor`` is the next update to ask for, so a
worker that takes over (another process or host) neither loses nor repeats an update.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from piccolo.engine import engine_finder

from src import audit, outbound
from src.accounts.tables import Account
from src.audit.service import ActorRef
from src.config import get_settings
from src.db import write_transaction
from src.i18n import _, reset_language, set_language
from src.notifications import registry, scheduler
from src.notifications.tables import JobRun, TelegramCode, TelegramLink

log = logging.getLogger("libspace.telegram")

OFFICIAL_API = "https://api.telegram.org"
CODE_MINUTES = 30
POLLER = scheduler.register_loop("telegram-updates")


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: str
    api: str
    bot: str  # the bot's username for deep links; "" asks getMe
    poll_seconds: int  # how long one getUpdates waits for news

    @property
    def enabled(self) -> bool:
        return bool(self.token)


def load_telegram_settings() -> TelegramSettings:
    return TelegramSettings(
        token=os.environ.get("LIBSPACE_TELEGRAM_TOKEN", ""),
        api=os.environ.get("LIBSPACE_TELEGRAM_API", OFFICIAL_API).rstrip("/"),
        bot=os.environ.get("LIBSPACE_TELEGRAM_BOT", "").lstrip("@"),
        poll_seconds=int(os.environ.get("LIBSPACE_TELEGRAM_POLL_SECONDS", "25")),
    )


@lru_cache(maxsize=1)
def get_telegram_settings() -> TelegramSettings:
    return load_telegram_settings()


# --- the Bot API ----------------------------------------------------------------------------------------------


class TelegramError(Exception):
    """A failed call. ``code`` is Telegram's error_code (0: no answer); ``retry_after`` seconds on 429."""

    def __init__(self, code: int, text: str, retry_after: int = 0) -> None:
        super().__init__(f"Telegram {code}: {text}")
        self.code = code
        self.retry_after = retry_after

    @property
    def blocked(self) -> bool:
        """The chat is gone for good: the user blocked the bot or deleted the chat (403)."""
        return self.code == 403

    @property
    def permanent(self) -> bool:
        return self.code in (400, 403)


class BotApi:
    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self._username = settings.bot

    async def call(self, method: str, deadline: float = 20.0, **params: Any) -> Any:
        url = f"{self.settings.api}/bot{self.settings.token}/{method}"
        try:
            answer = await outbound.request("POST", url, trusted=True, json=params, deadline=deadline, max_bytes=2_000_000)
            body = answer.json()
        except (outbound.OutboundError, ValueError) as error:  # the token is in the URL: never let it into a log
            raise TelegramError(0, str(error).replace(self.settings.token, "<token>")) from None
        if not isinstance(body, dict):
            raise TelegramError(answer.status_code, "not a Bot API answer")
        if body.get("ok"):
            return body.get("result")
        parameters = body.get("parameters") or {}
        raise TelegramError(int(body.get("error_code") or answer.status_code), str(body.get("description", ""))[:300], int(parameters.get("retry_after") or 0))

    async def username(self) -> str:
        if not self._username:
            self._username = str((await self.call("getMe")).get("username", ""))
        return self._username

    async def send(self, chat_id: int, text: str, button: str = "", url: str = "") -> None:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text[:4096], "parse_mode": "HTML", "disable_web_page_preview": True}
        if button and url:
            params["reply_markup"] = {"inline_keyboard": [[{"text": button, "url": url}]]}
        await self.call("sendMessage", **params)


_bots: dict[TelegramSettings, BotApi] = {}


def bot(settings: TelegramSettings | None = None) -> BotApi | None:
    """The process's client of the configured bot (it remembers the bot's name); None when Telegram is off."""
    settings = settings or get_telegram_settings()
    if not settings.enabled:
        return None
    return _bots.setdefault(settings, BotApi(settings))


# --- linking --------------------------------------------------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Linking:
    url: str
    expires_at: datetime


async def start_linking(account_id: int, now: datetime, api: BotApi) -> Linking:
    """A new one-time code for the account (its earlier codes stop working) and the deep link that carries it."""
    code = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-], as Telegram's start parameter allows
    expires_at = now + timedelta(minutes=CODE_MINUTES)
    async with write_transaction(engine_finder()):
        await TelegramCode.delete().where((TelegramCode.account == account_id) | (TelegramCode.expires_at < now))
        await TelegramCode.insert(TelegramCode(code_hash=_hash(code), account=account_id, expires_at=expires_at))
    return Linking(url=f"https://t.me/{await api.username()}?start={code}", expires_at=expires_at)


async def link_of(account_id: int) -> dict | None:
    return await TelegramLink.select().where(TelegramLink.account == account_id).first()


async def unlink(account_id: int | None = None, chat_id: int | None = None, why: str = "unlink") -> int | None:
    """Forget an account's chat (or a chat's account); returns the account that was linked, if any."""
    condition = TelegramLink.account == account_id if account_id is not None else TelegramLink.chat_id == chat_id
    async with write_transaction(engine_finder()):
        rows = await TelegramLink.delete().where(condition).returning(TelegramLink.account)
        for row in rows:
            await audit.record(ActorRef(row["account"], "reader"), why, "telegram_link", row["account"])
    return rows[0]["account"] if rows else None


async def bind(code: str, chat_id: int, username: str, now: datetime) -> int | None:
    """``/start <code>``: bind the chat to the code's account (once; the code is used up). None: no such code."""
    async with write_transaction(engine_finder()):
        rows = await TelegramCode.delete().where((TelegramCode.code_hash == _hash(code)) & (TelegramCode.expires_at > now)).returning(TelegramCode.account)
        if not rows:
            return None
        account_id = rows[0]["account"]
        await TelegramLink.delete().where((TelegramLink.chat_id == chat_id) | (TelegramLink.account == account_id))
        await TelegramLink.insert(TelegramLink(account=account_id, chat_id=chat_id, username=username[:64], linked_at=now))
        await audit.record(ActorRef(account_id, "reader"), "link", "telegram_link", account_id, changes={"telegram": ("", f"@{username}" if username else "linked")})
    return account_id


# --- the bot's commands ---------------------------------------------------------------------------------------


async def _language_of(account_id: int | None, fallback: str) -> str:
    if account_id is None:
        return fallback
    row = await Account.select(Account.language).where(Account.id == account_id).first()
    return (row or {}).get("language") or get_settings().language


async def _next_lines(account_id: int, now: datetime) -> list[str]:
    items: list[tuple[datetime, str]] = []
    for source in registry.UPCOMING:
        items += await source(account_id, now)
    return [line for _starts, line in sorted(items, key=lambda item: item[0])[:10]]


def _help() -> str:
    return _("Commands: /next — your next sign-ups, bookings and consultations; /stop — stop messages here.")


async def answer(text: str, chat_id: int, username: str, telegram_language: str, now: datetime) -> str:
    """The bot's reply to one message, in the account's language (else the user's Telegram language)."""
    command, _space, argument = text.strip().partition(" ")
    command = command.split("@", 1)[0].lower()
    linked = await TelegramLink.select(TelegramLink.account).where(TelegramLink.chat_id == chat_id).first()
    account_id = linked["account"] if linked else None
    bound = None
    if command == "/start" and argument.strip():
        bound = await bind(argument.strip(), chat_id, username, now)
        account_id = bound if bound is not None else account_id
    fallback = telegram_language if telegram_language in ("ru", "en") else get_settings().language
    token = set_language(await _language_of(account_id, fallback))
    try:
        page = f"{get_settings().base_url}/me/messages"
        if command == "/start" and argument.strip():
            if bound is not None:
                return _("Telegram is linked: the library's messages will come here.") + "\n" + _help()
            return _("This link is no longer valid. Open %(url)s and link Telegram again.", url=page)
        if account_id is None:
            return _("To receive the library's messages here, open %(url)s and press “Link Telegram”.", url=page)
        if command == "/stop":
            await unlink(chat_id=chat_id)
            return _("Telegram is unlinked: no more messages here. You can link it again on %(url)s.", url=page)
        if command == "/next":
            lines = await _next_lines(account_id, now)
            return "\n".join([_("Coming up:"), *lines]) if lines else _("Nothing coming up: no sign-ups, bookings or consultations.")
        return _help()
    finally:
        reset_language(token)



# --- polling --------------------------------------------------------------------------------------------------


async def _hold(holder: str, now: datetime, lease: timedelta) -> int | None:
    """Take or renew the poller's lease; the cursor when this worker holds it, None when another one does."""
    await JobRun.insert(JobRun(name=POLLER)).on_conflict(target=JobRun.name, action="DO NOTHING")
    rows = await JobRun.update({JobRun.lease_until: now + lease, JobRun.holder: holder[:120], JobRun.last_started_at: now}).where(
        (JobRun.name == POLLER) & (JobRun.lease_until.is_null() | (JobRun.lease_until < now) | (JobRun.holder == holder[:120]))
    ).returning(JobRun.cursor)
    return int(rows[0]["cursor"] or 0) if rows else None


async def poll_once(api: BotApi, holder: str, now: datetime, wait_seconds: int) -> int | None:
    """One ``getUpdates`` under the poller's lease: answer each message and move the cursor past it at once (a
    crash repeats no update). How many updates came; None when another worker polls."""
    cursor = await _hold(holder, now, timedelta(seconds=wait_seconds + 60))
    if cursor is None:
        return None
    params: dict[str, Any] = {"timeout": wait_seconds, "allowed_updates": ["message"]}
    if cursor:
        params["offset"] = cursor
    updates = await api.call("getUpdates", deadline=wait_seconds + 15, **params) or []
    for update in updates:
        message = update.get("message") or {}
        chat, sender = message.get("chat") or {}, message.get("from") or {}
        if isinstance(message.get("text"), str) and chat.get("type") == "private" and isinstance(chat.get("id"), int):
            reply = await answer(message["text"], chat["id"], str(sender.get("username", "")), str(sender.get("language_code", "")), now)
            try:
                await api.send(chat["id"], reply)
            except TelegramError as error:  # a lost reply is not worth a repeated command
                log.warning("telegram reply to an update failed: %s", error)
        await JobRun.update({JobRun.cursor: int(update["update_id"]) + 1}).where((JobRun.name == POLLER) & (JobRun.holder == holder[:120]))
    return len(updates)


async def poll_forever(stop: asyncio.Event, api: BotApi, holder: str, clock_now, idle_seconds: float) -> None:
    """The bot's loop inside the worker, until ``stop``: long polls while this worker holds the lease, otherwise
    looks again every ``idle_seconds`` (another worker polls)."""
    log.info("telegram bot polling from %s", holder)
    while not stop.is_set():
        pause = 0.0
        try:
            if await poll_once(api, holder, clock_now(), api.settings.poll_seconds) is None:
                pause = idle_seconds
        except TelegramError as error:
            log.warning("telegram getUpdates failed: %s", error)
            pause = max(error.retry_after, idle_seconds)
        except Exception:  # noqa: BLE001 - keep the bot alive; the database may be away a moment
            log.exception("telegram polling failed")
            pause = idle_seconds
        if pause:
            try:
                await asyncio.wait_for(stop.wait(), timeout=pause)
            except asyncio.TimeoutError:
                pass
