"""The booking invariant in the database, and the indexes bookings are read by.

No two active (pending or confirmed) bookings of one zone may overlap, set-up and clean-up buffers included
(``blocked_from``/``blocked_until``). PostgreSQL enforces it with an exclusion constraint over the zone and a
time range (btree_gist); SQLite with triggers. The service checks first under a lock and turns a clash into a
409; these are the final guard for any writer. A booking lasts at most 24 hours and its blocked range at most
48 (buffers of at most 12 hours each), so reads can bound their index scans by ``starts_at``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:39:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking invariant (exclusion constraint or triggers) and indexes"

INDEXES = [
    "CREATE INDEX booking_zone_starts ON booking (zone, starts_at)",
    "CREATE INDEX booking_holder_starts ON booking (holder, starts_at)",
    "CREATE INDEX booking_series ON booking (series)",
    "CREATE INDEX booking_pending ON booking (starts_at) WHERE status = 'pending'",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE booking ADD CONSTRAINT booking_times_valid CHECK (
        ends_at > starts_at AND blocked_from <= starts_at AND blocked_until >= ends_at
        AND ends_at - starts_at <= interval '24 hours' AND blocked_until - blocked_from <= interval '48 hours')""",
    "ALTER TABLE booking ADD CONSTRAINT booking_status_known CHECK (status IN ('pending', 'confirmed', 'declined', 'cancelled'))",
    """ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist
        (zone WITH =, tstzrange(blocked_from, blocked_until) WITH &&) WHERE (status IN ('pending', 'confirmed'))""",
]

# SQLite keeps timestamps as text 'YYYY-MM-DD HH:MM:SS+00:00' (UTC, whole seconds), which sort as instants.
_SQLITE_CLASH = """
    SELECT RAISE(ABORT, 'booking_no_overlap') WHERE EXISTS (
        SELECT 1 FROM booking AS other
        WHERE other.zone = NEW.zone AND other.id IS NOT NEW.id AND other.status IN ('pending', 'confirmed')
          AND other.starts_at > strftime('%Y-%m-%d %H:%M:%S+00:00', NEW.blocked_from, '-36 hours')
          AND other.starts_at < strftime('%Y-%m-%d %H:%M:%S+00:00', NEW.blocked_until, '+12 hours')
          AND other.blocked_from < NEW.blocked_until AND other.blocked_until > NEW.blocked_from);
"""
_SQLITE_VALID = """
    SELECT RAISE(ABORT, 'booking_times_valid') WHERE NOT (
        NEW.ends_at > NEW.starts_at AND NEW.blocked_from <= NEW.starts_at AND NEW.blocked_until >= NEW.ends_at
        AND julianday(NEW.ends_at) - julianday(NEW.starts_at) <= 1.0
        AND julianday(NEW.blocked_until) - julianday(NEW.blocked_from) <= 2.0);
    SELECT RAISE(ABORT, 'booking_status_known') WHERE NEW.status NOT IN ('pending', 'confirmed', 'declined', 'cancelled');
"""
SQLITE = [
    f"CREATE TRIGGER booking_valid_insert BEFORE INSERT ON booking BEGIN {_SQLITE_VALID} END",
    f"CREATE TRIGGER booking_valid_update BEFORE UPDATE ON booking BEGIN {_SQLITE_VALID} END",
    f"CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking WHEN NEW.status IN ('pending', 'confirmed') BEGIN {_SQLITE_CLASH} END",
    "CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF zone, blocked_from, blocked_until, status ON booking"
    f" WHEN NEW.status IN ('pending', 'confirmed') BEGIN {_SQLITE_CLASH} END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES + (POSTGRES if engine.engine_type == "postgres" else SQLITE):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
