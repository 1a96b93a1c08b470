"""The end user's address, for per-address rate limits, from what can be trusted.

Only the engine calls the action service (every call proves the shared secret), and it
forwards the client's headers. Who wrote what in ``X-Forwarded-For``:

- locally, the engine replaces the header with the client address it vouches for (its
  socket peer, or what its own trusted proxy named; ``ENGINE_TRUSTED_PROXIES``): one entry;
- on AWS, Hasura forwards the header as the proxies in front of it left it (entries the
  client wrote, then the address each proxy saw), and API Gateway appends the address that
  called it, Hasura's own, which is also the request context's ``sourceIp``.

So API Gateway's own entry (equal to ``sourceIp``) is dropped first, and the address is the
entry ``RATE_LIMIT_TRUSTED_HOPS`` places from the right (default 1: the one the engine, or
the proxy in front of Hasura, wrote). Entries further left were written by the client and
are never used. Without a usable entry there is no address (Hasura's own would put every
user in one bucket), and only the per-email limit applies.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any


def client_ip(headers: Mapping[str, str], trusted_hops: int = 1,
              gateway_source_ip: str | None = None) -> str | None:
    """The client's address from ``X-Forwarded-For``, or None when absent or malformed.

    ``gateway_source_ip`` is API Gateway's ``requestContext.http.sourceIp`` on AWS (None
    elsewhere): the trailing entry equal to it is API Gateway's, not a client's.
    """
    raw = headers.get("x-forwarded-for")
    if not raw:
        return None
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if gateway_source_ip and entries and entries[-1] == gateway_source_ip:
        entries.pop()
    if not entries:
        return None
    candidate = entries[max(len(entries) - max(trusted_hops, 1), 0)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def gateway_source_ip(scope: Mapping[str, Any]) -> str | None:
    """API Gateway's ``requestContext.http.sourceIp`` when running behind it (Mangum's scope)."""
    event = scope.get("aws.event")
    if not isinstance(event, Mapping):
        return None
    http = (event.get("requestContext") or {}).get("http") or {}
    source = http.get("sourceIp") if isinstance(http, Mapping) else None
    return source if isinstance(source, str) else None
