"""uvicorn's httptools protocol, with a response's writes sent in one system call.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, and the body on ``http.response.body``: two socket writes per
response, each waking the client on loopback. Here every write made during one turn of the
event loop is held and sent together at the end of that turn (``writelines``, one
``writev``), so a small answer leaves in one segment. Nothing waits longer than the turn
that produced it, and ``close``/``write_eof`` send what is held first. A websocket
upgrade hands the socket's own transport to the websocket protocol.

A ``POST`` to one of the app's GraphQL routes (its ``direct_routes``) skips uvicorn's ASGI
cycle: the protocol runs a :class:`~engine.server.direct_cycle.DirectCycle`, which calls
the route's own logic and writes the response in one write. Every other request (other
paths and methods, ``OPTIONS`` preflights, websocket upgrades) and the lifespan go through
uvicorn as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from engine.server.cors import CorsPolicy
from engine.server.direct_cycle import DirectCycle
from engine.server.graphql_route import GraphQLEndpoint


class CoalescingTransport:
    """A transport whose writes within one event-loop turn go out together.

    Everything but writing is the wrapped transport's own (``__getattr__``).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None
        # What the protocol asks of the transport on every request, bound once (not
        # through __getattr__, which runs only after an attribute lookup failed).
        self.is_closing = transport.is_closing

    def write(self, data: bytes) -> None:
        """Hold ``data`` until the end of this loop turn."""
        if not data:
            return
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self._flush)
        else:
            self._pending.append(data)

    def writelines(self, chunks: Any) -> None:
        """Hold each chunk until the end of this loop turn."""
        for chunk in chunks:
            self.write(chunk)

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1:
            self._transport.write(pending[0])
        else:
            self._transport.writelines(pending)

    def write_now(self, data: bytes) -> None:
        """Write ``data`` at once, after anything held (one write for a whole response)."""
        if self._pending is not None:
            self._flush()
        self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        """Bytes not yet written: held here, then in the transport's buffer."""
        held = sum(len(chunk) for chunk in self._pending or ())
        return held + int(self._transport.get_write_buffer_size())

    def write_eof(self) -> None:
        """Send what is held, then end the stream."""
        self._flush()
        self._transport.write_eof()

    def close(self) -> None:
        """Send what is held, then close."""
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is held and close at once."""
        self._pending = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class EngineHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a :class:`CoalescingTransport`, GraphQL POSTs direct.

    The app's ``direct_routes`` (raw path to endpoint) and ``cors`` policy are read once;
    an app without them (or a server with a root path or a concurrency limit, which the
    direct path does not apply) is served by uvicorn alone.
    """

    def __init__(self, config: Config, server_state: ServerState,
                 app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        routes: Mapping[bytes, GraphQLEndpoint] = getattr(config.app, "direct_routes", None) or {}
        if config.root_path or config.limit_concurrency is not None:
            routes = {}
        self.direct_routes = routes
        self.direct_cors: CorsPolicy | None = getattr(config.app, "cors", None)
        self.idle_since: float | None = None
        """When the connection's last response went out with nothing received since."""

    def on_message_begin(self) -> None:
        """A request starts: its URL and headers; its ASGI scope only if uvicorn serves it."""
        self.url = b""
        self.expect_100_continue = False
        self.headers = []

    def _begin_scope(self) -> None:
        """Build the request's ASGI scope as uvicorn does (it holds the headers read so far)."""
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.headers, self.expect_100_continue = url, headers, expect
        self.scope["headers"] = headers

    def on_headers_complete(self) -> None:
        """Start a :class:`DirectCycle` for a GraphQL POST; anything else as uvicorn does."""
        parser = self.parser
        endpoint = None
        if self.direct_routes and parser.get_method() == b"POST" and not parser.should_upgrade():
            url = self.url
            if b"?" in url or b"#" in url:
                url = httptools.parse_url(url).path
            endpoint = self.direct_routes.get(url)
        if endpoint is None:
            self._begin_scope()
            super().on_headers_complete()
            return
        existing = self.cycle
        self.cycle = cycle = DirectCycle(
            endpoint, self.direct_cors, self.headers, self.client[0] if self.client else None,
            self.transport, self.flow, self.server_state,
            expect_100_continue=self.expect_100_continue,
            keep_alive=parser.get_http_version() != "1.0" and parser.should_keep_alive(),
            on_response=self.on_response_complete)
        if existing is None or existing.response_complete:
            self._start_asgi_task(cycle, self.app)
        else:  # pipelined: answered in order, once the request before it is
            self.flow.pause_reading()
            self.pipeline.appendleft((cycle, self.app))

    def on_body(self, body: bytes) -> None:
        """A piece of the body; for a :class:`DirectCycle` without uvicorn's upgrade checks.

        A direct cycle is never an upgrade (see :meth:`on_headers_complete`).
        """
        cycle = self.cycle
        if type(cycle) is not DirectCycle:
            super().on_body(body)
            return
        if cycle.response_complete:
            return
        cycle.body += body
        if len(cycle.body) > HIGH_WATER_LIMIT:
            self.flow.pause_reading()
        cycle.message_event.set()

    def on_message_complete(self) -> None:
        """The request's end; for a :class:`DirectCycle` without uvicorn's upgrade checks."""
        cycle = self.cycle
        if type(cycle) is not DirectCycle:
            super().on_message_complete()
            return
        if cycle.response_complete:
            return
        cycle.more_body = False
        cycle.message_event.set()

    # Keep-alive: uvicorn arms a timer after each response and cancels it on the next read.
    # Here one timer covers an idle spell: reads only mark the connection busy, and a timer
    # that fires early (a response went out since it was armed) waits for the remainder.

    def _unset_keepalive_if_required(self) -> None:
        self.idle_since = None

    def on_response_complete(self) -> None:
        """Start the next pipelined request, or count the connection idle from now."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.idle_since = None
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self.idle_since = self.loop.time()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def timeout_keep_alive_handler(self) -> None:
        """Close the connection once it has been idle for the keep-alive timeout."""
        self.timeout_keep_alive_task = None
        if self.idle_since is None:
            return  # busy: its next response arms the timer again
        left = self.idle_since + self.timeout_keep_alive - self.loop.time()
        if left > 0:
            self.timeout_keep_alive_task = self.loop.call_later(
                left, self.timeout_keep_alive_handler)
            return
        super().timeout_keep_alive_handler()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the keep-alive timer, then as uvicorn does."""
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
        super().connection_lost(exc)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Wrap the connection's transport, then set up as uvicorn does."""
        wrapped: Any = CoalescingTransport(transport, self.loop)  # type: ignore[arg-type]
        super().connection_made(wrapped)

    def handle_websocket_upgrade(self) -> None:
        """Upgrade as uvicorn does, handing the websocket protocol the socket's own transport.

        A websocket frame is already one write, and a socket lives for hours: through the
        wrapper every frame would cost an extra loop callback, and every read pause and
        resume (one of each per received message) an attribute lookup.
        """
        wrapped = self.transport
        if isinstance(wrapped, CoalescingTransport):
            wrapped._flush()  # nothing is held before an upgrade; if it were, it goes first
            self.transport = wrapped._transport
        super().handle_websocket_upgrade()
