"""A GraphQL POST answered straight from the HTTP protocol, without the ASGI cycle.

uvicorn runs each request as a ``RequestResponseCycle``: a scope, a ``receive`` and a
``send`` coroutine, a message dict per event, header checks on the way out. For the
GraphQL routes the engine's protocol (:mod:`engine.server.http_protocol`) starts a
:class:`DirectCycle` in its place. It stands in for uvicorn's cycle where the protocol
looks (body gathered by the parser's callbacks, ``message_event``, ``keep_alive``,
``response_complete``, ``disconnected``, ``run_asgi``), so pipelining, the keep-alive
timeout, back-pressure, connection loss and graceful shutdown stay uvicorn's own. It calls
the same route logic as the ASGI app (:class:`~engine.server.graphql_route.GraphQLEndpoint`'s
``head`` and ``answer``) and writes the whole response in one write.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, RequestResponseCycle
from uvicorn.server import ServerState

from engine.server.cors import CorsPolicy
from engine.server.graphql_route import GraphQLEndpoint, refused
from engine.server.request_guard import RequestRefusedError, too_large
from engine.server.responses import Answer

logger = logging.getLogger("uvicorn.error")
"""uvicorn's logger: an exception escaping a request is logged where uvicorn logs its own."""

_JSON_HEAD = b"content-type: application/json; charset=utf-8\r\ncontent-length: "
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_CLOSE = b"connection: close\r\n"
_ERROR_500 = (b"content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\n"
              b"connection: close\r\n\r\nInternal Server Error")
_BAD_VALUE = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")
"""What uvicorn refuses in a response header value (CR, LF and other controls)."""


class DefaultHeaders:
    """uvicorn's default response headers (``date``, ``server``) rendered once per change.

    The server replaces its list once a second (a new ``date``); it is rendered again then.
    """

    def __init__(self) -> None:
        self._source: list[tuple[bytes, bytes]] | None = None
        self._rendered = b""

    def render(self, headers: list[tuple[bytes, bytes]]) -> bytes:
        """``headers`` as header lines."""
        if headers is not self._source:
            self._rendered = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
            self._source = headers
        return self._rendered


DEFAULT_HEADERS = DefaultHeaders()


class Signal:
    """``asyncio.Event``'s ``set``/``clear``/``wait`` for one waiter.

    No future until one waits: a request's body nearly always comes with its headers, and
    then nobody waits.
    """

    __slots__ = ("_set", "_waiter")

    def __init__(self) -> None:
        self._set = False
        self._waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        """Set the flag and wake the waiter."""
        self._set = True
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        """Unset the flag."""
        self._set = False

    def is_set(self) -> bool:
        """Whether the flag is set."""
        return self._set

    async def wait(self) -> None:
        """Return once the flag is set."""
        if self._set:
            return
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        await waiter


class DirectCycle(RequestResponseCycle):
    """One GraphQL POST on a connection, from its headers to the response's one write.

    Built in place of uvicorn's cycle once the request's headers are in (uvicorn's
    ``__init__`` is not run: only the attributes its protocol reads are set).
    """

    def __init__(self, endpoint: GraphQLEndpoint, cors: CorsPolicy | None,
                 headers: list[tuple[bytes, bytes]], peer: str | None,
                 transport: asyncio.Transport, flow: FlowControl,
                 server_state: ServerState,
                 expect_100_continue: bool, keep_alive: bool,
                 on_response: Callable[[], None]) -> None:
        self.endpoint = endpoint
        self.cors = cors
        self.headers = headers
        self.peer = peer
        self.transport = transport
        self.flow = flow
        self.server_state = server_state
        self.on_response = on_response
        self.message_event = Signal()  # type: ignore[assignment]
        self.disconnected = False
        self.keep_alive = keep_alive
        self.waiting_for_100_continue = expect_100_continue
        self.body = bytearray()
        self.more_body = True
        self.response_started = False
        self.response_complete = False

    async def run_asgi(self, app: Any) -> None:
        """Answer the request (``app`` is unused: the route is the endpoint's)."""
        try:
            answer = await self._answer()
            if answer is not None:
                if self.flow.write_paused and not self.disconnected:
                    await self.flow.drain()
                self._respond(*answer)
        except BaseException as exc:  # as uvicorn: whatever escapes is answered 500
            logger.error("Exception in ASGI application\n", exc_info=exc)
            if not self.response_started:
                await self._respond_500()
            else:
                self.transport.close()
        finally:
            self.on_response = _nothing

    async def _answer(self) -> Answer | None:
        endpoint = self.endpoint
        head = endpoint.head(self.headers, self.peer)
        if head.refusal is not None:
            return head.refusal
        limit = endpoint.max_body_bytes
        try:
            # Nearly always the whole body came with the headers: no waiting then.
            body = self._body(limit)
            while isinstance(body, _More):
                # The parser pauses reading past its high-water mark; resume for the rest.
                self.flow.resume_reading()
                await self.message_event.wait()
                self.message_event.clear()
                body = self._body(limit)
        except RequestRefusedError as exc:
            return refused(exc)
        if body is None:
            return None  # the client went away
        return await endpoint.answer(head, body)

    def _body(self, limit: int) -> bytes | _More | None:
        """The whole body, None if the client disconnected first, or :data:`_MORE` to wait.

        Raises:
            RequestRefusedError: 413 once more than ``limit`` bytes came.
        """
        if self.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(_CONTINUE)
            self.waiting_for_100_continue = False
        if self.disconnected:
            return None
        if len(self.body) > limit:
            raise too_large(limit)
        if self.more_body:
            return _MORE
        return bytes(self.body)

    def _respond(self, status: int, body: bytes,
                 extra: list[tuple[bytes, bytes]] | None) -> None:
        """Write the response's head and body in one write, then finish as uvicorn does.

        The caller waited for the transport to drain first.
        """
        if self.disconnected:
            return
        self.response_started = True
        self.waiting_for_100_continue = False
        parts = [STATUS_LINE[status], DEFAULT_HEADERS.render(self.server_state.default_headers),
                 _JSON_HEAD, str(len(body)).encode(), b"\r\n"]
        cors = None if self.cors is None else self.cors.for_request(self.headers)
        for headers in (extra, cors):
            if headers:
                for name, value in headers:
                    if _BAD_VALUE.search(value):
                        raise RuntimeError("Invalid HTTP header value.")
                    parts += (name.lower(), b": ", value, b"\r\n")
        if not self.keep_alive:
            parts.append(_CLOSE)
        parts += (b"\r\n", body)
        self._write(b"".join(parts))
        self._complete()

    async def _respond_500(self) -> None:
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        self.response_started = True
        self.keep_alive = False
        self._write(STATUS_LINE[500] + DEFAULT_HEADERS.render(self.server_state.default_headers)
                    + _ERROR_500)
        self._complete()

    def _write(self, data: bytes) -> None:
        write_now = getattr(self.transport, "write_now", None)
        if write_now is not None:
            write_now(data)
        else:
            self.transport.write(data)

    def _complete(self) -> None:
        self.response_complete = True
        self.message_event.set()
        if not self.keep_alive:
            self.transport.close()
        self.on_response()


def _nothing() -> None:
    pass


class _More:
    """More of the body is to come (:meth:`DirectCycle._body`)."""


_MORE = _More()
