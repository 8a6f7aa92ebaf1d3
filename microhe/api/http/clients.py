"""Who is asking: the client a request counts against (query fairness, ``client_share``).

A client is the source IP address of the connection. Behind a reverse proxy every request
comes from the proxy, so ``X-Forwarded-For`` is read, but only when the peer is one of
``Settings.trusted_proxies`` (anyone else could write any address in it): the client is
then the right-most address in the header that is not a trusted proxy itself (each proxy
appends the address it received the request from, so addresses left of the last untrusted
one were written by the client and prove nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from fastapi import Request


@lru_cache(maxsize=64)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: tuple[str, ...]) -> str:
    """The client of a request from ``peer`` with these ``X-Forwarded-For`` header values."""
    peer = peer or "unknown"
    networks = _networks(tuple(trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def client_of(request: Request, settings) -> str:
    """The client ``request`` counts against."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), tuple(settings.trusted_proxies))


__all__ = ["client_address", "client_of"]
