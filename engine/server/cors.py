"""CORS as Hasura answers it by default: every origin allowed, credentials included.

Browsers send an ``Origin`` header; the answer echoes it so a web client (or a console
served from elsewhere) can call the engine. Preflight ``OPTIONS`` requests are answered
here. Requests without ``Origin`` (servers, Lambdas) pay only for one header lookup.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

_ALLOW_METHODS = b"GET,POST,OPTIONS"
_MAX_AGE = b"1728000"


def request_origin(scope: Scope) -> bytes | None:
    """The request's ``Origin`` header, if any."""
    for name, value in scope["headers"]:
        if name == b"origin":
            return bytes(value)
    return None


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


async def preflight(scope: Scope, receive: Receive, send: Send, origin: bytes) -> None:
    """Answer an ``OPTIONS`` preflight for ``origin``."""
    headers = [
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-allow-methods", _ALLOW_METHODS),
        (b"access-control-max-age", _MAX_AGE),
        (b"vary", b"Origin"),
    ]
    requested = _header(scope, b"access-control-request-headers")
    if requested:
        headers.append((b"access-control-allow-headers", requested))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def with_cors(send: Send, origin: bytes) -> Send:
    """``send`` adding the CORS headers for ``origin`` to the response start."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers += [(b"access-control-allow-origin", origin),
                        (b"access-control-allow-credentials", b"true"),
                        (b"vary", b"Origin")]
            message = {**message, "headers": headers}
        await send(message)

    return send_with_cors
