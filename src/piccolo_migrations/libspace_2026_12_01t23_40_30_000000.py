"""After the tables exist (Piccolo runs a migration's raw steps before its own columns): one choice per person,
category and channel (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T23:40:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one message preference per account, category and channel"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX message_preference_choice_key ON message_preference (account, category, channel)"
        )

    manager.add_raw(run)
    return manager
