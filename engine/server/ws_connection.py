"""One GraphQL websocket connection: queries, mutations and subscriptions over one socket.

Authentication happens once, at ``connection_init``, from the ``headers`` of its payload
(over the handshake's own headers), resolved exactly as for HTTP. When a JWT expires the
connection is dropped without a close frame, as Hasura's server does (its expiry thread
ends the connection's threads and the socket is closed; clients see 1006 and reconnect
with a fresh token). Queries and mutations run through the same prepare/run path as HTTP;
subscriptions go to the :class:`SubscriptionManager`.

Per socket the server reads in the ASGI task itself and runs a writer task only while
there is something to send; the initialisation timeout and the token expiry are loop
timers, not tasks.

Back-pressure: what the server sends waits in one ordered map, where a subscription's
result replaces the one not sent yet (latest-only), so a slow consumer holds at most one
result per subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Hashable
from itertools import count
from typing import Any

import orjson
from starlette.types import Receive, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from engine.auth.errors import AuthError
from engine.graphql.bodies import error_body
from engine.graphql.errors import GraphQLFieldError
from engine.server.state import ServerState
from engine.server.ws_protocol import Close, Protocol
from engine.session import Session

_SERIALS = count()
_PONG = '{"type":"pong"}'


class Connection:
    """One client socket: its session, operations and outgoing messages."""

    def __init__(self, ws: WebSocket, protocol: Protocol, state: ServerState,
                 headers: dict[str, str], send: Send | None = None,
                 relay: bool = False, receive: Receive | None = None) -> None:
        self.ws = ws
        self._send: Send = send or ws.send
        """The ASGI send for results (Starlette's wrapper adds nothing once accepted)."""
        self._receive: Receive = receive or ws.receive
        """The ASGI receive (Starlette's wrapper only checks the message types)."""
        self.relay = relay
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
        self._writer: asyncio.Task[None] | None = None
        """Sends what is pending; runs only while something is (no idle task per socket)."""
        self._keys = count()
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: list[asyncio.TimerHandle] = []
        self._serving: asyncio.Task[Any] | None = None
        self.closed = False
        self._finished = False
        """:meth:`serve` has ended: nothing is sent any more."""
        self.expired = False
        self.serial = next(_SERIALS)

    # -- sending -------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """Queue a message (sent in order)."""
        self.pending[next(self._keys)] = text
        self._flush()

    def send_latest(self, op_id: str, text: str) -> None:
        """Queue a subscription's result, replacing its result not sent yet."""
        self.pending[("result", op_id)] = text
        self._flush()

    def _flush(self) -> None:
        if self._writer is None and not self._finished:
            self._writer = asyncio.create_task(self._write(), name="ws writer")

    async def _write(self) -> None:
        """Send the pending messages in order, then end (the next message starts another)."""
        try:
            while self.pending:
                key = next(iter(self.pending))
                await self._send({"type": "websocket.send", "text": self.pending.pop(key)})
        except Exception:  # the socket is gone (or closed): nothing more can be sent
            self.pending.clear()
        finally:
            self._writer = None

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
        """Read messages until the socket closes; then stop everything it started.

        When the token expires, returns without closing: the server drops the socket.
        """
        loop = asyncio.get_running_loop()
        self._serving = asyncio.current_task()
        self._timers = [loop.call_later(self.settings.websocket_init_timeout,
                                        self._init_timeout)]
        self.send(self.protocol.keepalive())
        try:
            while not self.closed:
                message = await self._receive()
                if message["type"] != "websocket.receive":  # websocket.disconnect
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
        except asyncio.CancelledError:
            if not self.expired:
                raise
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        finally:
            self.closed = True
            self._finished = True
            for timer in self._timers:
                timer.cancel()
            self._stop_operations()
            if self._writer is not None:
                self._tasks.append(self._writer)
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

    def _init_timeout(self) -> None:
        if not self.init_received and not self.closed:
            self._tasks.append(asyncio.create_task(self._close_uninitialised(),
                                                   name="ws init timeout"))

    async def _close_uninitialised(self) -> None:
        """4408, unless a ``connection_init`` already received is only waiting to be read.

        A loop timer runs before the socket data that arrived in the same loop iteration
        is handed to this connection: on a saturated server a client that sent its
        ``connection_init`` in time would otherwise be closed. A few loop turns let it in.
        """
        for _ in range(3):
            await asyncio.sleep(0)
        if not self.init_received and not self.closed:
            await self.close(Close(4408, "Connection initialisation timeout"))

    def _expire(self) -> None:
        """The token expired: stop reading and drop the socket (no close frame), as Hasura."""
        if self.closed:
            return
        self.expired = True
        self.closed = True
        if self._serving is not None:
            self._serving.cancel()

    # -- messages ------------------------------------------------------------------------
    async def _handle(self, text: str) -> None:
        if text == _PONG and self.protocol.name == "graphql-transport-ws":
            return  # the answer to a keep-alive, most of what a client sends: not parsed
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
        headers, self.handshake_headers = self.handshake_headers, {}  # read once: let go
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
            loop = asyncio.get_running_loop()
            self._timers.append(loop.call_later(max(0.0, session.expires_at - time.time()),
                                                self._expire))

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
            prepared = engine.prepare(payload, self.session, self.headers, self.relay)
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
                self.send(self.protocol.data(op_id, body.decode()))
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
