"""The database bumps the revision ``principals`` (src/accounts/principals.py) on every change that could alter
or end the principal behind a session or token, whoever writes it: a token deleted or changed, an account's
role, name, e-mail, language, auth version or activity, staff branches, reader cards, teachers. Each worker
keeps principals cached and re-reads the revision at most once a second (src/cache.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from src.db import is_postgres

ID = "2026-12-01T23:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Triggers bump the principals revision"

BUMP = "INSERT INTO revision (name, value) VALUES ('principals', 1) ON CONFLICT (name) DO UPDATE SET value = revision.value + 1"
ACCOUNT_COLUMNS = "role, full_name, email, language, auth_version, is_active"
# (table, events as SQLite writes them: one trigger each)
EVENTS = [
    ("api_token", ["UPDATE", "DELETE"]),
    ("account", [f"UPDATE OF {ACCOUNT_COLUMNS}", "DELETE"]),
    ("staff_branch", ["INSERT", "UPDATE", "DELETE"]),
    ("reader_card", ["INSERT", "UPDATE", "DELETE"]),
    ("teacher", ["INSERT", "UPDATE", "DELETE"]),
]


def _name(table: str, event: str) -> str:
    return f"principals_{table}_{event.split()[0].lower()}"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        if is_postgres(engine):
            await engine.run_ddl(
                "CREATE OR REPLACE FUNCTION libspace_bump_principals() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {BUMP}; RETURN NULL; END $$"
            )
            for table, events in EVENTS:
                await engine.run_ddl(
                    f"CREATE TRIGGER principals_{table} AFTER {' OR '.join(events)} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION libspace_bump_principals()"
                )
        else:
            for table, events in EVENTS:
                for event in events:
                    await engine.run_ddl(f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} BEGIN {BUMP}; END")

    async def drop():
        engine = engine_finder()
        if is_postgres(engine):
            for table, _events in EVENTS:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS principals_{table} ON {table}")
            await engine.run_ddl("DROP FUNCTION IF EXISTS libspace_bump_principals()")
        else:
            for table, events in EVENTS:
                for event in events:
                    await engine.run_ddl(f"DROP TRIGGER IF EXISTS {_name(table, event)}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
