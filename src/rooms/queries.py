"""Plain SQL of the booking hot path (issue 17), ``{}`` placeholders for src/db.py ``fetch``; each string is
valid on SQLite and PostgreSQL (tests/rooms run them on both: one place at a time, ages, blocked cards, quotas, clashes)."""

from __future__ import annotations

from functools import lru_cache

from src.db import params
from src.rooms.availability import ACTIVE_SQL

# A reader's own checks before booking, in one round trip: their card (blocked? birth date) and their active
# bookings of other zones that meet [lower, upper) (one person, one place at a time). One row per such booking,
# or one row with NULL times; no row for an unknown account. Parameters: the zone asked for, lower - LOOKBACK
# (bounds the (holder, starts_at) index scan), upper, lower, the account.
READER_CHECKS = (
    "SELECT c.card_number, c.blocked_at, c.blocked_reason, c.birth_date, b.starts_at, b.ends_at"
    " FROM account a LEFT JOIN reader_card c ON c.account = a.id"
    f" LEFT JOIN booking b ON b.holder = a.id AND b.zone <> {{}} AND b.status IN ({ACTIVE_SQL})"
    " AND b.starts_at > {} AND b.starts_at < {} AND b.ends_at > {}"
    " WHERE a.id = {}"
)


@lru_cache(maxsize=64)
def holdings(quota_zones: int) -> str:
    """Inside a booking's transaction, in one round trip: the zone's active bookings whose blocked time meets
    the wanted window (``part`` 'z'; parameters: the zone, window start - LOOKBACK, window end + LOOKAHEAD,
    window end, window start: the index-bounded scan of availability.taken) and, with ``quota_zones``, the quota
    holder's active bookings starting in the weeks asked for in zones of the same kind (``part`` 'q';
    parameters: the holder, the zones, the first and the end of the weeks)."""
    sql = (
        "SELECT 'z' AS part, id, starts_at, ends_at, blocked_from, blocked_until FROM booking"
        f" WHERE zone = {{}} AND starts_at > {{}} AND starts_at < {{}} AND status IN ({ACTIVE_SQL}) AND blocked_from < {{}} AND blocked_until > {{}}"
    )
    if quota_zones:
        sql += (
            " UNION ALL SELECT 'q', id, starts_at, ends_at, blocked_from, blocked_until FROM booking"
            f" WHERE holder = {{}} AND zone IN ({params(quota_zones)}) AND status IN ({ACTIVE_SQL})"
            " AND starts_at >= {} AND starts_at < {}"
        )
    return sql
