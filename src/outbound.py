"""The one guarded way out: every request libspace makes to a URL outside itself goes through here.

A URL that a person typed (a closure calendar to import) may point anywhere: at the database port on
loopback, at a cloud metadata address, at a host inside the library's network, or at a server that answers
one byte every few seconds. :func:`fetch` and :func:`request` therefore

- speak only ``http`` and ``https`` (``webcal://`` is read as ``http://``);
- resolve the host themselves and refuse loopback, private, link-local, multicast, reserved, shared and
  unspecified addresses, IPv4 and IPv6 (IPv4-mapped, 6to4, Teredo and NAT64 addresses are judged by the IPv4
  address inside them), unless the host is named in ``LIBSPACE_IMPORT_ALLOW_HOSTS``;
- connect to the very address they checked (the URL is rewritten to the address, with the ``Host`` header and
  the TLS server name kept), so a second DNS answer cannot send the connection elsewhere;
- follow at most three redirects themselves, checking each target the same way;
- end the whole exchange at an overall deadline (``LIBSPACE_IMPORT_DEADLINE_SECONDS``, 20 s) and stop reading
  past a size cap (``LIBSPACE_IMPORT_MAX_BYTES``, 5 MB), without holding a thread;
- raise :class:`OutboundError` with one generic message for every refusal and failure; the reason goes to
  the log, never to the person (it would tell which internal ports are open).

Imports hold one of a few slots per process (``LIBSPACE_IMPORT_CONCURRENCY``, 2): :func:`import_slot` raises
:class:`Busy` (answered 429 with ``Retry-After``) when they are all taken.

A base URL from the configuration (a bot API, a mail relay's web hook) is not a person's input: call
:func:`request` with ``trusted=True`` to skip the address check; the deadline, size cap and redirect rules
still hold.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterator
from urllib.parse import urljoin, urlsplit

import httpx

from src.config import get_settings
from src.exceptions import AppError
from src.i18n import _

log = logging.getLogger("libspace.outbound")

MAX_REDIRECTS = 3
USER_AGENT = "libspace (municipal library space)"
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: inside someone's network


class OutboundError(Exception):
    """A refused or failed outside request. ``str()`` is for the log; people see :func:`public_message`."""


class Busy(AppError):
    def __init__(self) -> None:
        super().__init__(
            detail=_("Other imports are running right now. Please try again in a minute."), status_code=429, headers={"Retry-After": "30"}
        )


def public_message() -> str:
    return _("Could not fetch a calendar from that address")


# --- addresses ------------------------------------------------------------------------------------------------


def is_public(address: IpAddress | str) -> bool:
    """Whether an address is one the open internet reaches (not ours, not a neighbour's, not special)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            return is_public(ip.sixtofour)
        if ip.teredo is not None:
            return is_public(ip.teredo[1])
        if any(ip in network for network in _NAT64):
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.version == 4 and ip in _SHARED:
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_private
    )


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of a host name, as the system resolver gives them."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


# Tests replace this with a stub; nothing else should.
resolve: Resolver = system_resolve


def _allowed_hosts() -> frozenset[str]:
    return frozenset(host.strip().lower().rstrip(".") for host in get_settings().import_allow_hosts if host.strip())


@dataclass(frozen=True, slots=True)
class Target:
    """One checked hop: where to connect, and what the server is to be told."""

    url: str  # the URL with the checked address in place of the host name
    host_header: str
    server_name: str  # for TLS: the name the certificate must carry


async def check_url(url: str, trusted: bool = False) -> Target:
    """Refuse what may not be fetched; otherwise the address to connect to. Raises :class:`OutboundError`."""
    if url.lower().startswith("webcal://"):
        url = "http://" + url[len("webcal://") :]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundError(f"unreadable URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundError(f"scheme {scheme!r} refused")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise OutboundError("no host")
    if parts.username or parts.password:
        raise OutboundError("credentials in the URL refused")
    port = port or (443 if scheme == "https" else 80)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            names = await resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise OutboundError(f"cannot resolve {host}: {error}") from None
        addresses = [ipaddress.ip_address(name.split("%", 1)[0]) for name in names]
        if not addresses:
            raise OutboundError(f"{host} has no address")
    if not trusted and host not in _allowed_hosts():
        refused = [str(address) for address in addresses if not is_public(address)]
        if refused:  # one bad address is enough: the resolver could hand out either
            raise OutboundError(f"{host} resolves to a non-public address {', '.join(refused)}")
    chosen = addresses[0]
    netloc = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    if parts.port:
        netloc += f":{parts.port}"
    host_header = host if not parts.port else f"{host}:{parts.port}"
    if literal is not None and literal.version == 6:
        host_header = f"[{host}]" + (f":{parts.port}" if parts.port else "")
    pinned = parts._replace(scheme=scheme, netloc=netloc, fragment="").geturl()
    return Target(url=pinned, host_header=host_header, server_name=host)


# --- requests -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str  # the last URL asked for (after redirects), as the caller would write it

    def json(self) -> Any:
        import json

        return json.loads(self.content)


async def request(
    method: str,
    url: str,
    *,
    trusted: bool = False,
    headers: dict[str, str] | None = None,
    json: Any = None,
    data: dict[str, str] | None = None,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> Answer:
    """One outside request with every guard of this module (see its docstring). Raises :class:`OutboundError`."""
    settings = get_settings()
    deadline = settings.import_deadline_seconds if deadline is None else deadline
    max_bytes = settings.import_max_bytes if max_bytes is None else max_bytes
    try:
        async with asyncio.timeout(deadline):
            return await _exchange(method, url, trusted, headers or {}, json, data, max_bytes, min(deadline, 10.0))
    except TimeoutError:
        raise OutboundError(f"deadline of {deadline} s passed for {url}") from None


async def _exchange(method, url, trusted, headers, json, data, max_bytes, connect_timeout) -> Answer:
    timeout = httpx.Timeout(connect_timeout, read=None, write=connect_timeout, pool=connect_timeout)
    async with httpx.AsyncClient(follow_redirects=False, timeout=timeout, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            target = await check_url(url, trusted)
            request_headers = {"User-Agent": USER_AGENT, **headers, "Host": target.host_header}
            outgoing = client.build_request(
                method, target.url, headers=request_headers, json=json, data=data, extensions={"sni_hostname": target.server_name}
            )
            try:
                response = await client.send(outgoing, stream=True)
            except httpx.HTTPError as error:
                raise OutboundError(f"{url}: {type(error).__name__}: {error}") from None
            try:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    if not location:
                        raise OutboundError(f"{url}: redirect without a Location")
                    url = urljoin(url, location)
                    if response.status_code in (301, 302, 303) and method != "HEAD":
                        method, json, data = "GET", None, None
                    continue
                body = await _read(response, max_bytes, url)
                return Answer(status_code=response.status_code, headers=response.headers, content=body, url=url)
            finally:
                await response.aclose()
        raise OutboundError(f"more than {MAX_REDIRECTS} redirects from {url}")


async def _read(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundError(f"{url}: {declared} bytes announced, more than {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise OutboundError(f"{url}: more than {max_bytes} bytes")
            chunks.append(chunk)
    except httpx.HTTPError as error:
        raise OutboundError(f"{url}: {type(error).__name__}: {error}") from None
    return b"".join(chunks)


async def fetch(url: str, *, deadline: float | None = None, max_bytes: int | None = None, accept: str = "*/*") -> bytes:
    """GET a URL a person gave; the body of a 2xx answer, else :class:`OutboundError`."""
    answer = await request("GET", url, headers={"Accept": accept}, deadline=deadline, max_bytes=max_bytes)
    if not 200 <= answer.status_code < 300:
        raise OutboundError(f"{url}: HTTP {answer.status_code}")
    return answer.content


# --- how many at once -----------------------------------------------------------------------------------------

_lock = threading.Lock()
_in_flight = 0


@contextmanager
def import_slot() -> Iterator[None]:
    """Hold one of the process's import slots for the ``with`` block; :class:`Busy` when none is free."""
    global _in_flight
    with _lock:
        if _in_flight >= get_settings().import_concurrency:
            raise Busy()
        _in_flight += 1
    try:
        yield
    finally:
        with _lock:
            _in_flight -= 1


def imports_in_flight() -> int:
    return _in_flight
