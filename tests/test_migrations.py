"""The migrations, run on an empty database of this run's engine, build exactly what tables.py declares, and
all of them go backwards to an empty schema and forwards again."""

import os
import sqlite3
import subprocess
import sys

from src.piccolo_app import APP_CONFIG
from tests.conftest import ENGINE, PG_ADMIN_URL, PG_NAME, ROOT, _pg_admin


async def test_every_table_and_column_exists(database):
    for table in APP_CONFIG.table_classes:
        name = table._meta.tablename
        if ENGINE == "postgres":
            rows = await table.raw("SELECT column_name AS name FROM information_schema.columns WHERE table_name = {}", name)
        else:
            rows = await table.raw(f'SELECT name FROM pragma_table_info("{name}")')
        in_database = {row["name"] for row in rows}
        declared = {column._meta.db_column_name for column in table._meta.columns}
        assert in_database == declared, f"{name}: database {sorted(in_database)} vs tables.py {sorted(declared)}"


def _piccolo(*args: str, url: str) -> str:
    """``piccolo migrations …`` as an operator runs it, on the database at ``url``; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "piccolo.main", "migrations", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "LIBSPACE_DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "command failed" not in output, f"piccolo migrations {' '.join(args)}:\n{output}"
    return output


async def _tables_in(url: str) -> set[str]:
    if ENGINE == "postgres":
        import asyncpg

        connection = await asyncpg.connect(url, timeout=10)
        try:
            rows = await connection.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        finally:
            await connection.close()
        return {row["table_name"] for row in rows}
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def test_every_migration_goes_backwards_to_empty_and_forwards_again(tmp_path):
    """On a database of its own: all migrations forwards, all backwards (only Piccolo's bookkeeping table is
    left, with no rows), all forwards again: the tables are exactly those tables.py declares."""
    if ENGINE == "postgres":
        name = f"{PG_NAME}_round_trip"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'round-trip.sqlite'}"
    declared = {table._meta.tablename for table in APP_CONFIG.table_classes}
    migrations = len(list((ROOT / "src" / "piccolo_migrations").glob("libspace_*.py")))
    try:
        first = _piccolo("forwards", "libspace", url=url)
        assert first.count("[forwards]... ok!") == migrations and await _tables_in(url) == declared | {"migration"}
        back = _piccolo("backwards", "libspace", "--migration_id=all", "--auto_agree=True", url=url)
        assert back.count("[backwards]... ok!") == migrations
        assert await _tables_in(url) == {"migration"}
        again = _piccolo("forwards", "libspace", url=url)
        assert again.count("[forwards]... ok!") == migrations and await _tables_in(url) == declared | {"migration"}
    finally:
        if ENGINE == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migration_history_matches_tables_py(database):
    """Piccolo's own auto-migration differ finds nothing left to migrate: types, nullability, uniqueness included."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=APP_CONFIG)
    pending = [statement for group in statements for statement in group.statements]
    assert pending == [], "tables.py differs from the migrations; add a migration:\n" + "\n".join(pending)
