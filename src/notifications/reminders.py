"""Reminders before what a reader signed up for, booked, or a career consultation they booked: 24 and 2 hours
before unless the reader chose otherwise (``ReminderSetting``). The domains say which reminders exist
(``registry.reminders``); this module decides which are due and enqueues them. Each reminder is an outbox row
with a key of its own, so scheduling runs as often as it likes and never enqueues one twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src.db import write_transaction
from src.notifications import registry, rules
from src.notifications import service as notifications
from src.notifications.tables import ReminderSetting
from src.timeutil import now_utc

HORIZON = timedelta(hours=max(rules.ALLOWED_REMINDER_HOURS))


async def settings_of(account_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each account's reminder hours; () for an account that turned reminders off."""
    rows = await ReminderSetting.select().where(ReminderSetting.account.is_in(sorted(account_ids))) if account_ids else []
    chosen = {row["account"]: (rules.parse_hours(row["hours"]) if row["enabled"] else ()) for row in rows}
    return {account: chosen.get(account, rules.DEFAULT_REMINDER_HOURS) for account in account_ids}


async def schedule(now: datetime | None = None) -> int:
    """Enqueue every reminder due at ``now``; returns how many were new. The key holds the start, so an event
    moved after its reminder went out is reminded of again at its new time."""
    now = now or now_utc()
    wanted: list[registry.Reminder] = []
    for source in registry.REMINDER_SOURCES:
        wanted += await source(now, now + HORIZON)
    hours_of = await settings_of({reminder.account for reminder in wanted})
    added = 0
    async with write_transaction(engine_finder()):
        for reminder in wanted:
            chosen = hours_of[reminder.account]
            for hours in chosen:
                if rules.reminder_due(reminder.starts_at, hours, chosen, reminder.since, now):
                    added += await notifications.enqueue(
                        reminder.kind, [reminder.account], reminder.subject, {**reminder.payload, "hours": hours},
                        cause=f"{reminder.key}-{reminder.starts_at:%Y%m%dT%H%MZ}-{hours}h", subject_vars=reminder.subject_vars,
                    )
    return added
