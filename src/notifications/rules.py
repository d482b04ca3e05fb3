"""Pure rules of sending: retries, addresses, reminder timing. No I/O, no clock of their own."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
DEFAULT_REMINDER_HOURS = (24, 2)
ALLOWED_REMINDER_HOURS = (168, 72, 48, 24, 12, 6, 3, 2, 1)


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2×base, 4×base, … up to the maximum."""
    return timedelta(seconds=min(max_seconds, base_seconds * (2 ** max(0, attempts - 1))))


def plausible_address(address: str | None) -> bool:
    return bool(address) and len(address) <= 254 and ADDRESS.match(address) is not None  # type: ignore[arg-type]


def message_id(outbox_key: str, outbox_id: int, domain: str) -> str:
    """The RFC 5322 Message-ID of one outbox row: the same on every attempt, so a resend is recognisably one."""
    digest = hashlib.sha256(outbox_key.encode()).hexdigest()[:20]
    return f"<{digest}.{outbox_id}@{domain}>"


def reminder_due(starts_at: datetime, hours: int, all_hours: tuple[int, ...], signed_up_at: datetime, now: datetime) -> bool:
    """Send the ``hours``-before reminder now?

    Due from ``starts_at - hours`` until the start, unless a closer reminder is already due (no 24-hour
    reminder two hours before) or the sign-up came after the reminder's moment (no "tomorrow" to someone who
    signed up an hour ago).
    """
    moment = starts_at - timedelta(hours=hours)
    if not (moment <= now < starts_at) or signed_up_at > moment:
        return False
    closer = [h for h in all_hours if h < hours]
    return not any(now >= starts_at - timedelta(hours=h) and signed_up_at <= starts_at - timedelta(hours=h) for h in closer)


def parse_hours(text: str) -> tuple[int, ...]:
    """"24,2" → (24, 2): allowed values only, no repeats, largest first."""
    values = set()
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and int(part) in ALLOWED_REMINDER_HOURS:
            values.add(int(part))
    return tuple(sorted(values, reverse=True))
