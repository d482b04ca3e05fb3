"""Where messages go: an SMTP server (stdlib smtplib, run in a thread) or ``.eml`` files for development."""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from src.notifications.settings import MailSettings, SmtpTarget


class SendError(Exception):
    """``permanent``: this message will never go (a refused address); otherwise try again later."""

    def __init__(self, text: str, permanent: bool) -> None:
        super().__init__(text)
        self.permanent = permanent


class Transport:
    async def send(self, message: EmailMessage, name: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class SmtpTransport(Transport):
    """One connection reused across a batch; reconnects once if the server dropped it."""

    def __init__(self, target: SmtpTarget, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.target.cafile or None)

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        if target.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=self._tls())
        else:
            connection = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
            if target.security == "starttls":
                connection.starttls(context=self._tls())
        if target.user:
            connection.login(target.user, target.password)
        return connection

    def _send_blocking(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            try:
                if self._connection is None:
                    self._connection = self._connect()
                self._connection.send_message(message)
                return
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                if attempt == 2:
                    raise SendError(f"server disconnected: {error}", permanent=False)
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _text in error.recipients.values()]
                raise SendError(f"address refused: {error.recipients}", permanent=all(500 <= code < 600 for code in codes))
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                raise SendError(f"refused: {error.smtp_code} {error.smtp_error!r}", permanent=500 <= error.smtp_code < 600)
            except smtplib.SMTPResponseException as error:
                self._drop()
                raise SendError(f"SMTP {error.smtp_code} {error.smtp_error!r}", permanent=False)
            except (OSError, smtplib.SMTPException) as error:
                self._drop()
                raise SendError(f"cannot reach the SMTP server {self.target.host}:{self.target.port}: {error}", permanent=False)

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
        self._connection = None

    async def send(self, message: EmailMessage, name: str) -> None:
        await asyncio.to_thread(self._send_blocking, message)

    def _quit(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except Exception:  # noqa: BLE001
                pass
        self._drop()

    async def close(self) -> None:
        await asyncio.to_thread(self._quit)


class EmlTransport(Transport):
    """Messages as files, ``<outbox id>-<hash>.eml``; a resend overwrites its own file, never adds one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _write(self, message: EmailMessage, name: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, path)

    async def send(self, message: EmailMessage, name: str) -> None:
        await asyncio.to_thread(self._write, message, name)


def make_transport(settings: MailSettings) -> Transport:
    if settings.smtp is not None:
        return SmtpTransport(settings.smtp, settings.smtp_timeout_seconds)
    return EmlTransport(settings.outbox_dir)
