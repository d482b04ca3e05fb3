"""Piccolo's configuration: the engine comes from ``LIBSPACE_DATABASE_URL``."""

from piccolo.conf.apps import AppRegistry

from src.config import get_settings
from src.db import make_engine

DB = make_engine(get_settings().database_url, sqlite_pool=get_settings().sqlite_pool)

APP_REGISTRY = AppRegistry(apps=["src.piccolo_app"])
