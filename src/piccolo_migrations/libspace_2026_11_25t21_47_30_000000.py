"""Indexes and uniqueness for schools and visits that the column definitions cannot express (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:47:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "school visit indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX programme_branch_key ON programme_branch (programme, branch)",
    "CREATE UNIQUE INDEX programme_zone_kind_key ON programme_zone_kind (programme, kind)",
    "CREATE INDEX visit_request_branch_status ON visit_request (branch, status, created_at)",
    "CREATE INDEX visit_request_school_status ON visit_request (school, status, created_at)",
    "CREATE UNIQUE INDEX visit_window_visit_position_key ON visit_window (visit, position)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
