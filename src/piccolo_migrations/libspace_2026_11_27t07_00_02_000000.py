"""An index on event.updated_at: the newest change is what every events feed's ETag is made of, and the 304
path reads it without touching the rows (a separate migration: Piccolo runs raw SQL before creating tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "index for the feeds' fingerprint"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("CREATE INDEX event_updated_at ON event (updated_at)")

    manager.add_raw(run)
    return manager
