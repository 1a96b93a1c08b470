"""The client address a request is counted against (rate limits), from what can be trusted.

The socket peer is the client, unless the peer is one of the configured trusted proxies
(``ENGINE_TRUSTED_PROXIES``: addresses or CIDR ranges, comma-separated). Only then is
``X-Forwarded-For`` read, from the right: each trusted proxy appended the address it saw,
so the first entry that is not itself a trusted proxy is the client. Entries further left
were written by the client and are never used. With no trusted proxy configured the
header is ignored, so a client cannot pick its own rate-limit bucket.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` as networks.

    Raises:
        ValueError: an entry is not an address or a CIDR range (the message names it).
    """
    found: list[Network] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR range") from None
    return tuple(found)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
             proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted_proxies: Sequence[Network]) -> str | None:
    """The client's address.

    That is ``peer``, or the right-most untrusted ``X-Forwarded-For`` entry when ``peer`` is
    a trusted proxy (None when nothing usable is left).
    """
    peer_address = _address(peer) if peer else None
    if peer_address is None:
        return None
    if not trusted_proxies or not _trusted(peer_address, trusted_proxies):
        return str(peer_address)
    if not forwarded_for:
        return str(peer_address)
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            return None  # a proxy we trust would not write garbage: the entry is forged
        if not _trusted(address, trusted_proxies):
            return str(address)
    return str(peer_address)


def request_client_address(peer: str | None, headers: Iterable[tuple[bytes, bytes]],
                           trusted_proxies: Sequence[Network]) -> str | None:
    """:func:`client_address` for a request from socket peer ``peer`` with ``headers``.

    Repeated ``X-Forwarded-For`` headers join, in order, as RFC 9110 says.
    """
    if not trusted_proxies:
        return _peer_address(peer) if peer else None
    values = [v.decode("latin-1") for n, v in headers if n == b"x-forwarded-for"]
    return client_address(peer, ",".join(values) or None, trusted_proxies)


@functools.lru_cache(maxsize=4096)
def _peer_address(peer: str) -> str | None:
    """A socket peer's address, normalised (parsed once per peer, not once per request)."""
    address = _address(peer)
    return None if address is None else str(address)
