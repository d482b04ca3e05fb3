"""Who is on the other end: the client's address, also behind a reverse proxy.

By default the address is the TCP peer's and ``X-Forwarded-For`` is ignored (anyone can send it). Behind nginx
or another reverse proxy, list the proxies' addresses or networks in ``LIBSPACE_TRUSTED_PROXIES``
(``127.0.0.1,::1`` when nginx runs on the same host). Then, when the peer is such a proxy, the address is the
right-most entry of ``X-Forwarded-For`` that is not itself a trusted proxy: the left part of the header is
whatever the client wrote and proves nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from litestar.connection import ASGIConnection

from src.config import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def address_from(peer: str | None, forwarded_for: str | None, proxies: tuple[str, ...]) -> str | None:
    """The client's address given the TCP peer, the ``X-Forwarded-For`` header and the trusted proxies."""
    networks = _networks(proxies)
    if not peer or not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop.split("%", 1)[0]))
            except ValueError:
                return peer  # a garbled header from the proxy: fall back to what we know
    return hops[0] if hops else peer


def client_address(connection: ASGIConnection) -> str | None:
    """The address of the client of this request (see the module's docstring)."""
    peer = connection.client.host if connection.client else None
    return address_from(peer, connection.headers.get("x-forwarded-for"), get_settings().trusted_proxies)
