"""CORS as Hasura configures it, without credentials for a wildcard.

``HASURA_GRAPHQL_CORS_DOMAIN`` is ``*`` (the default) or a comma-separated list of origins,
each exact (``https://app.example.com``, ``http://localhost:3000``) or with a wildcard
subdomain (``https://*.example.com``, ``http://*.localhost:3000``).
``HASURA_GRAPHQL_DISABLE_CORS=true`` sends no CORS header at all.

- ``*``: any origin may read responses, but ``Access-Control-Allow-Origin`` is ``*`` and
  credentials (cookies) are never allowed, so no page can act with a visitor's cookies.
  Tokens in the ``Authorization`` header still work (the preflight allows the headers
  the browser asks for).
- a list: a listed origin gets itself back with ``Access-Control-Allow-Credentials:
  true``; any other origin gets no CORS header, and the browser withholds the response.

Requests without ``Origin`` (servers, Lambdas) pay for one header lookup only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import Message, Receive, Scope, Send

_ALLOW_METHODS = b"GET,POST,OPTIONS"
_MAX_AGE = b"1728000"


def request_origin(scope: Scope) -> bytes | None:
    """The request's ``Origin`` header, if any."""
    return _origin(scope["headers"])


def _origin(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == b"origin":
            return bytes(value)
    return None


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


def _split(origin: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins may read responses, and whether with credentials."""

    allow_all: bool = True
    origins: frozenset[str] = frozenset()
    wildcards: tuple[tuple[str, str, int | None], ...] = ()
    """(scheme, domain suffix, port) of each ``scheme://*.domain[:port]`` entry."""
    disabled: bool = False

    @classmethod
    def from_settings(cls, domains: tuple[str, ...], disabled: bool = False) -> CorsPolicy:
        """The policy for ``HASURA_GRAPHQL_CORS_DOMAIN`` entries."""
        if disabled:
            return cls(allow_all=False, disabled=True)
        if "*" in domains:
            return cls(allow_all=True)
        exact: set[str] = set()
        wildcards: list[tuple[str, str, int | None]] = []
        for entry in domains:
            entry = entry.rstrip("/")
            if "://*." in entry:
                split = _split(entry.replace("://*.", "://wildcard.", 1))
                if split is not None:
                    wildcards.append((split[0], split[1][len("wildcard"):], split[2]))
            else:
                exact.add(entry.lower())
        return cls(allow_all=False, origins=frozenset(exact), wildcards=tuple(wildcards))

    def allowed(self, origin: bytes) -> bool:
        """Whether ``origin`` is one of the listed origins (always False for ``*``)."""
        text = origin.decode("latin-1").lower()
        if text in self.origins:
            return True
        split = _split(text)
        if split is None:
            return False
        scheme, host, port = split
        return any(scheme == w_scheme and host.endswith(suffix) and port == w_port
                   for w_scheme, suffix, w_port in self.wildcards)

    def for_request(self, headers: Iterable[tuple[bytes, bytes]]
                    ) -> list[tuple[bytes, bytes]] | None:
        """The CORS headers for a request with ``headers``, or None (no ``Origin``, or none)."""
        origin = _origin(headers)
        return None if origin is None else self.headers(origin)

    def headers(self, origin: bytes) -> list[tuple[bytes, bytes]] | None:
        """The CORS headers for ``origin``, or None when it gets none."""
        if self.disabled:
            return None
        if self.allow_all:
            return [(b"access-control-allow-origin", b"*")]
        if self.allowed(origin):
            return [(b"access-control-allow-origin", origin),
                    (b"access-control-allow-credentials", b"true"),
                    (b"vary", b"Origin")]
        return None


async def preflight(scope: Scope, receive: Receive, send: Send,
                    cors: list[tuple[bytes, bytes]]) -> None:
    """Answer an ``OPTIONS`` preflight with the origin's CORS headers ``cors``."""
    headers = [*cors, (b"access-control-allow-methods", _ALLOW_METHODS),
               (b"access-control-max-age", _MAX_AGE)]
    requested = _header(scope, b"access-control-request-headers")
    if requested:
        headers.append((b"access-control-allow-headers", requested))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def with_cors(send: Send, cors: list[tuple[bytes, bytes]]) -> Send:
    """``send`` adding the CORS headers ``cors`` to the response start."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *cors]}
        await send(message)

    return send_with_cors
