"""Enqueue a notification. Call it inside the caller's write transaction, so the message exists if and only if
the change it reports was committed."""

from __future__ import annotations

import json
from typing import Any

from src.notifications.tables import Outbox
from src.timeutil import now_utc


async def enqueue(kind: str, payload: dict[str, Any], account_id: int | None = None, email: str = "") -> None:
    if account_id is None and not email:
        raise ValueError("a notification needs an account or an e-mail address")
    await Outbox.insert(
        Outbox(account=account_id, email=email, kind=kind, payload=json.dumps(payload, ensure_ascii=False, default=str), created_at=now_utc())
    )


async def pending(kind: str | None = None) -> list[dict[str, Any]]:
    """Unsent messages, oldest first, with the payload decoded (for the worker and for tests)."""
    query = Outbox.select().where(Outbox.sent_at.is_null()).order_by(Outbox.id)
    if kind is not None:
        query = query.where(Outbox.kind == kind)
    rows = await query
    for row in rows:
        row["payload"] = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    return rows
