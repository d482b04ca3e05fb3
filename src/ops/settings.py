"""Operations settings, read once from ``LIBSPACE_*`` environment variables (see the README)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from src.config import VAR_DIR

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("auto", "json", "text")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingError(ValueError):
    """A setting that cannot be used; raised at start, so the process never runs half-configured."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"LIBSPACE_{name}", default).strip()


def _seconds(name: str, default: float, low: float = 0.1, high: float = 86_400.0) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"LIBSPACE_{name} must be a number of seconds: {raw!r}") from None
    if not low <= value <= high:
        raise SettingError(f"LIBSPACE_{name} must lie between {low:g} and {high:g} seconds: {raw!r}")
    return value


def _days(name: str, default: int) -> int:
    raw = _env(name, str(default))
    if not raw.isdigit() or int(raw) > 36_500:
        raise SettingError(f"LIBSPACE_{name} must be a whole number of days from 0 (keep forever) to 36500: {raw!r}")
    return int(raw)


def parse_networks(raw: str, name: str = "METRICS_ALLOW") -> tuple[Network, ...]:
    """``"127.0.0.1, ::1, 10.0.0.0/8"`` → networks (a bare address is a network of one)."""
    networks = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError(f"LIBSPACE_{name}: {part!r} is not an address or a network (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class OpsSettings:
    log_level: str
    log_format: str  # "json", "text", or "auto": text in a terminal, JSON otherwise
    metrics_token: str  # "Authorization: Bearer <token>" opens /metrics from anywhere
    metrics_allow: tuple[Network, ...]  # client addresses that may read /metrics without the token
    metrics_dir: Path  # prometheus multi-process files of `libspace serve` and `libspace worker`
    health_timeout_seconds: float  # /healthz and /readyz give up on the database after this
    worker_stale_seconds: float  # /readyz: the notification worker must have completed a pass within this
    retention: "Retention"


@dataclass(frozen=True, slots=True)
class Retention:
    """How many days the worker keeps things before pruning them; 0 keeps them forever."""

    cancelled_days: int  # cancelled or declined bookings, sign-ups, consultations, visits, events: after their time
    sent_messages_days: int  # outbox rows sent or given up
    audit_days: int  # audit log entries
    expired_tokens_days: int  # API tokens and one-time links or codes, after they expired or were used


def load_ops_settings() -> OpsSettings:
    level = _env("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingError(f"LIBSPACE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}: {level!r}")
    log_format = _env("LOG_FORMAT", "auto").lower()
    if log_format not in LOG_FORMATS:
        raise SettingError(f"LIBSPACE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}: {log_format!r}")
    return OpsSettings(
        log_level=level,
        log_format=log_format,
        metrics_token=_env("METRICS_TOKEN"),
        metrics_allow=parse_networks(_env("METRICS_ALLOW", "127.0.0.1,::1")),
        metrics_dir=Path(_env("METRICS_DIR") or VAR_DIR / "metrics"),
        health_timeout_seconds=_seconds("HEALTH_TIMEOUT_SECONDS", 2.0, high=60),
        worker_stale_seconds=_seconds("WORKER_STALE_SECONDS", 120.0, low=1),
        retention=Retention(
            cancelled_days=_days("KEEP_CANCELLED_DAYS", 400),
            sent_messages_days=_days("KEEP_SENT_MESSAGES_DAYS", 90),
            audit_days=_days("KEEP_AUDIT_DAYS", 1095),
            expired_tokens_days=_days("KEEP_EXPIRED_TOKENS_DAYS", 7),
        ),
    )


@lru_cache(maxsize=1)
def get_ops_settings() -> OpsSettings:
    return load_ops_settings()
