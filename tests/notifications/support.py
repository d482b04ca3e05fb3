"""A real SMTP server (aiosmtpd) for the worker tests, and rows to send."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from piccolo.engine import engine_finder

from src.accounts.tables import Account
from src.db import write_transaction
from src.notifications import service as notifications
from src.notifications.settings import SmtpTarget, get_mail_settings
from tests.support import free_port

UTC = timezone.utc


@dataclass
class Received:
    rcpt: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class Handler:
    """Records what it accepts; refuses some addresses (550), fails the first N messages (451), can kill a pid."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_first: int = 0
    kill_pid_at: tuple[int, int] | None = None  # (pid, n): SIGKILL pid once message n has arrived, before answering
    seen: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.seen += 1
        if self.seen <= self.fail_first:
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        if self.kill_pid_at and len(self.received) == self.kill_pid_at[1]:
            os.kill(self.kill_pid_at[0], signal.SIGKILL)  # the server has it; the worker never hears "250"
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self, **changes):
        base = replace(get_mail_settings(), smtp=SmtpTarget("127.0.0.1", self.port, "plain"), mail_from="noreply@libspace.example",
                       backoff_seconds=60, backoff_max_seconds=3600, max_attempts=5, lease_seconds=120, batch_size=50)
        return replace(base, **changes)

    @property
    def received(self) -> list[Received]:
        return self.handler.received


async def account(email: str | None, language: str = "", name: str = "Анна Читатель") -> int:
    now = datetime.now(UTC)
    rows = await Account.insert(Account(role="reader", email=email, full_name=name, language=language, created_at=now, updated_at=now)).returning(Account.id)
    return rows[0]["id"]


async def enqueue(kind: str, recipients: list[int], payload: dict, cause: str, subject: str = "Notice %(n)s") -> int:
    async with write_transaction(engine_finder()):
        return await notifications.enqueue(kind, recipients, subject, payload, cause=cause, subject_vars={"n": cause})


async def an_event(branch_slug: str = "chekhov", starts_at: datetime | None = None, title: str = "Краеведческая лекция") -> int:
    from src.branches.tables import Branch
    from src.events.tables import Event

    branch = await Branch.select(Branch.id).where(Branch.slug == branch_slug).first()
    starts_at = starts_at or datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
    now = datetime.now(UTC) - timedelta(hours=1)
    rows = await Event.insert(
        Event(branch=branch["id"], title=title, category="lecture", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), created_at=now, updated_at=now)
    ).returning(Event.id)
    return rows[0]["id"]
