"""Mail and worker settings, read once from ``LIBSPACE_*`` environment variables.

``LIBSPACE_SMTP_URL``: ``smtp://[user:password@]host[:port]`` (plain, 25), ``smtp+starttls://…`` (587),
``smtps://…`` (implicit TLS, 465); ``?from=address`` sets the sender; ``LIBSPACE_SMTP_CAFILE`` names a CA to
trust for a server with a private certificate. Without it, messages are written as
``.eml`` files under ``LIBSPACE_OUTBOX_DIR`` (default ``var/outbox/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from src.config import VAR_DIR, get_settings


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"LIBSPACE_{name}", default)


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    user: str = ""
    password: str = ""
    cafile: str = ""  # LIBSPACE_SMTP_CAFILE: trust this CA instead of the system's (a private mail server)


@dataclass(frozen=True, slots=True)
class MailSettings:
    smtp: SmtpTarget | None
    mail_from: str
    outbox_dir: Path
    worker_enabled: bool  # run the worker inside `libspace serve`
    poll_seconds: float
    lease_seconds: float  # a claimed message is someone's for this long; then another worker may take it
    batch_size: int
    max_attempts: int
    backoff_seconds: float  # first retry after this; doubles up to backoff_max_seconds
    backoff_max_seconds: float
    smtp_timeout_seconds: float


def parse_smtp_url(url: str) -> tuple[SmtpTarget, str]:
    """The SMTP target and the ``from`` of the query (empty when not given)."""
    parts = urlsplit(url)
    schemes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"LIBSPACE_SMTP_URL must be smtp://, smtp+starttls:// or smtps://host[:port]: {url!r}")
    security, default_port = schemes[parts.scheme]
    target = SmtpTarget(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        cafile=_env("SMTP_CAFILE"),
    )
    return target, parse_qs(parts.query).get("from", [""])[0]


def load_mail_settings() -> MailSettings:
    smtp, mail_from = (None, "")
    if get_settings().smtp_url:
        smtp, mail_from = parse_smtp_url(get_settings().smtp_url)
    host = urlsplit(get_settings().base_url).hostname or "localhost"
    return MailSettings(
        smtp=smtp,
        mail_from=_env("MAIL_FROM") or mail_from or f"noreply@{host if '.' in host else 'libspace.local'}",
        outbox_dir=Path(_env("OUTBOX_DIR") or VAR_DIR / "outbox"),
        worker_enabled=_env("WORKER", "on") != "off",
        poll_seconds=float(_env("WORKER_POLL_SECONDS", "2")),
        lease_seconds=float(_env("WORKER_LEASE_SECONDS", "120")),
        batch_size=int(_env("WORKER_BATCH", "50")),
        max_attempts=int(_env("MAIL_MAX_ATTEMPTS", "8")),
        backoff_seconds=float(_env("MAIL_BACKOFF_SECONDS", "60")),
        backoff_max_seconds=float(_env("MAIL_BACKOFF_MAX_SECONDS", "21600")),
        smtp_timeout_seconds=float(_env("SMTP_TIMEOUT_SECONDS", "20")),
    )


@lru_cache(maxsize=1)
def get_mail_settings() -> MailSettings:
    return load_mail_settings()
