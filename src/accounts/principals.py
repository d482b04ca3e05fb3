"""The principal behind a bearer token or a page session, on every request: one query, cached per process.

The token's row, its account and what the principal carries (a staff member's branches, a reader's card
number, a teacher's approved school) come back in one query (one row per staff branch). Found principals are
kept per process by the token's hash (at most ``CACHE_SIZE``; misses are never kept) under the revision
``principals``, which the database's triggers bump on every change that could alter or end a principal
(a token deleted, an account's role, name, e-mail, language, auth version or activity changed, staff
branches, cards, teachers): every worker sees a revocation, a password change, a deactivation or a role change
within a second (src/cache.py), and the worker that made it at once. A token's expiry is checked on each use.
"""

from __future__ import annotations

from datetime import datetime

from src import cache, db
from src.accounts import sessions
from src.accounts.constants import ROLE_READER, ROLE_TEACHER, STAFF_ROLES
from src.accounts.permissions import Principal
from src.accounts.tables import ApiToken
from src.schools.constants import TEACHER_APPROVED
from src.timeutil import aware, now_utc

CACHE_NAME = "principals"
CACHE_SIZE = 10_000
# the tables whose writes the triggers of the migration 2026-12-01T23:50:00 turn into a new revision
WATCHED = {
    "api_token": ("UPDATE", "DELETE"),
    "account": ("UPDATE", "DELETE"),
    "staff_branch": ("INSERT", "UPDATE", "DELETE"),
    "reader_card": ("INSERT", "UPDATE", "DELETE"),
    "teacher": ("INSERT", "UPDATE", "DELETE"),
}
for _table, _verbs in WATCHED.items():
    cache.watch(CACHE_NAME, _table, *_verbs)

_STAFF = ", ".join(f"'{role}'" for role in STAFF_ROLES)
PRINCIPAL_SQL = f"""
SELECT t.expires_at, a.id, a.role, a.full_name, a.email, a.language, a.auth_version, a.is_active,
       s.branch AS staff_branch, s.is_head, c.card_number, te.school
FROM api_token t
JOIN account a ON a.id = t.account
LEFT JOIN staff_branch s ON s.account = a.id AND a.role IN ({_STAFF})
LEFT JOIN reader_card c ON c.account = a.id AND a.role = '{ROLE_READER}'
LEFT JOIN teacher te ON te.account = a.id AND a.role = '{ROLE_TEACHER}' AND te.status = '{TEACHER_APPROVED}'
WHERE t.token_hash = {{}} AND t.kind = {{}}
"""

_cache = cache.Keyed(CACHE_NAME, CACHE_SIZE)


def _from_rows(rows: list[dict]) -> tuple[datetime, Principal] | None:
    if not rows or not rows[0]["is_active"]:
        return None
    first = rows[0]
    return aware(first["expires_at"]), Principal(
        id=first["id"],
        role=first["role"],
        full_name=first["full_name"],
        email=first["email"],
        language=first["language"],
        branch_ids=frozenset(row["staff_branch"] for row in rows if row["staff_branch"] is not None),
        head_branch_ids=frozenset(row["staff_branch"] for row in rows if row["staff_branch"] is not None and row["is_head"]),
        card_number=first["card_number"],
        school_id=first["school"],
        auth_version=first["auth_version"],
    )


async def for_token(token: str, kind: str = sessions.API) -> Principal | None:
    """The principal of a live token (``kind`` ``api``) or page session (``session``); None if there is none."""
    token_hash = sessions.token_hash(token)

    async def load() -> tuple[datetime, Principal] | None:
        return _from_rows(await db.fetch(ApiToken._meta.db, PRINCIPAL_SQL, token_hash, kind))

    found = await _cache.get((token_hash, kind), load)
    if found is None or found[0] <= now_utc():
        return None
    return found[1]
