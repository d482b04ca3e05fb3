"""Log-out ends the session on the server; log-in throttling by (address, account); the client address behind
a proxy; registration throttled; password hashing off the event loop (issue 11: items 4, 7, 10)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import pytest

from src.accounts import sessions
from src.accounts.passwords import hash_password_sync, verify_password
from src.accounts.tables import Account
from src.web.client import address_from
from tests.conftest import bearer, post_form
from tests.hardening.support import settings  # noqa: F401 - fixture


@asynccontextmanager
async def client_from(app, address: str, **kwargs):
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", **kwargs) as client:
        yield client


async def _log_in(client, login: str, password: str = "libspace-demo") -> httpx.Response:
    return await post_form(client, "/login", {"login": login, "password": password}, follow_redirects=False)


# --- sessions ---------------------------------------------------------------------------------------------


async def test_log_out_ends_the_session_for_a_copied_cookie_too(app, demo):
    async with client_from(app, "198.51.100.7") as owner, client_from(app, "203.0.113.9") as thief:
        assert (await _log_in(owner, "reader@libspace.local")).status_code == 303
        thief.cookies.update(owner.cookies)
        assert (await thief.get("/me/card")).status_code == 200
        await post_form(owner, "/me/card", {}, action="/logout")
        assert (await owner.get("/me/card", follow_redirects=False)).status_code in (302, 303)
        stolen = await thief.get("/me/card", follow_redirects=False)
        assert stolen.status_code in (302, 303) and "/login" in stolen.headers["location"]


async def test_api_log_out_revokes_its_own_token_only(client, demo):
    first = await bearer(client, "reader@libspace.local")
    second = await bearer(client, "reader@libspace.local")
    assert (await client.post("/api/v1/auth/logout", headers=first)).status_code == 204
    assert (await client.get("/api/v1/me", headers=first)).status_code == 401
    assert (await client.get("/api/v1/me", headers=second)).status_code == 200


async def test_end_sessions_ends_every_session_and_token_of_the_account(app, client, demo):
    token = await bearer(client, "reader@libspace.local")
    other = await bearer(client, "teen@libspace.local")
    async with client_from(app, "198.51.100.7") as browser:
        await _log_in(browser, "reader@libspace.local")
        account = await Account.select(Account.id).where(Account.email == "reader@libspace.local").first()
        await sessions.end_sessions(account["id"])
        assert (await browser.get("/me/card", follow_redirects=False)).status_code in (302, 303)
    assert (await client.get("/api/v1/me", headers=token)).status_code == 401
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200


async def test_changing_the_password_keeps_this_session_and_ends_the_others(app, demo):
    async with client_from(app, "198.51.100.7") as here, client_from(app, "198.51.100.8") as there:
        await _log_in(here, "teen@libspace.local")
        await _log_in(there, "teen@libspace.local")
        changed = await post_form(
            here, "/me/password", {"current_password": "libspace-demo", "new_password": "teen-new-secret", "new_password_repeat": "teen-new-secret"},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert (await here.get("/me/card")).status_code == 200
        assert (await there.get("/me/card", follow_redirects=False)).status_code in (302, 303)


async def test_a_deactivated_account_loses_its_session_at_once(app, demo):
    async with client_from(app, "198.51.100.7") as browser:
        await _log_in(browser, "reader@libspace.local")
        assert (await browser.get("/me/card")).status_code == 200
        await Account.update({Account.is_active: False}).where(Account.email == "reader@libspace.local")
        assert (await browser.get("/me/card", follow_redirects=False)).status_code in (302, 303)


async def test_a_language_switch_by_link_changes_only_the_cookie(app, demo):
    async with client_from(app, "198.51.100.7") as browser:
        await _log_in(browser, "reader@libspace.local")
        assert (await browser.get("/lang/en?next=/", follow_redirects=False)).status_code == 303
        row = await Account.select(Account.language).where(Account.email == "reader@libspace.local").first()
        assert row["language"] != "en"
        page = await browser.get("/")
        assert 'action="/lang/ru"' in page.text  # logged in: the switch is a form with CSRF
        saved = await post_form(browser, "/", {"next": "/branches"}, action="/lang/ru", follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"] == "/branches"
        row = await Account.select(Account.language).where(Account.email == "reader@libspace.local").first()
        assert row["language"] == "ru"


# --- log-in throttling ----------------------------------------------------------------------------------


def test_the_login_is_normalised_to_its_account():
    assert sessions.login_key("2800 0000-0016") == sessions.login_key("280000000016") == sessions.login_key(" 2800-0000-0016 ")
    assert sessions.login_key("Reader@LibSpace.Local ") == sessions.login_key("reader@libspace.local")


async def test_failures_grow_the_wait_for_that_address_and_account_only(app, demo, frozen_clock):
    async with client_from(app, "198.51.100.66") as attacker, client_from(app, "198.51.100.7") as owner:
        for attempt in range(5):  # LIBSPACE_LOGIN_ATTEMPTS=5 in the tests
            login = "READER@libspace.local" if attempt % 2 else "reader@libspace.local"
            answer = await attacker.post("/api/v1/auth/token", json={"login": login, "password": f"guess-{attempt}"})
            assert answer.status_code == 401
        waits = []
        for _round in range(4):
            refused = await attacker.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "libspace-demo"})
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            frozen_clock.advance(seconds=waits[-1])
            assert (await attacker.post("/api/v1/auth/token", json={"login": "Reader@LibSpace.local", "password": "wrong"})).status_code == 401
        assert waits == sorted(waits) and waits[-1] > waits[0]
        assert (await owner.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "libspace-demo"})).status_code == 200
        page = await _log_in(owner, "reader@libspace.local")
        assert page.status_code == 303
        other_account = await attacker.post("/api/v1/auth/token", json={"login": "teen@libspace.local", "password": "libspace-demo"})
        assert other_account.status_code == 200


async def test_one_address_has_a_ceiling_across_accounts(app, demo, frozen_clock):
    async with client_from(app, "198.51.100.99") as sprayer:
        for number in range(5 * sessions.IP_CEILING_FACTOR):
            answer = await sprayer.post("/api/v1/auth/token", json={"login": f"nobody{number}@example.ru", "password": "x"})
            assert answer.status_code == 401, number
        blocked = await sprayer.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "libspace-demo"})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert "Слишком много попыток" in blocked.json()["detail"]


async def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(app, demo, settings, frozen_clock):
    async with client_from(app, "127.0.0.1") as proxy:
        for attempt in range(5):
            spoofed = {"X-Forwarded-For": f"203.0.113.{attempt}"}
            assert (await proxy.post("/api/v1/auth/token", json={"login": "teen@libspace.local", "password": "x"}, headers=spoofed)).status_code == 401
        assert (await proxy.post("/api/v1/auth/token", json={"login": "teen@libspace.local", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.200"})).status_code == 429
    settings(trusted_proxies=("127.0.0.1", "::1"))
    async with client_from(app, "127.0.0.1") as proxy:
        fresh = {"X-Forwarded-For": "203.0.113.200"}
        assert (await proxy.post("/api/v1/auth/token", json={"login": "teen@libspace.local", "password": "libspace-demo"}, headers=fresh)).status_code == 200


def test_the_client_address_behind_proxies():
    assert address_from("10.0.0.5", "203.0.113.1", ()) == "10.0.0.5"
    assert address_from("10.0.0.5", "203.0.113.1", ("10.0.0.0/8",)) == "203.0.113.1"
    assert address_from("10.0.0.5", "1.2.3.4, 203.0.113.1, 10.0.0.9", ("10.0.0.0/8",)) == "203.0.113.1"
    assert address_from("198.51.100.1", "203.0.113.1", ("10.0.0.0/8",)) == "198.51.100.1"
    assert address_from("::ffff:127.0.0.1", "203.0.113.1", ("127.0.0.1",)) == "203.0.113.1"
    assert address_from("127.0.0.1", "not an address", ("127.0.0.1",)) == "127.0.0.1"


async def test_registration_is_throttled_per_address(app, demo, settings):
    settings(registrations_per_hour=3)
    body = {"full_name": "Новый Читатель", "birth_date": "1990-01-01", "home_branch": "chekhov", "password": "long-enough-1", "consent_personal_data": True}
    async with client_from(app, "198.51.100.44") as busy, client_from(app, "198.51.100.45") as other:
        for number in range(3):
            assert (await busy.post("/api/v1/readers", json={**body, "phone": f"+7914000000{number}"})).status_code == 201
        refused = await busy.post("/api/v1/readers", json={**body, "phone": "+79140000009"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert (await other.post("/api/v1/readers", json={**body, "phone": "+79140000008"})).status_code == 201


async def test_password_checks_leave_the_event_loop_free():
    stored = hash_password_sync("a-long-password")
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    counting = asyncio.create_task(ticker())
    try:
        results = await asyncio.gather(*[verify_password(stored, "a-long-password") for _ in range(4)])
    finally:
        counting.cancel()
    assert results == [True] * 4
    assert ticks >= 10, "the loop stood still while passwords were checked"


@pytest.mark.parametrize("login", ["2800 0000 0016", "2800-0000-0016"])
async def test_a_card_number_logs_in_however_it_is_spaced(client, demo, login):
    assert (await client.post("/api/v1/auth/token", json={"login": login, "password": "libspace-demo"})).status_code == 200
