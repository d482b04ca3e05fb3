"""Plain SQL of the enqueue hot path (issue 17): every booking and sign-up writes its messages here, and
Piccolo's query builder cost more than the statements themselves. ``{}`` placeholders (src/db.py ``fetch``);
each string is valid on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import lru_cache

from src.db import params


@lru_cache(maxsize=64)
def audience(count: int) -> str:
    """What decides ``count`` accounts' messages in one round trip, one row per fact: ``('l', account,
    language, '')``, ``('t', account, '', '')`` for a linked Telegram, ``('o', account, category, channel)``
    for a category switched off on a channel. The ids are passed three times."""
    ids = params(count)
    return (
        f"SELECT 'l' AS part, id AS account, language AS a, '' AS b FROM account WHERE id IN ({ids})"
        f" UNION ALL SELECT 't', account, '', '' FROM telegram_link WHERE account IN ({ids})"
        f" UNION ALL SELECT 'o', account, category, channel FROM message_preference WHERE account IN ({ids}) AND enabled = {{}}"
    )


OUTBOX_COLUMNS = ("message_id", "recipient", "kind", "subject", "payload", "created_at", "channel")


@lru_cache(maxsize=64)
def outbox_insert(rows: int) -> str:
    """``rows`` messages; one already queued under its ``message_id`` is skipped; answers the new ids."""
    row = f"({params(len(OUTBOX_COLUMNS))})"
    return (
        f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) VALUES {', '.join(row for _ in range(rows))}"
        " ON CONFLICT (message_id) DO NOTHING RETURNING id"
    )
