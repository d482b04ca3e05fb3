"""Enqueue notifications. Call :func:`enqueue` inside the caller's write transaction, so the message exists
exactly when the change that causes it is committed. Sending is the notification worker's job (a later issue).

The subject is translated into the recipient's language when it is enqueued: pass the English message id
(marked with ``N_`` for extraction) and its variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.utils.encoding import dump_json

from src import bounds, db
from src.config import get_settings
from src.i18n import translations
from src.labels import N_  # noqa: F401 - re-exported for callers that mark subjects
from src.notifications import preferences, queries, registry
from src.notifications.tables import Outbox
from src.timeutil import now_utc


def subject_text(language: str, message: str, variables: dict[str, Any]) -> str:
    text = translations(language or get_settings().language).gettext(message)
    return bounds.clean_line(text % variables if variables else text)[:300]


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives a message and in which language, read before the writing transaction (:func:`audience`)
    so that a hot transaction (a sign-up) holds its locks for the inserts only."""

    recipients: list[int]
    languages: dict[int, str]
    copies: dict[int, list[tuple[int, str]]]
    choices: preferences.Choices  # the channels of everyone above: Telegram links, categories switched off


async def audience(recipients: list[int]) -> Audience:
    """Languages, copies and channel choices of the recipients (and of those who get copies): the copies'
    resolvers, then one query (notifications/queries.py) for the rest."""
    recipients = sorted(set(recipients))
    if not recipients:
        return Audience([], {}, {}, preferences.Choices(frozenset(), frozenset()))
    copies: dict[int, list[tuple[int, str]]] = {}
    for resolve in registry.COPIES:  # copies for those who follow a recipient's messages (a child's guardians)
        for recipient, others in (await resolve(recipients)).items():
            copies.setdefault(recipient, []).extend(others)
    everyone = sorted(set(recipients) | {other for others in copies.values() for other, _prefix in others})
    languages: dict[int, str] = {}
    linked: set[int] = set()
    off: set[tuple[int, str, str]] = set()
    for row in await db.fetch(Outbox._meta.db, queries.audience(len(everyone)), *everyone, *everyone, *everyone, False):
        if row["part"] == "l":
            languages[row["account"]] = row["a"]
        elif row["part"] == "t":
            linked.add(row["account"])
        else:
            off.add((row["account"], row["a"], row["b"]))
    return Audience(recipients, languages, copies, preferences.Choices(frozenset(linked), frozenset(off)))


def outbox_values(
    kind: str, reader: Audience, subject: str, payload: dict[str, Any], cause: str, subject_vars: dict[str, Any] | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The columns of the outbox rows :func:`enqueue` writes (``payload`` not encoded), for a hot path that
    writes them with its own SQL in its transaction (a sign-up, see src/events/claims.py)."""
    languages = reader.languages
    now = now or now_utc()
    text = {recipient: subject_text(languages.get(recipient, ""), subject, subject_vars or {}) for recipient in reader.recipients}
    # (message id, account, subject, payload) of every message, before the channels each account chose
    wanted = [(f"{kind}:{cause}:{recipient}", recipient, text[recipient], payload) for recipient in reader.recipients]
    for recipient, others in reader.copies.items():
        wanted += [
            (f"{kind}:{cause}:{recipient}>{other}"[:200], other, bounds.clean_line(prefix + text[recipient])[:300], {**payload, "copy_of": recipient})
            for other, prefix in others
        ]
    return [
        {
            "message_id": message_id if channel == preferences.EMAIL else f"{message_id[:190]}:{channel}",
            "recipient": account,
            "kind": kind,
            "subject": subject_line,
            "payload": message_payload,
            "created_at": now,
            "channel": channel,
        }
        for message_id, account, subject_line, message_payload in wanted
        for channel in preferences.channels(kind, account, reader.choices)
    ]


async def enqueue(
    kind: str,
    recipients: list[int] | Audience,
    subject: str,
    payload: dict[str, Any],
    cause: str,
    subject_vars: dict[str, Any] | None = None,
) -> int:
    """One message per recipient and channel it chose (``preferences.channels_for``: e-mail, id
    ``{kind}:{cause}:{recipient}``, and Telegram, the same id + ``:telegram``); an id already queued is skipped.

    Returns how many were written. Must run inside the caller's transaction (it does not open one).
    ``recipients`` may be an :class:`Audience` read before the transaction.
    """
    reader = recipients if isinstance(recipients, Audience) else await audience(recipients)
    rows = outbox_values(kind, reader, subject, payload, cause, subject_vars)
    if not rows:
        return 0
    sql, params = outbox_statement(rows)
    return len(await db.fetch(Outbox._meta.db, sql, *params))


def outbox_statement(rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """One INSERT of rows made by :func:`outbox_values` (plain SQL: every booking and sign-up passes here, and
    Piccolo's insert cost more than the statement); an id already queued is skipped; answers the new ids."""
    return queries.outbox_insert(len(rows)), [
        value for row in rows for value in (row["message_id"], row["recipient"], row["kind"], row["subject"], dump_json(row["payload"]), row["created_at"], row["channel"])
    ]


async def pending_for(recipient: int) -> list[dict]:
    """Queued, unsent messages of one account, oldest first (tests and the future worker)."""
    return await Outbox.select().where((Outbox.recipient == recipient) & Outbox.sent_at.is_null()).order_by(Outbox.id).output(load_json=True)


async def enqueue_email(
    kind: str, email: str, subject: str, payload: dict[str, Any], cause: str, subject_vars: dict[str, Any] | None = None, language: str = ""
) -> int:
    """One message to an address that has no account yet (an invitation), id ``{kind}:{cause}:{email}``."""
    row = Outbox(
        message_id=f"{kind}:{cause}:{email}"[:200],
        recipient=None,
        email=email,
        kind=kind,
        subject=subject_text(language, subject, subject_vars or {}),
        payload=payload,
        created_at=now_utc(),
    )
    result = await Outbox.insert(row).on_conflict(target=Outbox.message_id, action="DO NOTHING").returning(Outbox.id)
    return len(result)


async def pending(kind: str | None = None) -> list[dict[str, Any]]:
    """Unsent messages, oldest first, payload decoded (for the worker's tests and domain tests)."""
    query = Outbox.select().where(Outbox.sent_at.is_null()).order_by(Outbox.id)
    if kind is not None:
        query = query.where(Outbox.kind == kind)
    return await query.output(load_json=True)
