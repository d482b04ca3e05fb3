"""Drop-in attendance: the database refuses negative head counts and more children and youth than people.

PostgreSQL: a CHECK constraint. SQLite cannot add one to an existing table: triggers raise instead.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-12-01T19:44:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "event attendance invariants"

_VALID = "total >= 0 AND children >= 0 AND youth >= 0 AND children + youth <= total"

POSTGRES = [f"ALTER TABLE event_attendance ADD CONSTRAINT event_attendance_counts_valid CHECK ({_VALID})"]

_RAISE = "SELECT RAISE(ABORT, 'event_attendance_counts_valid') WHERE NOT (" + _VALID.replace("total", "NEW.total").replace("children", "NEW.children").replace("youth", "NEW.youth") + ");"
SQLITE = [
    f"CREATE TRIGGER event_attendance_valid_insert BEFORE INSERT ON event_attendance BEGIN {_RAISE} END",
    f"CREATE TRIGGER event_attendance_valid_update BEFORE UPDATE OF total, children, youth ON event_attendance BEGIN {_RAISE} END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in POSTGRES if is_postgres(engine) else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
