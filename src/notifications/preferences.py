"""A reader's reminder settings, and the signed one-click "stop reminders" of every reminder e-mail."""

from __future__ import annotations

import hmac

from piccolo.engine import engine_finder

from src.db import write_transaction
from src.exceptions import NotFound
from src.i18n import _
from src.notifications import rules
from src.notifications.messages import unsubscribe_signature
from src.notifications.tables import ReminderSetting
from src.timeutil import now_utc


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
    """Turn every reminder off for the account the signed link was made for."""
    check_unsubscribe(account_id, signature)
    _enabled, hours = await reminder_hours(account_id)
    await set_reminders(account_id, False, hours)
