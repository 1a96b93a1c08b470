"""The end user's address, from the client headers the engine forwards.

With ``forward_client_headers: true`` the engine passes the client's headers on. Each
proxy in front of the engine (load balancer, API Gateway) appends the address it saw to
``X-Forwarded-For``; entries left of those are whatever the client sent, so the address
is read ``trusted_hops`` entries from the right (``RATE_LIMIT_TRUSTED_HOPS``, default 1).
Without the header there is no address (the engine's own address would put every user in
one bucket), and only the per-email limit applies.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping


def client_ip(headers: Mapping[str, str], trusted_hops: int = 1) -> str | None:
    """The client's address from ``X-Forwarded-For``, or None when absent or malformed."""
    raw = headers.get("x-forwarded-for")
    if not raw:
        return None
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if not entries:
        return None
    candidate = entries[max(len(entries) - max(trusted_hops, 1), 0)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
