"""Lets the schema go backwards to empty on SQLite (nothing changes going forwards, nor on PostgreSQL).

Two landed migrations cannot be undone on SQLite as they stand, because SQLite refuses to drop a column that an
index still names (PostgreSQL drops the index with the column):
- 2026-12-01T20:05:00 drops ``reader_card.search_name``, indexed; Piccolo does not drop the index first
  ("error in index reader_card_search_name after drop column");
- 2026-11-27T07:00:01 drops ``outbox.failed_at``, which the index ``outbox_unsent_created`` of the raw
  migration 2026-11-27T07:00:02 names; that raw migration has no backwards step.
Landed migrations are never edited, so this one, which sorts after both, drops those two indexes on its way
back. Caveat: going backwards to a point between 07:00:02 and here and forwards again leaves the outbox
without ``outbox_unsent_created`` (slower, not wrong); the round trip to empty and back (tests/test_migrations.py)
rebuilds everything.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-12-01T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite: indexes that block going backwards are dropped before their columns"

SQLITE_BACKWARDS = ["DROP INDEX IF EXISTS reader_card_search_name", "DROP INDEX IF EXISTS outbox_unsent_created"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def nothing():
        return None

    async def drop_indexes():
        engine = engine_finder()
        if not is_postgres(engine):
            for statement in SQLITE_BACKWARDS:
                await engine.run_ddl(statement)

    manager.add_raw(nothing)
    manager.add_raw_backwards(drop_indexes)
    return manager
