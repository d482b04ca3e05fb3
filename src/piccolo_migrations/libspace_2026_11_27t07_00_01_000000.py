"""The notification worker's columns on the outbox, and readers' reminder settings.

Written by hand (Piccolo's auto migration cannot parse the lazy foreign keys of the booking table); the
migration test compares the result with tables.py on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-27T07:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "notification worker columns and reminder settings"


class Account(Table, tablename="account", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


def _params(**overrides) -> dict:
    params = {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
              "choices": None, "db_column_name": None, "secret": False}
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="libspace", description=DESCRIPTION)

    for name in ("next_attempt_at", "lease_until", "failed_at"):
        manager.add_column(table_class_name="Outbox", tablename="outbox", column_name=name, db_column_name=name,
                           column_class_name="Timestamptz", column_class=Timestamptz, params=_params(default=None, null=True), schema=None)

    manager.add_table(class_name="ReminderSetting", tablename="reminder_setting", schema=None, columns=None)
    columns = [
        ("account", ForeignKey, _params(references=Account, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None, null=True, unique=True)),
        ("hours", Varchar, _params(length=40, default="24,2")),
        ("enabled", Boolean, _params(default=True)),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ]
    for name, column_class, params in columns:
        manager.add_column(table_class_name="ReminderSetting", tablename="reminder_setting", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None)
    return manager
