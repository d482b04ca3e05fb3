"""Settings, read once from ``LIBSPACE_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
LANGUAGES = ("ru", "en")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"LIBSPACE_{name}", default)


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in _env(name).split(",") if item.strip())


def _secret_key() -> str:
    """The configured key, else one kept in ``var/secret_key`` so sessions survive restarts."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str
    timezone: str
    base_url: str
    language: str
    smtp_url: str
    debug: bool
    login_attempts: int
    login_window_seconds: int
    token_ttl_days: int
    cache_enabled: bool
    sqlite_pool: bool
    no_show_limit: int
    import_allow_hosts: tuple[str, ...] = ()
    import_deadline_seconds: float = 20.0
    import_max_bytes: int = 5 * 1024 * 1024
    import_concurrency: int = 2
    trusted_proxies: tuple[str, ...] = ()
    registrations_per_hour: int = 20
    db_pool_timeout_seconds: float = 10.0
    db_lock_timeout_seconds: float = 10.0
    db_statement_timeout_seconds: float = 30.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def load_settings() -> Settings:
    language = _env("LANGUAGE", "ru")
    timezone = _env("TIMEZONE", "Asia/Yakutsk")
    ZoneInfo(timezone)  # fail at start, not on the first request
    return Settings(
        database_url=_env("DATABASE_URL", "sqlite:///var/libspace.sqlite"),
        secret_key=_secret_key(),
        timezone=timezone,
        base_url=_env("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        language=language if language in LANGUAGES else "ru",
        smtp_url=_env("SMTP_URL"),
        debug=_env("DEBUG") in ("1", "true", "yes"),
        login_attempts=int(_env("LOGIN_ATTEMPTS", "5")),
        login_window_seconds=int(_env("LOGIN_WINDOW_SECONDS", "900")),
        token_ttl_days=int(_env("TOKEN_TTL_DAYS", "30")),
        cache_enabled=_env("CACHE", "on") != "off",  # off: for benchmarks and debugging only
        sqlite_pool=_env("SQLITE_POOL", "on") != "off",  # off: Piccolo's stock engine, for comparison
        no_show_limit=int(_env("NO_SHOW_LIMIT", "2")),
        import_allow_hosts=_list("IMPORT_ALLOW_HOSTS"),
        import_deadline_seconds=float(_env("IMPORT_DEADLINE_SECONDS", "20")),
        import_max_bytes=int(_env("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))),
        import_concurrency=int(_env("IMPORT_CONCURRENCY", "2")),
        trusted_proxies=_list("TRUSTED_PROXIES"),
        registrations_per_hour=int(_env("REGISTRATIONS_PER_HOUR", "20")),
        db_pool_timeout_seconds=float(_env("DB_POOL_TIMEOUT_SECONDS", "10")),
        db_lock_timeout_seconds=float(_env("DB_LOCK_TIMEOUT_SECONDS", "10")),
        db_statement_timeout_seconds=float(_env("DB_STATEMENT_TIMEOUT_SECONDS", "30")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
