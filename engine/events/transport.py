"""A lean HTTP/1.1 keep-alive transport for webhook delivery and action handlers.

httpx's default transport (httpcore over anyio) costs about 0.6 ms of CPU per request on
the machines this runs on, and its pool slows down as connections grow (100 connections:
under 200 requests/s). Webhook delivery and action calls only need POSTs over HTTP/1.1
with keep-alive, so this transport does just that: each connection is an asyncio protocol
whose answers are parsed by httptools (llhttp, the parser uvicorn serves with), and the
request head is written directly, its header names and values checked as h11 would. One
idle-connection list per origin, at most ``max_idle`` kept. Callers on the hot path (event
and cron delivery, action handlers) use :meth:`KeepAliveTransport.exchange` without
httpx's client layers; it still serves as an ``httpx.AsyncClient`` transport. Timeouts and
exceptions are httpx's.

A kept-alive connection the server has since closed (its idle timeout) is found before
anything is written on it: it is dropped when it has seen the server's end of stream, or
when its socket is readable at all (an idle HTTP/1.1 connection has nothing to read but a
close), and the request goes out on another connection. A request already written that
gets no byte of answer may or may not have reached the server's application, so it is sent
again only when ``resend_unanswered`` allows it: right for webhook delivery, which is
at-least-once anyway (receivers must be idempotent), wrong for an action call, which could
run twice (a bid placed, a user signed up twice).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import select
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast
from urllib.parse import unquote_to_bytes

import httptools
import httpx

Origin = tuple[str, str, int]

_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(rb"[^\x00-\x08\x0a-\x1f\x7f]*")
"""What h11 accepts in a header value: no control characters but tab."""
_TARGET = re.compile(rb"[\x21-\x7e]+")


@dataclass(frozen=True)
class Answer:
    """A whole response, as :meth:`KeepAliveTransport.exchange` returns it."""

    status_code: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    content: bytes


def _readable(fd: int) -> bool:
    """Whether the socket has something to read (data, end of stream or an error) right now."""
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Target(NamedTuple):
    """Where a webhook or handler URL points."""

    scheme: str
    host: str
    port: int | None
    path: bytes
    """Path and query, as sent on the request line."""
    headers: list[tuple[bytes, bytes]]
    """Host, and Basic auth when the URL holds credentials."""


@lru_cache(maxsize=256)
def target_of(url: str) -> Target:
    """Parse a webhook or handler URL once (a URL rarely changes)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(f"invalid URL: {exc}") from None
    headers = [(b"Host", parsed.netloc.split(b"@")[-1])]
    if parsed.userinfo:  # as httpx does: credentials in the URL become Basic auth
        headers.append((b"Authorization", b"Basic " + base64.b64encode(
            unquote_to_bytes(parsed.userinfo))))
    return Target(parsed.scheme, parsed.host, parsed.port, parsed.raw_path, headers)


def request_head(method: bytes, target: bytes, headers: list[tuple[bytes, bytes]],
                 length: int) -> bytes:
    """The request line and headers, ``Content-Length`` set to ``length``.

    Raises ``httpx.LocalProtocolError`` for a name, value or target that would break the
    message (a line break in a value, a space in a name...).
    """
    if not _TOKEN.fullmatch(method) or not _TARGET.fullmatch(target):
        raise httpx.LocalProtocolError("illegal request method or target")
    lines = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            raise httpx.LocalProtocolError(f"illegal header name {name!r}")
        if name.lower() == b"content-length":
            continue
        value = value.strip(b" \t")
        if not _FIELD_VALUE.fullmatch(value):
            raise httpx.LocalProtocolError(f"illegal header value in {name.decode()!r}")
        lines += (name, b": ", value, b"\r\n")
    lines.append(b"Content-Length: %d\r\n\r\n" % length)
    return b"".join(lines)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: a request at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reused = False
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.started = False
        """A byte of the answer has arrived."""
        self.headers_done = False
        self.done = False
        self.keep_alive = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's: no isinstance check.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self.done:  # nothing asked: stray bytes or a desync
            self.close()
            return
        self.started = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed answer: {exc}"))

    def eof_received(self) -> bool:
        self.closed = True
        if self._waiter is not None and not self.done:
            if self.headers_done and self._delimited_by_close():
                self._complete()
            else:
                self._fail(httpx.ReadError("the server closed the connection"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self.done:
            self._fail(httpx.ReadError(str(exc) if exc else "the server closed the connection"))

    # httptools callbacks
    def on_message_begin(self) -> None:
        if self.done:  # bytes after the answer: the connection is out of step
            raise httpx.RemoteProtocolError("unexpected data after the answer")
        self._reset()
        self.started = True

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        self.keep_alive = self._parser.should_keep_alive()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:  # informational: the answer follows
            return
        self._complete()

    # the exchange
    def _delimited_by_close(self) -> bool:
        return not any(name.lower() in (b"content-length", b"transfer-encoding")
                       for name, _ in self.headers)

    def _complete(self) -> None:
        self.done = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, exc: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)
        self.close()

    def _time_out(self) -> None:
        self._fail(httpx.ReadTimeout("timed out waiting for the webhook's answer"))

    def usable(self) -> bool:
        """Whether an idle connection can carry the next request.

        The socket itself is asked too: the server's close may have arrived after the
        event loop last read from it, and a request written then would be lost.
        """
        if self.closed or self.transport is None or self.transport.is_closing():
            return False
        sock = self.transport.get_extra_info("socket")
        return sock is None or not _readable(sock.fileno())

    async def exchange(self, data: bytes, read_timeout: float | None) -> Answer:
        """Write a whole request, wait for the whole answer."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._reset()
        self._waiter = loop.create_future()
        if read_timeout is not None:
            self._timer = loop.call_later(read_timeout, self._time_out)
        try:
            self.transport.write(data)
            await self._waiter
        finally:
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        return Answer(self.status, self.reason, self.headers, b"".join(self.body))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None]:
    """(connect, read) seconds from the request's httpx timeout extension."""
    timeout = request.extensions.get("timeout") or {}
    return timeout.get("connect"), timeout.get("read")


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with persistent connections per origin; no proxies, no HTTP/2.

    ``resend_unanswered``: send a request again, once, on a fresh connection when a reused
    connection closed after it was written and before any byte of the answer (the server
    may have run it: only for idempotent or at-least-once calls).
    """

    def __init__(self, max_idle: int = 100, ssl_context: ssl.SSLContext | None = None,
                 *, resend_unanswered: bool = True) -> None:
        self.max_idle = max_idle
        self.resend_unanswered = resend_unanswered
        self._ssl = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    async def _connect(self, origin: Origin, limit: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(limit):
                _, conn = await loop.create_connection(
                    _Connection, host, port,
                    ssl=self._ssl_context() if scheme == "https" else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from None
        return conn

    def _checkout(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable():
                conn.reused = True
                return conn
            conn.close()
        return None

    def _checkin(self, origin: Origin, conn: _Connection) -> None:
        if conn.keep_alive and not conn.closed:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self.max_idle:
                idle.append(conn)
                return
        conn.close()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` (see the class for when it is sent again)."""
        url = request.url
        connect_timeout, read_timeout = _timeouts(request)
        answer = await self.exchange(
            url.scheme, url.host, url.port, request.method.encode(), url.raw_path,
            list(request.headers.raw), await request.aread(), connect_timeout, read_timeout)
        return httpx.Response(
            status_code=answer.status_code,
            headers=answer.headers,
            content=answer.content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason},
        )

    async def exchange(self, scheme: str, host: str, port: int | None, method: bytes,
                       target: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
                       connect_timeout: float | None, read_timeout: float | None) -> Answer:
        """One request without httpx's client layers (``headers`` must name the Host).

        The method must not be HEAD (its answer's length would be misread). Idle
        connections the server has closed are skipped; an unanswered request is sent
        again only as ``resend_unanswered`` says. Errors and timeouts are httpx's
        exceptions.
        """
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        origin = (scheme, host, port or (443 if scheme == "https" else 80))
        data = request_head(method, target, headers, len(body)) + body
        for _ in range(2):
            conn = self._checkout(origin) or await self._connect(origin, connect_timeout)
            try:
                answer = await conn.exchange(data, read_timeout)
            except httpx.ReadError:
                conn.close()
                if not (conn.reused and not conn.started and self.resend_unanswered):
                    raise
                continue
            except BaseException:
                conn.close()
                raise
            self._checkin(origin, conn)
            return answer
        raise httpx.ReadError("the server closed the connection")  # pragma: no cover

    async def aclose(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                with contextlib.suppress(Exception):
                    conn.close()
        self._idle.clear()
