"""After the columns and tables exist (Piccolo runs a migration's raw steps before its own columns): the desk's
case-folded names of existing cards, and one family link per guardian and child (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T20:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search names of existing cards; one family link per pair"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString("SELECT reader_card.id AS id, account.full_name AS name FROM reader_card JOIN account ON account.id = reader_card.account")
        )
        for row in rows:
            key = " ".join((row["name"] or "").casefold().replace("ё", "е").split())
            await engine.run_querystring(QueryString("UPDATE reader_card SET search_name = {} WHERE id = {}", key, row["id"]))
        await engine.run_ddl("CREATE UNIQUE INDEX guardianship_pair_key ON guardianship (guardian, child)")

    manager.add_raw(run)
    return manager
