"""uvicorn's httptools protocol, with a response's writes sent in one system call.

The protocol writes through a :class:`~engine.server.coalescing_transport.CoalescingTransport`,
so a small answer leaves in one segment. A websocket upgrade hands the socket's own
transport to the websocket protocol.

A ``POST`` to one of the app's GraphQL routes (its ``direct_routes``) skips uvicorn's ASGI
cycle: the protocol keeps a :class:`~engine.server.direct_cycle.DirectRequest`, calls the
route's own logic once the body is in, and writes the response in one write. Every other
request (other paths and methods, ``OPTIONS`` preflights, websocket upgrades) and the
lifespan go through uvicorn as before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from engine.server.coalescing_transport import CoalescingTransport
from engine.server.direct_cycle import CONTINUE, RESPONSE_STARTS, DirectRequest
from engine.server.graphql_route import GraphQLEndpoint, RequestHead, refused
from engine.server.request_guard import too_large


class EngineHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a :class:`CoalescingTransport`, GraphQL POSTs direct.

    The app's ``direct_routes`` (raw path to endpoint) are read once; an app without them
    (or a server with a root path or a concurrency limit, which the direct path does not
    apply) is served by uvicorn alone.

    The parser's per-request callbacks are the engine's: they gather the URL and the
    headers as sent (names in their own case) and build uvicorn's ASGI scope only for a
    request uvicorn serves. The task answering direct requests is not registered with
    uvicorn's server; one still answering when its connection is lost is, so that a
    graceful shutdown waits for it as for uvicorn's own.

    A connection's direct requests are answered by one task (:meth:`_answer_each`),
    started with the first and ended when the connection is lost, rather than by a task
    per request (its creation and its registration in asyncio's set of tasks).
    """

    cycle: RequestResponseCycle | DirectRequest  # type: ignore[assignment]
    pipeline: deque[tuple[RequestResponseCycle | DirectRequest, Any]]  # type: ignore[assignment]

    def __init__(self, config: Config, server_state: ServerState,
                 app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        routes: Mapping[bytes, GraphQLEndpoint] = getattr(config.app, "direct_routes", None) or {}
        if config.root_path or config.limit_concurrency is not None:
            routes = {}
        self.direct_routes = routes
        self.peer: str | None = None
        self.write_now: Callable[[bytes], None] = _closed
        """Write a whole response at once (the wrapped transport's ``write_now``)."""
        self.answerer: asyncio.Task[None] | None = None
        """The task answering this connection's direct requests, in order."""
        self.answering: DirectRequest | None = None
        """The direct request being answered."""
        self.next_request: DirectRequest | None = None
        """The request to answer once :attr:`answering`'s response is out."""
        self.waiter: asyncio.Future[DirectRequest | None] | None = None
        """What the idle :attr:`answerer` waits on for the next request."""
        self.lost = False
        # The last head that passed on this connection (its route and headers as sent): a
        # client sends the same headers request after request, and a connection has one
        # peer, so equal headers get the head the route's LRU would give, without hashing
        # them. Refusals and failures are read anew each time, as the route does.
        self.kept_route: GraphQLEndpoint | None = None
        self.kept_headers: list[tuple[bytes, bytes]] | None = None
        self.kept_head: RequestHead | None = None
        self.url = b""
        self.headers = []
        self.idle_since: float | None = None
        """When the connection's last response went out with nothing received since."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Wrap the connection's transport, then set up as uvicorn does."""
        wrapped: Any = CoalescingTransport(transport, self.loop)  # type: ignore[arg-type]
        super().connection_made(wrapped)
        self.peer = self.client[0] if self.client else None
        self.write_now = wrapped.write_now

    def data_received(self, data: bytes) -> None:
        """Feed the parser, as uvicorn does (the keep-alive timer only notes the read)."""
        self.idle_since = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    # No callback at a request's start (one Python call fewer per request): the URL and
    # headers gathered are reset once a request's headers are taken, the ASGI scope is
    # built only for a request uvicorn serves (_begin_scope).
    on_message_begin = None  # type: ignore[assignment]

    def on_header(self, name: bytes, value: bytes) -> None:
        """One header, as sent (uvicorn's scope gets lower-cased names)."""
        self.headers.append((name, value))

    def _begin_scope(self) -> None:
        """Build the request's ASGI scope as uvicorn does, from the headers read."""
        url = self.url
        headers = [(name.lower(), value) for name, value in self.headers]
        super().on_message_begin()
        self.url = url
        self.headers = self.scope["headers"] = headers
        self.expect_100_continue = any(name == b"expect" and value.lower() == b"100-continue"
                                       for name, value in headers)

    def on_headers_complete(self) -> None:
        """Take a GraphQL POST as a :class:`DirectRequest`; anything else as uvicorn does."""
        parser = self.parser
        endpoint = None
        if self.direct_routes and parser.get_method() == b"POST" and not parser.should_upgrade():
            url = self.url
            # find, not `in`: CPython 3.11's bytes `in` first tries the operand as an
            # integer, raising and clearing a TypeError on every request.
            if url.find(b"?") >= 0 or url.find(b"#") >= 0:
                url = httptools.parse_url(url).path
            endpoint = self.direct_routes.get(url)
        if endpoint is None:
            self._to_uvicorn()
            return
        headers = self.headers
        kept = self.kept_head
        if kept is not None and endpoint is self.kept_route and headers == self.kept_headers:
            head = kept
        else:
            try:
                head = endpoint.head(headers, self.peer)
            except Exception:  # the server's fault: the ASGI route meets it too, answers 500
                self._to_uvicorn()
                return
            if head.refusal is None and head.failure is None:
                self.kept_route, self.kept_headers, self.kept_head = endpoint, headers, head
        self.url = b""
        self.headers = []
        keep_alive = parser.should_keep_alive()
        if keep_alive and head.names_connection:
            # An HTTP/1.0 client is kept alive only when it asks (a Connection header);
            # uvicorn closes it all the same. The version costs a string per call.
            keep_alive = parser.get_http_version() != "1.0"
        request = DirectRequest(endpoint, head, keep_alive)
        existing = self.cycle
        self.cycle = request
        if existing is None or existing.response_complete:
            if request.refusal is None and not head.expect_continue:
                request.current = True  # answered once its body is in
            else:
                self._make_current(request)
        else:  # pipelined: answered in order, once the request before it is
            self.flow.pause_reading()
            self.pipeline.appendleft((request, None))

    def _to_uvicorn(self) -> None:
        """Serve the request whose headers are in through uvicorn's cycle and the ASGI app."""
        self._begin_scope()
        super().on_headers_complete()
        if not self.parser.should_upgrade():  # an upgrade reads them once the parser stops
            self.url = b""
            self.headers = []

    def _make_current(self, request: DirectRequest) -> None:
        """``request`` is next to answer: start its answer if it can, else ask for its body."""
        request.current = True
        if request.complete or request.refusal is not None:
            self._start(request)
        elif request.head.expect_continue and not self.transport.is_closing():
            self.transport.write(CONTINUE)

    def _start(self, request: DirectRequest) -> None:
        """Hand ``request`` to the connection's answering task (started on first use)."""
        request.started = True
        if self.answering is not None:  # answering the one before: this one comes next
            self.next_request = request
            return
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.set_result(request)
        else:
            self.answerer = self.loop.create_task(self._answer_each(request))

    async def _answer_each(self, request: DirectRequest | None) -> None:
        """Answer the connection's direct requests one after another, until it is lost.

        One task per connection rather than per request: between requests it waits on a
        future that :meth:`_start` resolves with the next one (or :meth:`connection_lost`
        with None).
        """
        loop = self.loop
        flow = self.flow
        try:
            while request is not None:
                self.answering = request
                # The answer (whole, or refused), written in one write.
                try:
                    answer = request.refusal
                    if answer is None:
                        answer = await request.endpoint.answer(request.head,
                                                               request.take_body())
                    if flow.write_paused and not request.disconnected:
                        await flow.drain()
                    if not request.disconnected:
                        request.response_started = True
                        self.write_now(request.response(*answer,
                                                        self.server_state.default_headers))
                        self._complete(request)
                except BaseException as exc:  # as uvicorn: whatever escapes is answered 500
                    self.logger.error("Exception in ASGI application\n", exc_info=exc)
                    if request.response_started:
                        self.transport.close()
                    else:
                        await self._answer_500(request)
                    if isinstance(exc, asyncio.CancelledError):
                        raise  # the connection's answering task is being stopped
                self.answering = None
                request = self.next_request
                if request is None and not self.lost:
                    waiter = self.waiter = loop.create_future()
                    request = await waiter
                else:
                    self.next_request = None
        finally:
            self.answering = self.next_request = self.waiter = None
            self.answerer = None

    def on_body(self, body: bytes) -> None:
        """A piece of a body; a direct request's past its route's limit is refused (413)."""
        request = self.cycle
        if type(request) is not DirectRequest:
            super().on_body(body)
            return
        if request.refusal is not None:
            return
        limit = request.endpoint.max_body_bytes
        if request.add_body(body) > limit:
            request.body = b""
            request.refusal = refused(too_large(limit))
            if request.current and not request.started:
                self._start(request)

    def on_message_complete(self) -> None:
        """A request's end: a direct one's answer starts if it is current."""
        request = self.cycle
        if type(request) is not DirectRequest:
            super().on_message_complete()
            return
        request.complete = True
        if request.current and not request.started:
            self._start(request)

    async def _answer_500(self, request: DirectRequest) -> None:
        if self.flow.write_paused and not request.disconnected:
            await self.flow.drain()
        if request.disconnected:
            return
        request.response_started = True
        request.keep_alive = False
        self.write_now(RESPONSE_STARTS.error_500(self.server_state.default_headers))
        self._complete(request)

    def _complete(self, request: DirectRequest) -> None:
        request.response_complete = True
        if not request.keep_alive:
            self.transport.close()
        self.on_response_complete()

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
        if self.flow.read_paused:
            self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            if isinstance(cycle, RequestResponseCycle):
                self._start_asgi_task(cycle, app)
            else:
                self._make_current(cycle)
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
        """Drop the keep-alive timer, mark a direct request in flight, then as uvicorn does.

        A direct request's answer still running is handed to the server's tasks (a
        graceful shutdown waits for them); its response is dropped.
        """
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
        answering = self.answering
        if answering is not None and not answering.response_complete:
            answering.disconnected = True
            task = self.answerer
            if task is not None and not task.done():
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        self._end_answering()
        super().connection_lost(exc)

    def _end_answering(self) -> None:
        """No more direct requests on this connection: an idle answering task ends."""
        self.lost = True
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.set_result(None)

    def handle_websocket_upgrade(self) -> None:
        """Upgrade as uvicorn does, handing the websocket protocol the socket's own transport.

        A websocket frame is already one write, and a socket lives for hours: through the
        wrapper every frame would cost an extra loop callback, and every read pause and
        resume (one of each per received message) an attribute lookup.
        """
        self._end_answering()  # the websocket protocol has the connection from here on
        wrapped = self.transport
        if isinstance(wrapped, CoalescingTransport):
            self.transport = wrapped.detach()
        super().handle_websocket_upgrade()


def _closed(data: bytes) -> None:
    raise ConnectionError("no connection yet")
