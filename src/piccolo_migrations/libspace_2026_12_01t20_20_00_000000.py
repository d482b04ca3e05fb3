"""Statistics: covering indexes, so that a year's figures read indexes only (bench/stats_bench.py).

The summary visits every sign-up of the period's events (with its reader's birth date) and every booking of the
period's zones; with these the engines answer from the index without a seek into the table for each row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T20:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics covering indexes"

STATEMENTS = [
    "CREATE INDEX registration_stats ON registration (event, status, reader, seats, checked_in_at, created_by, created_at)",
    "CREATE INDEX reader_card_stats ON reader_card (account, birth_date, home_branch, created_at)",
    "CREATE INDEX booking_stats ON booking (zone, starts_at, status, holder_kind, ends_at, holder, status_changed_by)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
