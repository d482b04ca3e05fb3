"""Data retention: what the worker prunes, and when, by the ``LIBSPACE_KEEP_*_DAYS`` settings.

This module sits above the domains (like ``src/demo.py``): it names their tables. The worker runs
:func:`prune` once an hour as the ``retention`` job (logged and counted like every job). Each kind is one
transaction, and everything is chosen by a cutoff, so two workers pruning at once delete nothing twice and
a run that fails halfway leaves whole kinds done or untouched.

- **cancelled**: cancelled or declined zone bookings, cancelled or released sign-ups, cancelled events (with
  their sign-ups), cancelled consultations, declined or cancelled school visits (with their windows and
  history), once their time lies ``cancelled_days`` in the past: long enough for the year's report.
- **messages**: outbox rows sent or given up that long ago.
- **tokens**: API tokens and one-time links or codes expired (or used, or revoked) that long ago, and failed
  log-in records older than a day (they only count within the throttling window).
- **audit**: audit log entries older than ``audit_days``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.engine import engine_finder
from piccolo.table import Table

from src.accounts.tables import AccountToken, ApiToken, LoginAttempt
from src.audit.tables import AuditEntry
from src.db import write_transaction
from src.events.tables import Event, Registration
from src.guidance.tables import Consultation
from src.notifications.tables import Outbox
from src.notifications.scheduler import Job
from src.ops.settings import Retention, get_ops_settings
from src.rooms.tables import Booking
from src.schools.tables import VisitRequest

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)
EVERY = timedelta(hours=1)


async def _delete(table: type[Table], where) -> int:
    return len(await table.delete().where(where).returning(table.id))


async def prune_cancelled(cutoff: datetime) -> int:
    async with write_transaction(engine_finder()):
        deleted = await _delete(Booking, Booking.status.is_in(["cancelled", "declined"]) & (Booking.ends_at < cutoff))
        deleted += await _delete(
            Registration,
            Registration.status.is_in(["cancelled", "released"]) & Registration.event.is_in(Event.select(Event.id).where(Event.starts_at < cutoff)),
        )
        deleted += await _delete(Event, (Event.status == "cancelled") & (Event.ends_at < cutoff))
        deleted += await _delete(Consultation, (Consultation.status == "cancelled") & (Consultation.starts_at < cutoff))
        deleted += await _delete(VisitRequest, VisitRequest.status.is_in(["declined", "cancelled"]) & (VisitRequest.updated_at < cutoff))
    return deleted


async def prune_messages(cutoff: datetime) -> int:
    async with write_transaction(engine_finder()):
        return await _delete(Outbox, (Outbox.sent_at < cutoff) | (Outbox.failed_at < cutoff))


async def prune_tokens(cutoff: datetime, now: datetime) -> int:
    async with write_transaction(engine_finder()):
        deleted = await _delete(ApiToken, ApiToken.expires_at < cutoff)
        deleted += await _delete(AccountToken, (AccountToken.expires_at < cutoff) | (AccountToken.used_at < cutoff) | (AccountToken.revoked_at < cutoff))
        deleted += await _delete(LoginAttempt, LoginAttempt.at < now - LOGIN_ATTEMPTS_KEPT)
    return deleted


async def prune_audit(cutoff: datetime) -> int:
    async with write_transaction(engine_finder()):
        return await _delete(AuditEntry, AuditEntry.at < cutoff)


async def prune(now: datetime, retention: Retention | None = None) -> dict[str, int]:
    """Prune every kind whose setting is not 0; how many rows of each kind went."""
    retention = retention or get_ops_settings().retention
    counts: dict[str, int] = {}
    if retention.cancelled_days:
        counts["cancelled"] = await prune_cancelled(now - timedelta(days=retention.cancelled_days))
    if retention.sent_messages_days:
        counts["messages"] = await prune_messages(now - timedelta(days=retention.sent_messages_days))
    if retention.expired_tokens_days:
        counts["tokens"] = await prune_tokens(now - timedelta(days=retention.expired_tokens_days), now)
    if retention.audit_days:
        counts["audit"] = await prune_audit(now - timedelta(days=retention.audit_days))
    return counts


def jobs() -> list[Job]:
    """The worker's pruning job, registered with the scheduler at start-up (``src/registrations.py``)."""
    return [Job("retention", EVERY, prune)]
