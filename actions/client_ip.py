"""The end user's address, from the client headers the engine forwards.

With ``forward_client_headers: true`` the engine passes the client's headers on; behind a
load balancer or API Gateway the client's address is the first entry of
``X-Forwarded-For``, else the direct peer of the engine's request is used.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping


def client_ip(headers: Mapping[str, str], peer: str | None = None) -> str | None:
    """The first valid address of ``X-Forwarded-For`` / ``X-Real-IP``, else ``peer``."""
    for name in ("x-forwarded-for", "x-real-ip"):
        raw = headers.get(name)
        if not raw:
            continue
        candidate = raw.split(",", 1)[0].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None if peer is None else peer
