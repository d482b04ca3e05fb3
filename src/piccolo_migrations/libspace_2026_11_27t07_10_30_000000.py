"""Career guidance: no double-booking of a counsellor or a reader, kept by the database; lookup indexes.

PostgreSQL: exclusion constraints (btree_gist) over the counsellor, and over the reader, with the time range
of every booked consultation. SQLite: unique indexes on (counsellor, starts_at) and (reader, starts_at) for
booked rows, and triggers that refuse overlapping booked rows (a consultation lasts at most two hours, so the
triggers bound their index scans by ``starts_at``). The service checks first under a lock and answers 409;
these are the final guard for any writer.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-11-27T07:10:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "consultation invariants and guidance indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX consultation_counsellor_slot_key ON consultation (counsellor, starts_at) WHERE status = 'booked'",
    "CREATE UNIQUE INDEX consultation_reader_slot_key ON consultation (reader, starts_at) WHERE status = 'booked'",
    "CREATE INDEX consultation_counsellor_starts ON consultation (counsellor, starts_at)",
    "CREATE INDEX consultation_reader_starts ON consultation (reader, starts_at)",
    "CREATE INDEX consultation_branch_starts ON consultation (branch, starts_at)",
    "CREATE INDEX survey_response_reader_created ON survey_response (reader, created_at)",
    "CREATE INDEX availability_exception_counsellor_on ON availability_exception (counsellor, \"on\")",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE consultation ADD CONSTRAINT consultation_times_valid CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '2 hours')",
    "ALTER TABLE consultation ADD CONSTRAINT consultation_status_known CHECK (status IN ('booked', 'cancelled'))",
    """ALTER TABLE consultation ADD CONSTRAINT consultation_counsellor_no_overlap EXCLUDE USING gist
        (counsellor WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')""",
    """ALTER TABLE consultation ADD CONSTRAINT consultation_reader_no_overlap EXCLUDE USING gist
        (reader WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')""",
    "ALTER TABLE counsellor_availability ADD CONSTRAINT counsellor_availability_valid CHECK (ends > starts AND slot_minutes IN (30, 45, 60) AND buffer_minutes BETWEEN 0 AND 60 AND weekday BETWEEN 0 AND 6)",
]

# SQLite keeps timestamps as text 'YYYY-MM-DD HH:MM:SS+00:00' (UTC; consultations start on whole minutes).
_CLASH = """
    SELECT RAISE(ABORT, 'consultation_{who}_no_overlap') WHERE EXISTS (
        SELECT 1 FROM consultation AS other
        WHERE other.{who} = NEW.{who} AND other.id IS NOT NEW.id AND other.status = 'booked'
          AND other.starts_at > strftime('%Y-%m-%d %H:%M:%S+00:00', NEW.starts_at, '-2 hours')
          AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at);
"""
_VALID = """
    SELECT RAISE(ABORT, 'consultation_times_valid') WHERE NOT (
        NEW.ends_at > NEW.starts_at AND julianday(NEW.ends_at) - julianday(NEW.starts_at) <= 2.0 / 24);
    SELECT RAISE(ABORT, 'consultation_status_known') WHERE NEW.status NOT IN ('booked', 'cancelled');
"""
SQLITE = [
    f"CREATE TRIGGER consultation_valid_insert BEFORE INSERT ON consultation BEGIN {_VALID} END",
    f"CREATE TRIGGER consultation_valid_update BEFORE UPDATE OF starts_at, ends_at, status ON consultation BEGIN {_VALID} END",
] + [
    f"CREATE TRIGGER consultation_{who}_overlap_{action.lower().split()[0]} BEFORE {action} ON consultation"
    f" WHEN NEW.status = 'booked' BEGIN {_CLASH.format(who=who)} END"
    for who in ("counsellor", "reader")
    for action in ("INSERT", f"UPDATE OF {who}, starts_at, ends_at, status")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS + (POSTGRES if is_postgres(engine) else SQLITE):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
