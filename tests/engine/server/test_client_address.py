"""Which address a request is counted against (no server)."""

from __future__ import annotations

import pytest

from engine.server.client_address import client_address, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(("peer", "forwarded", "proxies", "expected"), [
    # No trusted proxy: the socket peer, whatever the header says.
    ("198.51.100.7", "203.0.113.1", (), "198.51.100.7"),
    ("127.0.0.1", "203.0.113.1", (), "127.0.0.1"),
    # Peer not trusted: its header is the client's own words.
    ("198.51.100.7", "203.0.113.1", PROXIES, "198.51.100.7"),
    # Trusted peer: the right-most untrusted entry; entries left of it are ignored.
    ("10.0.0.5", "6.6.6.6, 203.0.113.1", PROXIES, "203.0.113.1"),
    ("10.0.0.5", "6.6.6.6, 203.0.113.1, 10.0.0.9", PROXIES, "203.0.113.1"),
    ("10.0.0.5", None, PROXIES, "10.0.0.5"),
    # Garbage where a trusted proxy would have written an address: no address.
    ("10.0.0.5", "203.0.113.1, not-an-ip", PROXIES, None),
])
def test_client_address_trusts_x_forwarded_for_only_from_a_trusted_proxy(
        peer: str, forwarded: str | None, proxies: tuple[object, ...], expected: str | None,
) -> None:
    """Client address trusts x forwarded for only from a trusted proxy.

    GIVEN a socket peer, an X-Forwarded-For header and the trusted proxies WHEN the client
    address is read THEN the header counts only when the peer is a trusted proxy, and then
    only right of the first untrusted entry.
    """
    assert client_address(peer, forwarded, proxies) == expected  # type: ignore[arg-type]


def test_parse_networks_names_a_bad_entry() -> None:
    """GIVEN a list with a bad entry WHEN parsed THEN ValueError naming it."""
    with pytest.raises(ValueError, match="'nope'"):
        parse_networks("10.0.0.0/8, nope")
