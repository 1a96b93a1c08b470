"""GraphQL over websockets on ``/v1/graphql``: queries, mutations and subscriptions.

One :class:`Connection` per socket. Authentication happens once, at ``connection_init``,
from the ``headers`` of its payload (over the handshake's own headers), resolved exactly as
for HTTP; a JWT's expiry ends the connection. Queries and mutations run through the same
prepare/run path as HTTP; subscriptions go to the :class:`SubscriptionManager`.

Back-pressure: what the server sends waits in one ordered map, where a subscription's
result replaces the one not sent yet (latest-only), so a slow consumer holds at most one
result per subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Hashable
from itertools import count
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from engine.auth.errors import AuthError
from engine.graphql.engine import error_body
from engine.graphql.errors import GraphQLFieldError
from engine.server.state import ServerState
from engine.server.ws_protocol import Close, Protocol, choose
from engine.session import Session

logger = logging.getLogger("engine.websocket")

_HANDSHAKE_ONLY = frozenset({"sec-websocket-key", "sec-websocket-version",
                             "sec-websocket-extensions", "sec-websocket-protocol",
                             "upgrade", "connection", "host"})


class GraphQLWebSocket:
    """The ASGI app for websocket connections to ``/v1/graphql``."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.connections: set[Connection] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one socket until it closes."""
        ws = WebSocket(scope, receive, send)
        protocol, accepted = choose(list(scope.get("subprotocols") or []))
        await ws.accept(subprotocol=accepted)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k.decode("latin-1") not in _HANDSHAKE_ONLY}
        conn = Connection(ws, protocol, self.state, headers)
        self.connections.add(conn)
        try:
            await conn.serve()
        finally:
            self.connections.discard(conn)

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        """Close every socket (server shutdown: 1001, going away)."""
        await asyncio.gather(*(c.close(Close(code, reason)) for c in list(self.connections)),
                             return_exceptions=True)


class Connection:
    """One client socket: its session, operations and outgoing messages."""

    def __init__(self, ws: WebSocket, protocol: Protocol, state: ServerState,
                 headers: dict[str, str]) -> None:
        self.ws = ws
        self.protocol = protocol
        self.state = state
        self.settings = state.settings
        self.handshake_headers = headers
        self.session: Session | None = None
        self.headers: dict[str, str] = {}
        self.init_received = False
        self.operations: dict[str, int | asyncio.Task[None]] = {}
        """Live operations: a subscription's token, or the task running a query."""
        self.pending: dict[Hashable, str] = {}
        self._wake = asyncio.Event()
        self._keys = count()
        self._tasks: list[asyncio.Task[None]] = []
        self.closed = False

    # -- sending -------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """Queue a message (sent in order)."""
        self.pending[next(self._keys)] = text
        self._wake.set()

    def send_latest(self, op_id: str, text: str) -> None:
        """Queue a subscription's result, replacing its result not sent yet."""
        self.pending[("result", op_id)] = text
        self._wake.set()

    async def _writer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.pending:
                key = next(iter(self.pending))
                text = self.pending.pop(key)
                await self.ws.send_text(text)

    async def close(self, close: Close) -> None:
        """Send ``close.message`` (if any), then close the socket."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            if close.message is not None:
                await self.ws.send_text(close.message)
            if self.ws.application_state != WebSocketState.DISCONNECTED:
                await self.ws.close(close.code, close.reason)

    # -- the connection's life -----------------------------------------------------------
    async def serve(self) -> None:
        """Read messages until the socket closes; then stop everything it started."""
        self._tasks = [asyncio.create_task(self._writer(), name="ws writer"),
                       asyncio.create_task(self._keepalive(), name="ws keepalive"),
                       asyncio.create_task(self._init_timeout(), name="ws init timeout")]
        try:
            while not self.closed:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    raw = message.get("bytes") or b""
                    text = raw.decode("utf-8", "replace")
                if len(text) > self.settings.websocket_max_message_size:
                    await self.close(Close(1009, "message too big"))
                    break
                await self._handle(text)
        except WebSocketDisconnect:
            pass
        finally:
            self.closed = True
            self._stop_operations()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _stop_operations(self) -> None:
        manager = self.state.subscriptions
        for op in self.operations.values():
            if isinstance(op, int):
                if manager is not None:
                    manager.unsubscribe(op)
            else:
                op.cancel()
                self._tasks.append(op)
        self.operations.clear()

    async def _keepalive(self) -> None:
        while True:
            self.send(self.protocol.keepalive())
            await asyncio.sleep(self.settings.websocket_keepalive)

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.settings.websocket_init_timeout)
        if not self.init_received:
            await self.close(Close(4408, "Connection initialisation timeout"))

    async def _expire(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        await self.close(self.protocol.token_expired())

    # -- messages ------------------------------------------------------------------------
    async def _handle(self, text: str) -> None:
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            await self._bad("invalid JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._bad("expected an object with a 'type'")
            return
        kind = message["type"]
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif kind in self.protocol.start_types:
            await self._start(message)
        elif kind in self.protocol.stop_types:
            self._stop(message.get("id"))
        elif kind == "ping" and self.protocol.name == "graphql-transport-ws":
            payload = message.get("payload")
            self.send(orjson.dumps({"type": "pong", **(
                {"payload": payload} if payload is not None else {})}).decode())
        elif kind == "pong" and self.protocol.name == "graphql-transport-ws":
            return
        elif kind == "connection_terminate" and self.protocol.name == "graphql-ws":
            await self.close(Close(1000, "terminated by client"))
        else:
            await self._bad(f"unexpected type for ClientMessage: {kind}")

    async def _bad(self, message: str) -> None:
        answer = self.protocol.bad_message(message)
        if isinstance(answer, Close):
            await self.close(answer)
        else:
            self.send(answer)

    async def _init(self, payload: Any) -> None:
        if self.init_received:
            await self.close(self.protocol.too_many_inits())
            return
        self.init_received = True
        given = payload.get("headers") if isinstance(payload, dict) else None
        headers = dict(self.handshake_headers)
        if isinstance(given, dict):
            headers.update({str(k).lower(): str(v) for k, v in given.items()})
        try:
            session = await self.state.resolver.resolve(headers)
        except AuthError as exc:
            await self.close(self.protocol.init_failed(exc.message))
            return
        self.session = session
        self.headers = headers
        self.send(self.protocol.ack())
        if session.expires_at is not None:
            self._tasks.append(asyncio.create_task(self._expire(session.expires_at),
                                                   name="ws token expiry"))

    async def _start(self, message: dict[str, Any]) -> None:
        op_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
            await self._bad("a start message needs an 'id' and a 'payload' object")
            return
        if self.session is None:
            await self._answer(self.protocol.not_initialised(op_id))
            return
        if op_id in self.operations:
            await self._answer(self.protocol.duplicate(op_id))
            return
        holder = self.state.graphql
        engine = None if holder is None else holder.current
        manager = self.state.subscriptions
        if engine is None or manager is None:
            self._fail(op_id, GraphQLFieldError("the GraphQL schema is not available",
                                                "unexpected"))
            return
        try:
            prepared = engine.prepare(payload, self.session, self.headers)
            if prepared.plan.operation == "subscription":
                self.operations[op_id] = manager.subscribe(
                    engine, prepared,
                    lambda body: self.send_latest(op_id, self.protocol.data(op_id, body)),
                    lambda body: self._ended(op_id, body), payload)
                return
        except Exception as exc:
            self._fail(op_id, exc)
            return
        task = asyncio.create_task(self._run(op_id, engine, prepared), name="ws operation")
        self.operations[op_id] = task

    async def _answer(self, answer: Close | list[str]) -> None:
        if isinstance(answer, Close):
            await self.close(answer)
        else:
            for text in answer:
                self.send(text)

    def _fail(self, op_id: str, exc: Exception) -> None:
        self.send(self.protocol.errors(op_id, error_body(exc)))
        self.send(self.protocol.complete(op_id))

    def _ended(self, op_id: str, body: bytes) -> None:
        """A metadata change ended the subscription: its error, then complete."""
        self.operations.pop(op_id, None)
        self.pending.pop(("result", op_id), None)
        self.send(self.protocol.errors(op_id, body))
        self.send(self.protocol.complete(op_id))

    async def _run(self, op_id: str, engine: Any, prepared: Any) -> None:
        try:
            try:
                body = await engine.answer(prepared)  # a pooled connection only if needed
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.send(self.protocol.run_error(op_id, error_body(exc)))
            else:
                self.send(self.protocol.data(op_id, body))
            self.send(self.protocol.complete(op_id))
        finally:
            if self.operations.get(op_id) is asyncio.current_task():
                del self.operations[op_id]

    def _stop(self, op_id: Any) -> None:
        if not isinstance(op_id, str):
            return
        op = self.operations.pop(op_id, None)
        self.pending.pop(("result", op_id), None)
        if isinstance(op, int):
            manager = self.state.subscriptions
            if manager is not None:
                manager.unsubscribe(op)
        elif op is not None:
            op.cancel()
