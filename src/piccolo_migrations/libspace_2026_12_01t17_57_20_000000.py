from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-01T17:57:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "worker heartbeat; index of unsent outbox rows (worker claims, /metrics backlog)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="libspace", description=DESCRIPTION
    )

    manager.add_table(
        class_name="WorkerBeat",
        tablename="worker_beat",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="WorkerBeat",
        tablename="worker_beat",
        column_name="worker",
        db_column_name="worker",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="WorkerBeat",
        tablename="worker_beat",
        column_name="started_at",
        db_column_name="started_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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

    manager.add_column(
        table_class_name="WorkerBeat",
        tablename="worker_beat",
        column_name="beat_at",
        db_column_name="beat_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def unsent_index():
        await engine_finder().run_ddl(
            "CREATE INDEX outbox_unsent_created ON outbox (created_at) WHERE sent_at IS NULL AND failed_at IS NULL"
        )

    manager.add_raw(unsent_index)
    return manager
