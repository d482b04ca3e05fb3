"""Helpers for the hardening tests: settings changed for one test, and a tiny HTTP server on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import pytest

from src import config


@pytest.fixture
def settings(monkeypatch):
    """``settings(import_allow_hosts=("127.0.0.1",))``: the app reads these settings until the test ends."""
    base = config.load_settings()

    def change(**values):
        changed = dataclasses.replace(base, **values)
        monkeypatch.setattr(config, "load_settings", lambda: changed)
        config.get_settings.cache_clear()
        return changed

    yield change
    config.get_settings.cache_clear()


Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Seen:
    method: str
    path: str
    host: str


@dataclass
class LocalServer:
    """An HTTP/1.1 server on 127.0.0.1 for one test: ``routes`` maps a path to a handler writing the answer."""

    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    server: asyncio.base_events.Server | None = None
    port: int = 0

    async def __aenter__(self) -> "LocalServer":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.server is not None
        self.server.close()
        self.server.close_clients() if hasattr(self.server, "close_clients") else None
        try:
            await asyncio.wait_for(self.server.wait_closed(), 2)
        except asyncio.TimeoutError:
            pass

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            host = ""
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _sep, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "host":
                    host = value.strip()
            method, path = request_line[0], request_line[1]
            self.seen.append(Seen(method, path, host))
            handler = self.routes.get(path.split("?")[0]) or _status(404)
            await handler(writer)
        except (ConnectionError, asyncio.CancelledError, IndexError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the peer may be gone
                pass


def _status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        head = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
        writer.write(f"HTTP/1.1 {code} X\r\n".encode() + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode() + b"\r\n" + body)
        await writer.drain()

    return handler


def answer(body: bytes, content_type: str = "text/calendar") -> Handler:
    return _status(200, body, {"Content-Type": content_type})


def redirect(location: str, code: int = 302) -> Handler:
    return _status(code, b"", {"Location": location})


def chunked(total: int, chunk: int = 64 * 1024) -> Handler:
    """``total`` bytes without a Content-Length."""

    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        sent = 0
        while sent < total:
            size = min(chunk, total - sent)
            writer.write(f"{size:x}\r\n".encode() + b"A" * size + b"\r\n")
            sent += size
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return handler


def trickle(every: float = 5.0, limit: float = 60.0) -> Handler:
    """One byte of body every ``every`` seconds (a slow server), for at most ``limit`` seconds."""

    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n")
        await writer.drain()
        waited = 0.0
        while waited < limit:
            writer.write(b"B")
            await writer.drain()
            await asyncio.sleep(every)
            waited += every

    return handler
