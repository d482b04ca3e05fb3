"""Real parts for tests: `libspace` commands and servers as subprocesses (on the test database and the test's
clock), and headless Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest

from tests.timetravel import subprocess_env

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LIBSPACE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def libspace_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a `libspace` subprocess: the test database, the test's clock, and ``env``."""
    return {**os.environ, **subprocess_env(), **(env or {})}


def libspace(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a `libspace` command as a user does (on the test database and the test's clock); wait for it."""
    return subprocess.run([sys.executable, "-m", "src.cli", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, env=libspace_env(env), timeout=timeout)


def start_libspace(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a long-running `libspace` command (a worker) in its own process group; the caller stops it."""
    return subprocess.Popen([sys.executable, "-m", "src.cli", *args], cwd=ROOT, env=libspace_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def running_server(workers: int = 1, timeout: float = 30.0, env: dict[str, str] | None = None) -> AsyncIterator[str]:
    """Start `libspace serve` against the test database, on the test's clock; yield its base URL; stop it."""
    port = free_port()
    process = start_libspace("serve", "--port", str(port), "--workers", str(workers), env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early: {process.stderr.read().decode(errors='replace')[-2000:]}")
                try:
                    if (await client.get(f"{base_url}/healthz", timeout=1)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError("server did not start in time")
                await asyncio.sleep(0.1)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def browser_available() -> str | None:
    """None when browser tests can run, else the reason they cannot."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def skip_unless_required(reason: str, what: str = "browser tests") -> None:
    """Skip for ``reason``, or fail where the tools are required (CI sets ``LIBSPACE_REQUIRE_BROWSER=1``)."""
    if os.environ.get("LIBSPACE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} are required here (LIBSPACE_REQUIRE_BROWSER=1): {reason}")
    pytest.skip(reason)


def require_browser() -> None:
    reason = browser_available()
    if reason:
        skip_unless_required(reason)


@asynccontextmanager
async def browser_page(viewport: dict | None = None, locale: str = "ru-RU"):
    """A fresh headless Chromium page (phone-sized viewport when asked)."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = await browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale=locale)
            page = await context.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            await browser.close()
