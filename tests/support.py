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
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

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
    # `libspace demo` without its past year (a minute of writes); tests/test_demo_history.py covers that
    return {**os.environ, "LIBSPACE_DEMO_HISTORY": "off", **subprocess_env(), **(env or {})}


def libspace(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a `libspace` command as a user does (on the test database and the test's clock); wait for it."""
    return subprocess.run([sys.executable, "-m", "src.cli", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, env=libspace_env(env), timeout=timeout)


def start_libspace(*args: str, env: dict[str, str] | None = None, stderr: Any = subprocess.PIPE) -> subprocess.Popen:
    """Start a long-running `libspace` command (a worker) in its own process group; the caller stops it."""
    return subprocess.Popen([sys.executable, "-m", "src.cli", *args], cwd=ROOT, env=libspace_env(env), stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def running_server(
    workers: int = 1, timeout: float = 120.0, env: dict[str, str] | None = None, log_path: Path | None = None, port: int | None = None
) -> AsyncIterator[str]:
    """Start `libspace serve` against the test database, on the test's clock; yield its base URL; stop it.

    Its log (a line per request) goes to ``log_path``, or to a temporary file: never to a pipe nobody reads,
    which would block the server once full."""
    port = port or free_port()
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()
    process = start_libspace("serve", "--port", str(port), "--workers", str(workers), env=env, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server exited early: {log.read().decode(errors='replace')[-2000:]}")
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
        log.close()


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


# --- the frame: header links are in a menu on phones and in the account menu on wide screens ------------------


async def header_click(page, name: str, role: str = "link") -> None:
    """Click a link (or the log-out button) of the header the way a person does: directly when it is shown,
    else after opening the menu (phones) or the account menu (wide screens) that holds it."""
    header = page.locator("header.top")
    shown = header.get_by_role(role, name=name, exact=True)
    for index in range(await shown.count()):
        if await shown.nth(index).is_visible():
            await shown.nth(index).click()
            return
    for dropdown in ("details.menu", "details.account"):
        holder = header.locator(dropdown)
        if await holder.count() and await holder.locator("summary").is_visible():
            target = holder.get_by_role(role, name=name, exact=True, include_hidden=True)
            if await target.count():
                if not await holder.evaluate("details => details.open"):
                    await holder.locator("summary").click()
                await target.first.click()
                return
    raise AssertionError(f"no {role} named {name!r} in the header")


async def log_out(page) -> None:
    await header_click(page, "Выйти", role="button")
    await page.wait_for_load_state()


# --- axe-core (tests/js, from the npm registry; `make install` runs npm ci) ------------------------------------
AXE_JS = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"


def require_axe() -> None:
    require_browser()
    if not AXE_JS.exists():
        skip_unless_required(f"axe-core is not installed ({AXE_JS}); run `make install` (npm ci in tests/js)", "accessibility tests")


async def axe_problems(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core in the page (WCAG 2.1 A and AA rules and best practices); the violations of the given
    impacts, one line each: rule, impact, and the first few offending elements."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE_JS))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in result if v["impact"] in impacts]


async def scrolls_sideways(page) -> bool:
    return await page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


@asynccontextmanager
async def chromium():
    """One headless Chromium for a whole module (pages come from ``new_page``): browser tests stay quick."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def new_page(browser, viewport: dict | None = None, locale: str = "ru-RU", javascript: bool = True, cookies: list[dict] | None = None):
    """A fresh context (own cookies) and page in a shared browser."""
    context = await browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale=locale, java_script_enabled=javascript)
    if cookies:
        await context.add_cookies(cookies)
    try:
        page = await context.new_page()
        page.set_default_timeout(15000)
        yield page
    finally:
        await context.close()


async def log_in_page(page, base_url: str, login: str, password: str = "libspace-demo") -> None:
    """Log in through the form (the form is the same on every screen)."""
    await page.goto(f"{base_url}/login")
    await page.locator("#f-login").fill(login)
    await page.locator("#f-password").fill(password)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_load_state()


HEADER_TARGETS = "header a, header button, header summary, .vision-bar a, .vision-bar summary"
# every action of a page (issue 16: at least 44x44 px on phones): buttons, submit inputs, links styled as buttons
# or chips (free slots, timeline items), the header's tools and language switch, menus, and the links of navigation
# bars; links inside running text are
# exempt (WCAG 2.5.8), so a plain <a> counts only in the header, the settings bar and those bars
ACTION_TARGETS = (
    HEADER_TARGETS + ", button, input[type=submit], input[type=button], input[type=reset], input[type=image], summary, [role=button],"
    " a.button, a.tool, a.vi-choice, a.tag, a.slot-free, a.tl-item, a.month-event, .subnav a, .week-nav a, .month-nav a, .pager a"
)
_SMALL_JS = """selector => {
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || !el.checkVisibility({visibilityProperty: true})) continue;  // not shown at this width, or in a closed menu
    const r = el.getBoundingClientRect();
    if (r.right <= 0 || r.bottom <= 0) continue;  // moved off the screen until focused (the skip link)
    if (r.width < 44 || r.height < 44) {
      const name = (el.textContent.trim() || el.getAttribute('aria-label') || el.value || '').replace(/\\s+/g, ' ').slice(0, 40);
      small.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''} «${name}» ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""
SMALL_TARGETS_JS = f"() => ({_SMALL_JS})({HEADER_TARGETS!r})"  # the header and the settings bar only


async def small_targets(page, selector: str = ACTION_TARGETS) -> list[str]:
    """The visible actions (``selector``) smaller than 44x44 CSS px, one line each: element, name, size."""
    return await page.evaluate(_SMALL_JS, selector)
