"""The ``websocket`` transport of the original suite: one request sent over a GraphQL socket.

As Hasura's harness does it: a ``graphql-ws`` socket initialised with the request's headers,
the query sent as a ``start``, the first ``data`` or ``error`` message's payload compared
with the recorded response, then a ``complete`` expected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from websockets.asyncio.client import connect

from engine.conformance.cases import Request


def websocket_skip_reason(request: Request) -> str | None:
    """Why the original suite sends ``request`` over HTTP only (None: it goes over the socket)."""
    if not request.url.endswith(("/graphql", "/relay")):
        return "not a GraphQL request"
    if not isinstance(request.query, dict):
        return "batched requests are HTTP only"
    if request.status != 200:
        return "an HTTP status is checked"
    return None


async def over_websocket(base_url: str, headers: Mapping[str, str], query: Any,
                         wait: float = 30.0, path: str = "/v1/graphql") -> Any:
    """Send ``query`` as a ``start`` on a fresh socket; the payload of its answer.

    Raises:
        RuntimeError: the server answered with something else than data or error, or did
            not complete the operation.
    """
    url = base_url.replace("http://", "ws://").replace("https://", "wss://") + path
    async with connect(url, subprotocols=["graphql-ws"],  # type: ignore[list-item]
                       open_timeout=wait, max_size=None) as ws:
        await ws.send(orjson.dumps({"type": "connection_init",
                                    "payload": {"headers": dict(headers)}}).decode())
        await ws.send(orjson.dumps({"type": "start", "id": "hge_test",
                                    "payload": query}).decode())
        payload: Any = None
        while True:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), wait))
            kind = message.get("type")
            if kind in ("ka", "connection_ack"):
                continue
            if kind == "connection_error":
                raise RuntimeError(f"connection_error: {message.get('payload')}")
            if kind in ("data", "error") and payload is None:
                payload = message.get("payload")
                continue
            if kind == "complete":
                if payload is None:
                    raise RuntimeError("completed without a result")
                return payload
            raise RuntimeError(f"unexpected message: {str(message)[:200]}")
