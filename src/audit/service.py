"""Writing the audit log (see the package docstring) and reading it back."""

from __future__ import annotations

import re
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable, Mapping, Protocol

import msgspec
from piccolo.engine import engine_finder

from src import db
from src.audit.tables import AuditEntry
from src.db import is_postgres
from src.timeutil import aware, now_utc

SYSTEM_ROLE = "system"
MAX_VALUE_LENGTH = 1000  # a longer text is cut: the log records that it changed and how it began

# Field names whose values never reach the log (password hashes, tokens, secrets, private notes).
_SECRET = re.compile(r"password|token|secret|private_note|salt", re.IGNORECASE)


class Actor(Protocol):
    id: int
    role: str
    full_name: str


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor that is not the request's principal: a person acting on their own new account (sign-up, an
    accepted invitation), or someone named by id only."""

    id: int
    role: str
    full_name: str = ""


_acting: ContextVar[Actor | None] = ContextVar("libspace_audit_actor", default=None)


def acting_as(actor: Actor | None) -> Token:
    """Who the current request (or task) acts for; the auth middleware sets it. Returns the reset token."""
    return _acting.set(actor)


def stop_acting(token: Token) -> None:
    _acting.reset(token)


def current_actor() -> Actor | None:
    return _acting.get()


def is_secret(field: str) -> bool:
    return bool(_SECRET.search(field))


Changes = Mapping[str, tuple[Any, Any]]


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, fields: Iterable[str] | None = None) -> dict[str, tuple[Any, Any]]:
    """The fields whose value differs, as ``{field: (before, after)}``. A missing side (creation, deletion) is
    None; ``fields`` limits the comparison to these names."""
    before, after = before or {}, after or {}
    names = list(fields) if fields is not None else list(dict.fromkeys([*before, *after]))
    return {name: (before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)}


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: instants in UTC ISO 8601, dates and times ISO, sets sorted, long text cut."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=str)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"


def _encode(changes: Changes | None, private: frozenset[str] = frozenset()) -> str:
    result: dict[str, dict[str, Any]] = {}
    for field, (before, after) in (changes or {}).items():
        if is_secret(field) or field in private:
            result[field] = {"redacted": True}
        else:
            result[field] = {"before": _plain(before), "after": _plain(after)}
    return msgspec.json.encode(result).decode()


def entry_values(
    actor: Actor | None, action: str, object_kind: str, object_id: int | None, *, branch_id: int | None = None, changes: Changes | None = None,
    private: Iterable[str] = (), at: datetime | None = None,
) -> dict[str, Any]:
    """The columns of one audit row, for a hot path that writes it with its own SQL in its transaction (a
    sign-up, see src/events/claims.py); :func:`record` for everyone else."""
    who = actor if actor is not None else _acting.get()
    return {
        "at": at or now_utc(),
        "actor_id": who.id if who is not None else None,
        "actor_role": (who.role if who is not None else SYSTEM_ROLE)[:16],
        "actor_name": (who.full_name if who is not None else "")[:200],
        "branch_id": branch_id,
        "object_kind": object_kind[:32],
        "object_id": object_id,
        "action": action[:40],
        "changes": _encode(changes, frozenset(private)),
    }


async def record(
    actor: Actor | None, action: str, object_kind: str, object_id: int | None, *, branch_id: int | None = None, changes: Changes | None = None, private: Iterable[str] = ()
) -> None:
    """One audit row, in the caller's open write transaction. ``private``: fields recorded as changed without
    their values (personal data the log's readers need not see)."""
    await record_many(actor, action, object_kind, {object_id: changes}, branch_id=branch_id, private=private)


async def record_many(
    actor: Actor | None,
    action: str,
    object_kind: str,
    changes_by_id: Mapping[int | None, Changes | None],
    *,
    branch_id: int | None = None,
    private: Iterable[str] = (),
) -> None:
    """One audit row per object (the same action on several objects, e.g. a series of bookings), in one
    statement, in the caller's open write transaction."""
    if not changes_by_id:
        return
    if AuditEntry._meta.db.current_transaction.get() is None:
        raise RuntimeError("audit entries are written inside the transaction that makes the change")
    at = now_utc()
    rows = [entry_values(actor, action, object_kind, object_id, branch_id=branch_id, changes=changes, private=private, at=at) for object_id, changes in changes_by_id.items()]
    for start in range(0, len(rows), _CHUNK):  # within both engines' limits on parameters per statement
        sql, params = insert_statement(rows[start : start + _CHUNK])
        await db.fetch(AuditEntry._meta.db, sql, *params)


def insert_statement(rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """One INSERT of rows made by :func:`entry_values` (at most 1,000), ``{}`` placeholders, for a hot path that
    runs its transaction's statements itself (a booking, src/rooms/bookings.py)."""
    return _insert_sql(len(rows)), [row[column] for row in rows for column in _COLUMNS]


_CHUNK = 1000
_COLUMNS = ("at", "actor_id", "actor_role", "actor_name", "branch_id", "object_kind", "object_id", "action", "changes")


@lru_cache(maxsize=32)
def _insert_sql(rows: int) -> str:
    """Plain SQL: every write of every domain records here, and Piccolo's insert cost more than the statement."""
    row = "(" + ", ".join("{}" for _ in _COLUMNS) + ")"
    return f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) VALUES {', '.join(row for _ in range(rows))}"


# --- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    at: datetime
    actor_id: int | None
    actor_role: str
    actor_name: str
    branch_id: int | None
    object_kind: str
    object_id: int | None
    action: str
    changes: dict[str, dict[str, Any]]


def _entry(row: dict) -> Entry:
    return Entry(
        id=row["id"],
        at=aware(row["at"]),
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        actor_name=row["actor_name"],
        branch_id=row["branch_id"],
        object_kind=row["object_kind"],
        object_id=row["object_id"],
        action=row["action"],
        changes=msgspec.json.decode(row["changes"] or "{}"),
    )


@dataclass(frozen=True, slots=True)
class Filters:
    branch_ids: frozenset[int] | None = None  # None: every branch (and entries of no branch)
    actor_id: int | None = None
    actor_name: str | None = None  # every word somewhere in the name the actor had then
    object_kind: str | None = None
    object_id: int | None = None
    action: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def _like_escaped(word: str) -> str:
    return word.replace("\\", "").replace("%", "").replace("_", "")


def _name_has(word: str):
    """ILIKE folds every letter on PostgreSQL but only ASCII on SQLite: the word as typed, in lower case,
    capitalised (how names are written) and in capitals covers Cyrillic there too."""
    where = None
    postgres = is_postgres(engine_finder())
    for form in dict.fromkeys((word, word.lower(), word.capitalize(), word.upper())):
        one = AuditEntry.actor_name.ilike(f"%{form}%") if postgres else AuditEntry.actor_name.like(f"%{form}%")
        where = one if where is None else where | one
    return where


def _where(filters: Filters):
    where = AuditEntry.id > 0
    if filters.branch_ids is not None:
        where &= AuditEntry.branch_id.is_in(sorted(filters.branch_ids) or [0])
    if filters.actor_id is not None:
        where &= AuditEntry.actor_id == filters.actor_id
    for word in (filters.actor_name or "").split()[:5]:
        where &= _name_has(_like_escaped(word))
    if filters.object_kind is not None:
        where &= AuditEntry.object_kind == filters.object_kind
    if filters.object_id is not None:
        where &= AuditEntry.object_id == filters.object_id
    if filters.action is not None:
        where &= AuditEntry.action == filters.action
    if filters.start is not None:
        where &= AuditEntry.at >= filters.start
    if filters.end is not None:
        where &= AuditEntry.at < filters.end
    return where


async def entries(filters: Filters, limit: int, offset: int = 0) -> tuple[list[Entry], int]:
    """The newest first, and how many match."""
    where = _where(filters)
    rows = await AuditEntry.select().where(where).order_by(AuditEntry.at, ascending=False).order_by(AuditEntry.id, ascending=False).limit(limit).offset(offset)
    return [_entry(row) for row in rows], await AuditEntry.count().where(where)


async def of_object(object_kind: str, object_id: int) -> list[Entry]:
    """The history of one object, oldest first."""
    rows = await AuditEntry.select().where((AuditEntry.object_kind == object_kind) & (AuditEntry.object_id == object_id)).order_by(AuditEntry.id)
    return [_entry(row) for row in rows]


async def forget_actor(account_id: int) -> int:
    """An erased account: its name leaves the log (the id and role stay, so the history still adds up). Call
    inside the erasing transaction. Returns how many entries were changed."""
    changed = await AuditEntry.update({AuditEntry.actor_name: ""}).where(AuditEntry.actor_id == account_id).returning(AuditEntry.id)
    return len(changed)


async def forget_object(object_kind: str, object_id: int) -> int:
    """An erased person's own record (their account, their card): the values of its changes leave the log, the
    fact and the time of each change stay. Call inside the erasing transaction."""
    changed = await AuditEntry.update({AuditEntry.changes: "{}"}).where((AuditEntry.object_kind == object_kind) & (AuditEntry.object_id == object_id)).returning(AuditEntry.id)
    return len(changed)
