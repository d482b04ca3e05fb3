"""One Piccolo app for the whole schema.

Domain tables live in ``src/<domain>/tables.py``; their foreign keys cross domains (a reader card names its
home branch, a booking names its holder), so their migrations are one ordered history in
``src/piccolo_migrations/`` rather than per-domain histories that would depend on each other in a circle.
"""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

TABLE_MODULES = [
    "src.tables",
    "src.branches.tables",
    "src.rooms.tables",
    "src.accounts.tables",
    "src.events.tables",
    "src.notifications.tables",
    "src.schools.tables",
    "src.calendars.tables",
    "src.guidance.tables",
    "src.audit.tables",
    "src.ops.tables",
]

APP_CONFIG = AppConfig(
    app_name="libspace",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
