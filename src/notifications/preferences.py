"""What a person wants to hear and where: reminder hours, and per category of non-essential messages
(``registry.CATEGORIES``: reminders, waiting-list news) per channel (e-mail, Telegram) on or off. Essential
messages (tickets, changes and cancellations, accounts and security, school visits) go on every channel the
person has and cannot be switched off. Also the signed one-click unsubscribe links of non-essential e-mails
(RFC 8058), which work without logging in."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from piccolo.engine import engine_finder

from src import db
from src.db import write_transaction
from src.exceptions import NotFound
from src.i18n import _
from src.notifications import registry, rules
from src.notifications.messages import category_signature, unsubscribe_signature
from src.notifications.tables import MessagePreference, ReminderSetting
from src.timeutil import now_utc

EMAIL, TELEGRAM = "email", "telegram"
CHANNELS = (EMAIL, TELEGRAM)


async def reminder_hours(account_id: int) -> tuple[bool, tuple[int, ...]]:
    """(enabled, hours before) of one account; the defaults when it never chose."""
    row = await ReminderSetting.select().where(ReminderSetting.account == account_id).first()
    if row is None:
        return True, rules.DEFAULT_REMINDER_HOURS
    return row["enabled"], rules.parse_hours(row["hours"])


async def set_reminders(account_id: int, enabled: bool, hours: tuple[int, ...]) -> None:
    text = ",".join(str(value) for value in sorted(set(hours), reverse=True))
    async with write_transaction(engine_finder()):
        updated = await ReminderSetting.update(
            {ReminderSetting.enabled: enabled, ReminderSetting.hours: text, ReminderSetting.updated_at: now_utc()}
        ).where(ReminderSetting.account == account_id).returning(ReminderSetting.id)
        if not updated:
            await ReminderSetting.insert(ReminderSetting(account=account_id, enabled=enabled, hours=text, updated_at=now_utc()))


def check_unsubscribe(account_id: int, signature: str) -> None:
    if not hmac.compare_digest(unsubscribe_signature(account_id), signature):
        raise NotFound(_("This link is not valid"))


async def unsubscribe(account_id: int, signature: str) -> None:
    """Turn every reminder off for the account the signed link was made for (the link of older e-mails)."""
    check_unsubscribe(account_id, signature)
    _enabled, hours = await reminder_hours(account_id)
    await set_reminders(account_id, False, hours)


# --- categories and channels ----------------------------------------------------------------------------------


async def choices(account_id: int) -> dict[tuple[str, str], bool]:
    """{(category, channel): on} for every category and channel (no row: on)."""
    chosen = {
        (row["category"], row["channel"]): row["enabled"]
        for row in await MessagePreference.select().where(MessagePreference.account == account_id)
    }
    return {(category, channel): chosen.get((category, channel), True) for category in registry.CATEGORIES for channel in CHANNELS}


async def set_choices(account_id: int, changes: dict[tuple[str, str], bool]) -> None:
    """Record choices; an unknown category or channel is a programming error (the callers validate)."""
    async with write_transaction(engine_finder()):
        for (category, channel), enabled in changes.items():
            assert category in registry.CATEGORIES and channel in CHANNELS, (category, channel)
            where = (MessagePreference.account == account_id) & (MessagePreference.category == category) & (MessagePreference.channel == channel)
            updated = await MessagePreference.update({MessagePreference.enabled: enabled, MessagePreference.updated_at: now_utc()}).where(where).returning(MessagePreference.id)
            if not updated:
                await MessagePreference.insert(MessagePreference(account=account_id, category=category, channel=channel, enabled=enabled, updated_at=now_utc()))


@dataclass(frozen=True, slots=True)
class Choices:
    """What decides the channels of several accounts' messages, read once: who linked Telegram, and which
    (account, category, channel) they switched off."""

    linked: frozenset[int]
    off: frozenset[tuple[int, str, str]]


async def choices_of(accounts: set[int]) -> Choices:
    if not accounts:
        return Choices(frozenset(), frozenset())
    ids = sorted(accounts)
    listed = db.params(len(ids))
    rows = await db.fetch(engine_finder(), _CHOICES_SQL.replace("IDS", listed), *ids, False, *ids)  # on every message: one query, no builder
    linked = frozenset(row["account"] for row in rows if row["category"] is None)
    return Choices(linked, frozenset((row["account"], row["category"], row["channel"]) for row in rows if row["category"] is not None))


# Who linked Telegram (category None) and what they switched off, of the accounts IDS.
_CHOICES_SQL = """SELECT account, NULL AS category, NULL AS channel FROM telegram_link WHERE account IN (IDS)
UNION ALL SELECT account, category, channel FROM message_preference WHERE enabled = {} AND account IN (IDS)"""


def channels(kind: str, account: int, chosen: Choices) -> tuple[str, ...]:
    """The channels an account receives a message of ``kind`` on: e-mail unless switched off for its category,
    Telegram when linked and not switched off. Essential kinds go on both (e-mail always)."""
    category = registry.category_of(kind)
    return tuple(
        channel for channel in CHANNELS
        if (channel == EMAIL or account in chosen.linked) and not (category and (account, category, channel) in chosen.off)
    )


async def channels_for(kind: str, accounts: set[int]) -> dict[int, tuple[str, ...]]:
    chosen = await choices_of(accounts)
    return {account: channels(kind, account, chosen) for account in sorted(accounts)}


def check_category_link(account_id: int, category: str, signature: str) -> None:
    if category not in registry.CATEGORIES or not hmac.compare_digest(category_signature(account_id, category), signature):
        raise NotFound(_("This link is not valid"))


async def unsubscribe_category(account_id: int, category: str, signature: str) -> None:
    """The one-click unsubscribe of a non-essential e-mail: that category, by e-mail, off."""
    check_category_link(account_id, category, signature)
    await set_choices(account_id, {(category, EMAIL): False})
