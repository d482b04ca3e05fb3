"""The migrations, run on an empty database of this run's engine, build exactly what tables.py declares."""

from src.piccolo_app import APP_CONFIG
from tests.conftest import ENGINE


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


async def test_no_migration_is_pending(database):
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    rows = await CheckMigrationManager(app_name="all").get_migration_statuses()
    assert rows and all(row.has_ran for row in rows)


async def test_migration_history_matches_tables_py(database):
    """Piccolo's own auto-migration differ finds nothing left to migrate: types, nullability, uniqueness included."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=APP_CONFIG)
    pending = [statement for group in statements for statement in group.statements]
    assert pending == [], "tables.py differs from the migrations; add a migration:\n" + "\n".join(pending)
