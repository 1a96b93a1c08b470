"""GraphQL over websockets on ``/v1/graphql`` (and ``/v1beta1/relay``): the endpoint.

The handshake's ``Origin`` is checked against the CORS configuration as Hasura does
(:meth:`GraphQLWebSocket.admit`); each accepted socket is one
:class:`~engine.server.ws_connection.Connection`, which speaks the protocol. Keep-alives
for every socket come from one timer (:meth:`GraphQLWebSocket._keepalive`, a tenth of the
sockets per tick).
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from engine.server.cors import CorsPolicy, request_origin
from engine.server.state import ServerState
from engine.server.ws_connection import Connection
from engine.server.ws_protocol import Close, choose

KEEPALIVE_SLICES = 10
"""Keep-alives go out to a tenth of the sockets at a time."""

_HANDSHAKE_ONLY = frozenset({"sec-websocket-key", "sec-websocket-version",
                             "sec-websocket-extensions", "sec-websocket-protocol",
                             "upgrade", "connection", "host"})


class GraphQLWebSocket:
    """The ASGI app for websocket connections to ``/v1/graphql``.

    With ``relay``, the one for ``/v1beta1/relay`` (answered with the Relay schema).
    """

    def __init__(self, state: ServerState, cors: CorsPolicy | None = None,
                 relay: bool = False) -> None:
        self.state = state
        self.cors = cors or CorsPolicy()
        self.relay = relay
        self.connections: set[Connection] = set()
        self._slices: list[set[Connection]] = [set() for _ in range(KEEPALIVE_SLICES)]
        """The connections again, by keep-alive tick."""
        self._keepalive_task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one socket until it closes."""
        ws = WebSocket(scope, receive, send)
        headers = self.admit(scope)
        if headers is None:
            await _refuse(ws, scope)
            return
        protocol, accepted = choose(list(scope.get("subprotocols") or []))
        await ws.accept(subprotocol=accepted)
        conn = Connection(ws, protocol, self.state, headers, send, self.relay, receive)
        self.connections.add(conn)
        tick = self._slices[conn.serial % KEEPALIVE_SLICES]
        tick.add(conn)
        if self._keepalive_task is None or self._keepalive_task.done():
            self._keepalive_task = asyncio.create_task(self._keepalive(),
                                                       name="ws keepalive")
        try:
            await conn.serve()
        finally:
            self.connections.discard(conn)
            tick.discard(conn)

    def admit(self, scope: Scope) -> dict[str, str] | None:
        """The handshake's headers to keep, or None when its ``Origin`` is refused.

        As Hasura: no ``Origin`` (not a browser) or CORS ``*`` is accepted; a list of
        domains accepts only a listed (or wildcard-matched) origin; with CORS disabled the
        connection is accepted but its ``Cookie`` is not read, unless
        ``HASURA_GRAPHQL_WS_READ_COOKIE`` says so.
        """
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k.decode("latin-1") not in _HANDSHAKE_ONLY}
        origin = request_origin(scope)
        if origin is None or self.cors.allow_all:
            return headers
        if self.cors.disabled:
            if not self.state.settings.ws_read_cookie:
                headers.pop("cookie", None)
            return headers
        return headers if self.cors.allowed(origin) else None

    async def _keepalive(self) -> None:
        """Every socket's keep-alive (``ka`` / ``ping``), one timer for all of them.

        The interval is cut in ``KEEPALIVE_SLICES`` ticks and each tick serves one slice of
        the sockets, so 10,000 keep-alives (and the clients' pongs) do not arrive at once.
        """
        tick = self.state.settings.websocket_keepalive / KEEPALIVE_SLICES
        n = 0
        while self.connections:
            await asyncio.sleep(tick)
            n = (n + 1) % KEEPALIVE_SLICES
            for conn in list(self._slices[n]):
                if not conn.closed:
                    conn.send(conn.protocol.keepalive())

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        """Close every socket (server shutdown: 1001, going away)."""
        await asyncio.gather(*(c.close(Close(code, reason)) for c in list(self.connections)),
                             return_exceptions=True)
        task, self._keepalive_task = self._keepalive_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


_ORIGIN_REFUSED = orjson.dumps({"errors": [{
    "extensions": {"path": "$", "code": "access-denied"},
    "message": "received origin header does not match configured CORS domains"}]})


async def _refuse(ws: WebSocket, scope: Scope) -> None:
    """Refuse the handshake as Hasura does: HTTP 400 with its ``access-denied`` error."""
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await ws.send({"type": "websocket.http.response.start", "status": 400,
                       "headers": [(b"content-type", b"application/json")]})
        await ws.send({"type": "websocket.http.response.body", "body": _ORIGIN_REFUSED})
    else:
        await ws.close(1008, "origin not allowed")  # the server answers 403
