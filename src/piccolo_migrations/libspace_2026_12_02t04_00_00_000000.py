"""The database bumps the revision ``bookings`` (src/rooms/availability.py) on every write to ``booking``, whoever
writes it (bookings, events and school visits holding zones, staff blocks): each worker keeps the week grids it
computed and re-reads the revision at most once a second (src/cache.py).

On PostgreSQL the bump is a deferred constraint trigger: it runs at commit, so concurrent booking transactions
wait for each other on the revision's row only for the length of a commit, and never while they hold other
locks (no deadlock with a transaction that books several zones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-12-02T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Triggers bump the bookings revision"

BUMP = "INSERT INTO revision (name, value) VALUES ('bookings', 1) ON CONFLICT (name) DO UPDATE SET value = revision.value + 1"
EVENTS = ["INSERT", "UPDATE", "DELETE"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        if is_postgres(engine):
            await engine.run_ddl(
                "CREATE OR REPLACE FUNCTION libspace_bump_bookings() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {BUMP}; RETURN NULL; END $$"
            )
            await engine.run_ddl(
                "CREATE CONSTRAINT TRIGGER bookings_revision AFTER INSERT OR UPDATE OR DELETE ON booking "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION libspace_bump_bookings()"
            )
        else:
            for event in EVENTS:
                await engine.run_ddl(f"CREATE TRIGGER bookings_revision_{event.lower()} AFTER {event} ON booking BEGIN {BUMP}; END")

    async def drop():
        engine = engine_finder()
        if is_postgres(engine):
            await engine.run_ddl("DROP TRIGGER IF EXISTS bookings_revision ON booking")
            await engine.run_ddl("DROP FUNCTION IF EXISTS libspace_bump_bookings()")
        else:
            for event in EVENTS:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS bookings_revision_{event.lower()}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
