"""A local fake of the Telegram Bot API for the tests: ``POST /bot<token>/<method>`` with a JSON body, answers
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …, "description": …, "parameters": {…}}`` as
the real one does. It implements getMe, getUpdates (long polling, ``offset`` confirms) and sendMessage, runs in a
thread of its own (so a server process under test and the test's own event loop can both use it) on 127.0.0.1.

    with FakeBotApi() as api:            # LIBSPACE_TELEGRAM_API=api.url, LIBSPACE_TELEGRAM_TOKEN=api.token
        api.user_sends(42, "/start code")    # an update the bot will receive
        api.fail("sendMessage", 429, retry_after=7)   # the next sendMessage answers this (then normal again)
        api.blocked.add(42)                  # the user blocked the bot: sendMessage to 42 answers 403
        api.sent                             # [{"chat_id": 42, "text": …, "reply_markup": …}, …]
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from tests.support import free_port

TOKEN = "123456:TEST-token"
BOT = "libspace_test_bot"


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sent: list[dict[str, Any]] = []
        self.blocked: set[int] = set()
        self.calls: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._failures: list[tuple[str, int, int]] = []  # (method, error code or 0 = drop the connection, retry_after)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._news: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._ready = threading.Event()

    # --- what tests do ----------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {"LIBSPACE_TELEGRAM_API": self.url, "LIBSPACE_TELEGRAM_TOKEN": self.token, "LIBSPACE_TELEGRAM_POLL_SECONDS": "1"}

    def user_sends(self, chat_id: int, text: str, username: str = "anna_reads", language: str = "ru") -> None:
        with self._lock:
            self._updates.append({
                "update_id": self._next_update,
                "message": {
                    "message_id": self._next_update, "date": int(time.time()), "text": text,
                    "chat": {"id": chat_id, "type": "private", "username": username},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Anna", "username": username, "language_code": language},
                },
            })
            self._next_update += 1
        self._loop.call_soon_threadsafe(self._wake)

    def fail(self, method: str, code: int, retry_after: int = 0, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` fail: ``code`` as Telegram's error_code, 0 drops the connection."""
        with self._lock:
            self._failures += [(method, code, retry_after)] * times

    def texts(self, chat_id: int) -> list[str]:
        return [message["text"] for message in self.sent if message["chat_id"] == chat_id]

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:
        """Until ``predicate()`` holds (a server under test sends on its own time); fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"the fake Bot API did not see it in {timeout} s; sent: {self.sent!r}")
            await asyncio.sleep(0.05)

    # --- the server -------------------------------------------------------------------------------------------

    def __enter__(self) -> "FakeBotApi":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _shutdown(self) -> None:
        """Close the listener and end the connections still open (a long poll waiting) inside the loop."""
        self._server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _wake(self) -> None:
        if self._news is not None:
            self._news.set()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._news = asyncio.Event()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            _method, target, _version = head[0].split(" ", 2)
            headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            status, answer = await self._answer(target, json.loads(body or b"{}"))
            if status == 0:  # a server failing mid-batch: the connection ends without an answer
                writer.close()
                return
            data = json.dumps(answer).encode()
            writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(data)) + data)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _error(code: int, description: str, retry_after: int = 0) -> tuple[int, dict]:
        answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after:
            answer["parameters"] = {"retry_after": retry_after}
        return code, answer

    async def _answer(self, target: str, params: dict) -> tuple[int, dict]:
        prefix = f"/bot{self.token}/"
        if not target.startswith(prefix):
            return self._error(401, "Unauthorized")
        method = target[len(prefix):].split("?", 1)[0]
        self.calls.append(method)
        with self._lock:
            failure = next((f for f in self._failures if f[0] == method), None)
            if failure:
                self._failures.remove(failure)
        if failure:
            _name, code, retry_after = failure
            if code == 0:
                return 0, {}
            text = {429: f"Too Many Requests: retry after {retry_after}", 403: "Forbidden: bot was blocked by the user"}.get(code, "Internal Server Error")
            return self._error(code, text, retry_after)
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Библиотеки", "username": BOT}}
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(int(params.get("offset") or 0), float(params.get("timeout") or 0))}
        if method == "sendMessage":
            chat_id = params.get("chat_id")
            if not isinstance(chat_id, int) or not params.get("text"):
                return self._error(400, "Bad Request: chat_id and text are required")
            if chat_id in self.blocked:
                return self._error(403, "Forbidden: bot was blocked by the user")
            with self._lock:
                self.sent.append(params)
                number = len(self.sent)
            return 200, {"ok": True, "result": {"message_id": number, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}, "text": params["text"]}}
        return self._error(404, "Not Found")

    async def _get_updates(self, offset: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:  # as Telegram: asking from an offset confirms every update before it
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            assert self._news is not None
            self._news.clear()
            try:
                await asyncio.wait_for(self._news.wait(), timeout=max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass
