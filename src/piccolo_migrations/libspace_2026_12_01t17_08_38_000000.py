"""Audit log look-ups: one object's history, and a branch's entries newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:08:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log indexes"

STATEMENTS = [
    "CREATE INDEX audit_entry_object ON audit_entry (object_kind, object_id, id)",
    "CREATE INDEX audit_entry_branch_at ON audit_entry (branch_id, at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
