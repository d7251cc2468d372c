"""The address of the client, as seen through the reverse proxies we trust.

Behind nginx every request arrives from 127.0.0.1, so REMOTE_ADDR alone would put
every user of the gmina into one rate-limit bucket. `X-Forwarded-For`, on the
other hand, is written by the client: only the entries appended by proxies we
trust may be believed. The walk goes right to left (each proxy appends the
address it saw), skipping trusted proxies; the first address that is not one of
them is the client. With no trusted proxies configured, the header is ignored.

Settings (environment):
- `TRUSTED_PROXIES`: addresses or networks of our own proxies, e.g.
  `127.0.0.1,::1` for nginx on the same machine, `10.0.0.0/8` for a load balancer.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header entry, tolerating `[v6]:port` and `v4:port`."""
    if not value:
        return None
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR unless it is a trusted proxy, in which
    case the right-most untrusted entry of X-Forwarded-For. Never raises; an
    unparseable chain falls back to the last address we could trust."""
    networks = trusted_networks()
    remote = parse_ip(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return "0.0.0.0"
    if not is_trusted(remote, networks):
        return str(remote)
    chain = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = remote
    for entry in reversed([part for part in chain.split(",") if part.strip()]):
        address = parse_ip(entry)
        if address is None:
            # A proxy we trust wrote garbage, or the client did and no trusted
            # hop is left: stop at the last address we know.
            break
        candidate = address
        if not is_trusted(address, networks):
            break
    return str(candidate)
