"""Indexes and uniqueness that the column definitions cannot express (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique and lookup indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX staff_branch_account_branch_key ON staff_branch (account, branch)",
    "CREATE INDEX login_attempt_key_at ON login_attempt (key, at)",
    "CREATE INDEX weekly_hours_branch_weekday ON weekly_hours (branch, weekday)",
    "CREATE INDEX date_hours_branch_on ON date_hours (branch, \"on\")",
    "CREATE INDEX closure_branch_dates ON closure (branch, starts_on, ends_on)",
    "CREATE UNIQUE INDEX zone_feature_zone_feature_key ON zone_feature (zone, feature)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
