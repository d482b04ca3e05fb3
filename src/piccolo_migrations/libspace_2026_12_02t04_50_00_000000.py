"""A branch's written directions ("how to get there": stops and routes, the entrance, how accessible it is),
shown on its public page beside the map's route link. Existing branches get an empty text."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T04:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Branch directions"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Branch",
        tablename="branch",
        column_name="directions",
        db_column_name="directions",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
