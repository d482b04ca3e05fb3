"""Events: the catalogue index, one active sign-up per reader and event, and seats never above capacity.

The capacity guard is a CHECK constraint on PostgreSQL; SQLite cannot add a constraint to an existing table,
so there triggers refuse the same rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-11-25T21:41:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "event and registration indexes and guards"

STATEMENTS = [
    "CREATE INDEX event_catalogue ON event (starts_at, branch, category)",
    "CREATE INDEX event_branch_starts ON event (branch, starts_at)",
    "CREATE INDEX event_series_starts ON event (series, starts_at)",
    "CREATE UNIQUE INDEX registration_active_key ON registration (event, reader) WHERE status IN ('confirmed', 'waitlisted')",
    "CREATE INDEX registration_event_status ON registration (event, status, id)",
    "CREATE INDEX registration_reader_status ON registration (reader, status)",
    "CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL",
]

POSTGRES = [
    "ALTER TABLE event ADD CONSTRAINT event_seats_within_capacity CHECK (seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity))",
    "ALTER TABLE event ADD CONSTRAINT event_ends_after_start CHECK (ends_at > starts_at)",
    "ALTER TABLE registration ADD CONSTRAINT registration_seats_positive CHECK (seats >= 1)",
]

SQLITE = [
    f"""CREATE TRIGGER {name}_{action.lower()} BEFORE {action} ON {table}
        FOR EACH ROW WHEN {condition}
        BEGIN SELECT RAISE(ABORT, '{name}'); END"""
    for name, table, condition in [
        ("event_seats_within_capacity", "event", "NEW.seats_taken < 0 OR (NEW.capacity IS NOT NULL AND NEW.seats_taken > NEW.capacity)"),
        ("event_ends_after_start", "event", "NEW.ends_at <= NEW.starts_at"),
        ("registration_seats_positive", "registration", "NEW.seats < 1"),
    ]
    for action in ("INSERT", "UPDATE")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS + (POSTGRES if is_postgres(engine) else SQLITE):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
