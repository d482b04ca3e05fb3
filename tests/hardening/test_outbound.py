"""The one guarded client for outside URLs (issue 11, items 1 and 2).

Traffic goes only to loopback: refusing the private, link-local and other ranges is proven through the address
check and a stubbed resolver, never by connecting to such an address."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest

from src import outbound
from src.calendars import imports
from src.exceptions import Invalid
from tests.conftest import post_form
from tests.hardening.support import LocalServer, answer, chunked, redirect, settings, trickle  # noqa: F401 - fixture

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"

REFUSED = [
    "127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.5.5", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.10", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:a00:1::1", "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "77.88.8.8", "2a02:6b8::2:242", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert not outbound.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert outbound.is_public(address)


@pytest.fixture
def resolver(monkeypatch):
    """A stub DNS: names map to addresses; every look-up is counted."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OSError("no such name")
        return table[host]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return table, calls


@pytest.mark.parametrize("address", REFUSED)
async def test_a_name_resolving_to_a_non_public_address_is_refused(resolver, address):
    table, _calls = resolver
    table["calendar.example"] = [address]
    with pytest.raises(outbound.OutboundError):
        await outbound.check_url("https://calendar.example/holidays.ics")


async def test_one_bad_address_among_good_ones_is_enough(resolver):
    table, _calls = resolver
    table["mixed.example"] = ["93.184.216.34", "10.1.2.3"]
    with pytest.raises(outbound.OutboundError):
        await outbound.check_url("http://mixed.example/")


async def test_a_public_name_is_pinned_to_its_checked_address(resolver):
    table, _calls = resolver
    table["calendar.example"] = ["93.184.216.34"]
    target = await outbound.check_url("https://calendar.example/a/b.ics?x=1#frag")
    assert target.url == "https://93.184.216.34/a/b.ics?x=1"
    assert target.host_header == "calendar.example" and target.server_name == "calendar.example"
    table["v6.example"] = ["2a02:6b8::2:242"]
    target = await outbound.check_url("http://v6.example:8080/")
    assert target.url == "http://[2a02:6b8::2:242]:8080/" and target.host_header == "v6.example:8080"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/x.ics", "gopher://example.com/", "http://user:pw@93.184.216.34/", "http:///nohost", "http://[::1/", "javascript:alert(1)"],
)
async def test_other_schemes_and_odd_urls_are_refused(url):
    with pytest.raises(outbound.OutboundError):
        await outbound.check_url(url)


async def test_webcal_is_read_as_http(resolver):
    table, _calls = resolver
    table["calendar.example"] = ["93.184.216.34"]
    assert (await outbound.check_url("webcal://calendar.example/x.ics")).url == "http://93.184.216.34/x.ics"


# --- against a real server on loopback -----------------------------------------------------------------------


async def test_loopback_is_never_reached_directly_or_by_a_name(resolver):
    table, _calls = resolver
    async with LocalServer(routes={"/secret.ics": answer(ICS)}) as server:
        table["evil.example"] = ["127.0.0.1"]
        for url in (server.url("/secret.ics"), server.url("/secret.ics", host="evil.example"), server.url("/secret.ics", host="localhost")):
            with pytest.raises(Invalid) as refused:
                await imports.fetch(url)
            assert refused.value.detail == "Не удалось загрузить календарь по этому адресу"
            assert str(server.port) not in str(refused.value.errors)
        assert server.seen == []


async def test_redirects_are_checked_again(resolver, settings):
    table, _calls = resolver
    settings(import_allow_hosts=("calendar.example",))
    table["calendar.example"] = ["127.0.0.1"]
    table["internal.example"] = ["10.20.30.40"]
    async with LocalServer() as inside:
        inside.routes["/secret.ics"] = answer(ICS)
        async with LocalServer() as allowed:
            allowed.routes.update(
                {
                    "/ok.ics": answer(ICS),
                    "/to-loopback": redirect(inside.url("/secret.ics")),
                    "/to-internal": redirect("http://internal.example/secret.ics"),
                    "/to-mapped": redirect(f"http://[::ffff:127.0.0.1]:{inside.port}/secret.ics"),
                    "/relative": redirect("/ok.ics", 301),
                    "/loop": redirect("/loop"),
                }
            )
            assert await outbound.fetch(allowed.url("/ok.ics", host="calendar.example")) == ICS
            assert allowed.seen[-1].host == f"calendar.example:{allowed.port}"
            assert await outbound.fetch(allowed.url("/relative", host="calendar.example")) == ICS
            for path in ("/to-loopback", "/to-internal", "/to-mapped", "/loop"):
                with pytest.raises(outbound.OutboundError):
                    await outbound.fetch(allowed.url(path, host="calendar.example"))
            assert sum(1 for seen in allowed.seen if seen.path == "/loop") == outbound.MAX_REDIRECTS + 1
        assert inside.seen == []


async def test_the_address_checked_is_the_address_connected(resolver, settings):
    """The host is looked up once per hop, and the connection goes to that answer (no second look-up)."""
    table, calls = resolver
    settings(import_allow_hosts=("calendar.example",))
    table["calendar.example"] = ["127.0.0.1"]
    async with LocalServer(routes={"/ok.ics": answer(ICS)}) as server:
        assert await outbound.fetch(server.url("/ok.ics", host="calendar.example")) == ICS
    assert calls == ["calendar.example"]


async def test_the_size_cap(settings):
    settings(import_allow_hosts=("127.0.0.1",), import_max_bytes=100_000)
    async with LocalServer(routes={"/big": answer(b"A" * 100_001), "/chunked": chunked(300_000), "/fits": answer(b"A" * 100_000)}) as server:
        assert len(await outbound.fetch(server.url("/fits"))) == 100_000
        for path in ("/big", "/chunked"):
            with pytest.raises(outbound.OutboundError):
                await outbound.fetch(server.url(path))


async def test_a_slow_server_ends_at_the_deadline(settings):
    settings(import_allow_hosts=("127.0.0.1",), import_deadline_seconds=1.5)
    async with LocalServer(routes={"/slow": trickle(every=0.2, limit=10)}) as server:
        started = time.monotonic()
        with pytest.raises(outbound.OutboundError):
            await outbound.fetch(server.url("/slow"))
        assert time.monotonic() - started < 5


async def test_an_http_error_and_a_closed_port_are_the_same_generic_answer(settings):
    settings(import_allow_hosts=("127.0.0.1",))
    async with LocalServer() as server:
        closed = server.port
    for url in (f"http://127.0.0.1:{closed}/x.ics",):
        with pytest.raises(Invalid) as failed:
            await imports.fetch(url)
        assert failed.value.errors[0].message == "Не удалось загрузить календарь по этому адресу"


async def test_the_staff_page_answers_one_generic_message(client, demo):
    await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    for url in ("http://127.0.0.1:5432/", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "http://localhost:1/"):
        response = await post_form(client, "/staff/branches/chekhov/closures/import", {"url": url, "kind": ""})
        assert response.status_code == 422
        assert "Не удалось загрузить календарь по этому адресу" in response.text
        assert "5432" not in response.text.replace(url, "") and "Errno" not in response.text and "refused" not in response.text


# --- at most two imports at once ---------------------------------------------------------------------------------


async def test_a_third_import_at_once_gets_429(client, demo, settings):
    settings(import_allow_hosts=("127.0.0.1",), import_deadline_seconds=3)
    await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    async with LocalServer(routes={"/slow": trickle(every=0.5, limit=10)}) as server:
        page = await client.get("/staff/branches/chekhov/closures/import")
        from tests.conftest import CSRF_RE

        token = CSRF_RE.search(page.text).group(1)

        async def post():
            return await client.post("/staff/branches/chekhov/closures/import", data={"url": server.url("/slow"), "_csrf_token": token})

        first = [asyncio.create_task(post()) for _ in range(2)]
        while outbound.imports_in_flight() < 2:
            await asyncio.sleep(0.05)
        third = await post()
        assert third.status_code == 429 and third.headers["retry-after"] == "30"
        assert "Сейчас уже идут другие загрузки" in third.text
        assert [r.status_code for r in await asyncio.gather(*first)] == [422, 422]
    assert outbound.imports_in_flight() == 0


async def test_six_slow_imports_do_not_hold_up_anyone_else(client, demo, settings):
    """A server trickling one byte every 5 s: six imports start, other logged-in requests are answered at
    once, and the imports end at the deadline (two wait for it, the other four are turned away at once)."""
    deadline = 6.0
    settings(import_allow_hosts=("127.0.0.1",), import_deadline_seconds=deadline)
    await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    from tests.conftest import CSRF_RE, bearer

    api = await bearer(client, "reader@libspace.local")
    token = CSRF_RE.search((await client.get("/staff/branches/chekhov/closures/import")).text).group(1)
    async with LocalServer(routes={"/slow": trickle(every=5, limit=30)}) as server:
        started = time.monotonic()

        async def post():
            response = await client.post("/staff/branches/chekhov/closures/import", data={"url": server.url("/slow"), "_csrf_token": token})
            return response.status_code, time.monotonic() - started

        imports_running = [asyncio.create_task(post()) for _ in range(6)]
        await asyncio.sleep(0.5)
        answered = []
        for _ in range(5):
            before = time.monotonic()
            assert (await client.get("/api/v1/me", headers=api)).status_code == 200
            assert (await client.get("/staff")).status_code == 200
            answered.append(time.monotonic() - before)
            await asyncio.sleep(0.3)
        assert max(answered) < 2.0, answered
        results = await asyncio.gather(*imports_running)
    statuses = sorted(status for status, _ in results)
    assert statuses == [422, 422, 429, 429, 429, 429]
    waited = [elapsed for status, elapsed in results if status == 422]
    assert all(deadline - 0.5 <= elapsed < deadline + 3 for elapsed in waited), waited
