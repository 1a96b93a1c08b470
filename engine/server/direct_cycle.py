"""A GraphQL POST answered straight from the HTTP protocol, without the ASGI cycle.

uvicorn runs each request as a ``RequestResponseCycle``: a scope, a ``receive`` and a
``send`` coroutine, a message dict per event, an ``asyncio.Event``, header checks on the
way out, and a task started with the request's headers that waits for its body. For the
GraphQL routes the engine's protocol (:mod:`engine.server.http_protocol`) keeps a
:class:`DirectRequest` in its place: what the parser's callbacks gathered (the route, the
head its headers decide, the body) and where the request stands. Its answer starts only
once the whole body is in (or a refusal is decided), in the connection's answering task
(one per connection, not one per request), and runs
:meth:`~engine.server.graphql_route.GraphQLEndpoint.answer`, the route logic the ASGI app
calls too. The whole response goes out in one write, its start (status line, uvicorn's
``date`` and ``server``, content type) rendered once per status and second
(:class:`ResponseStarts`), and the header lines its request's headers decide (CORS)
kept with the head.

The protocol stays uvicorn's where it looks at the current request (``response_complete``,
``disconnected``, ``keep_alive``, ``message_event``), so its pipelining, keep-alive
timeout, connection loss and graceful shutdown apply to direct requests as to its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from uvicorn.protocols.http.httptools_impl import STATUS_LINE

if TYPE_CHECKING:
    from engine.server.graphql_route import GraphQLEndpoint, RequestHead
    from engine.server.responses import Answer

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
CLOSE = b"connection: close\r\n"
_JSON_HEAD = b"content-type: application/json; charset=utf-8\r\ncontent-length: "
_ERROR_500 = (b"content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\n"
              b"connection: close\r\n\r\nInternal Server Error")
BAD_VALUE = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")
"""What uvicorn refuses in a response header value (CR, LF and other controls)."""


def header_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    """``headers`` as header lines, names lower-cased.

    Raises:
        RuntimeError: a value holds a control character (as uvicorn refuses it).
    """
    parts: list[bytes] = []
    for name, value in headers:
        if BAD_VALUE.search(value):
            raise RuntimeError("Invalid HTTP header value.")
        parts += (name.lower(), b": ", value, b"\r\n")
    return b"".join(parts)


class ResponseStarts:
    """A JSON response's start up to its length, per status, for the current default headers.

    uvicorn's server replaces its list of default headers (``date``, ``server``) once a
    second; the starts are rendered again after that, on first use.
    """

    def __init__(self) -> None:
        self._source: list[tuple[bytes, bytes]] | None = None
        self._starts: dict[int, bytes] = {}
        self._defaults = b""

    def defaults(self, default_headers: list[tuple[bytes, bytes]]) -> bytes:
        """``default_headers`` as header lines."""
        if default_headers is not self._source:
            self._defaults = b"".join(name + b": " + value + b"\r\n"
                                      for name, value in default_headers)
            self._starts = {}
            self._source = default_headers
        return self._defaults

    def json(self, status: int, default_headers: list[tuple[bytes, bytes]]) -> bytes:
        """Status line, default headers, JSON content type and ``content-length: ``."""
        if default_headers is self._source:
            start = self._starts.get(status)
            if start is not None:
                return start
        start = STATUS_LINE[status] + self.defaults(default_headers) + _JSON_HEAD
        self._starts[status] = start
        return start

    def error_500(self, default_headers: list[tuple[bytes, bytes]]) -> bytes:
        """The whole plain-text 500 uvicorn answers an exception with (closing)."""
        return STATUS_LINE[500] + self.defaults(default_headers) + _ERROR_500


RESPONSE_STARTS = ResponseStarts()


class _NoEvent:
    """A direct request's ``message_event``: nobody waits on it.

    uvicorn's protocol sets its cycle's event when the connection is lost.
    """

    __slots__ = ()

    def set(self) -> None:
        """Nothing waits."""


class DirectRequest:
    """One GraphQL POST on a connection, from its headers to its response.

    ``refusal`` is the answer decided without the route's ``answer`` (the head's transport
    refusal, or 413 once the body passed the limit). ``current`` is set once the requests
    before it on the connection are answered; its answer starts (``started``) once it is
    current and either refused or complete.
    """

    __slots__ = ("body", "complete", "current", "disconnected", "endpoint", "head",
                 "keep_alive", "refusal", "response_complete", "response_started", "started")

    message_event = _NoEvent()

    def __init__(self, endpoint: GraphQLEndpoint, head: RequestHead, keep_alive: bool) -> None:
        self.endpoint = endpoint
        self.head = head
        self.keep_alive = keep_alive
        self.refusal: Answer | None = head.refusal
        self.body: bytes | bytearray = b""
        self.complete = False
        self.current = False
        self.started = False
        self.disconnected = False
        self.response_started = False
        self.response_complete = False

    def take_body(self) -> bytes:
        """The body gathered, as bytes."""
        body = self.body
        return body if type(body) is bytes else bytes(body)

    def add_body(self, chunk: bytes) -> int:
        """Append ``chunk`` to the body; its length now."""
        body = self.body
        if not body:
            self.body = body = chunk
        else:
            if type(body) is bytes:
                self.body = body = bytearray(body)
            body += chunk
        return len(body)

    def response(self, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None,
                 default_headers: list[tuple[bytes, bytes]]) -> bytes:
        """The whole response, head and ``body``, for one write.

        Status line, default headers, JSON type and length, ``extra``, the head's lines,
        ``connection: close`` unless kept alive.

        Raises:
            RuntimeError: an ``extra`` value holds a control character.
        """
        lines = self.head.response_lines
        if extra:
            lines = header_lines(extra) + lines
        return b"".join((RESPONSE_STARTS.json(status, default_headers), str(len(body)).encode(),
                         b"\r\n", lines, b"\r\n" if self.keep_alive else CLOSE + b"\r\n", body))
