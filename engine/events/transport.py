"""A lean HTTP/1.1 keep-alive transport for webhook delivery and action handlers.

httpx's default transport (httpcore over anyio) costs about 0.6 ms of CPU per request on
the machines this runs on, and its pool slows down as connections grow (100 connections:
under 200 requests/s). Webhook delivery only needs POSTs over HTTP/1.1 with keep-alive, so
this transport does just that with h11 (the parser httpx itself uses) on asyncio streams:
one idle-connection list per origin, at most ``max_idle`` kept. Callers on the hot path
(event and cron delivery, action handlers) use :meth:`KeepAliveTransport.exchange` without
httpx's client layers; it still serves as an ``httpx.AsyncClient`` transport. Timeouts
and exceptions are httpx's.

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
import select
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

import h11
import httpx

Origin = tuple[str, str, int]


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


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    h11: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))
    reused: bool = False

    def usable(self) -> bool:
        """Whether an idle connection can carry the next request.

        The socket itself is asked too: the server's close may have arrived after the
        event loop last read from it, and a request written then would be lost.
        """
        if self.writer.is_closing() or self.reader.at_eof():
            return False
        sock = self.writer.get_extra_info("socket")
        return sock is None or not _readable(sock.fileno())

    def close(self) -> None:
        self.writer.close()


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
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._ssl_context() if scheme == "https" else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from None
        return _Connection(reader, writer)

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
        if conn.h11.our_state is h11.DONE and conn.h11.their_state is h11.DONE:
            conn.h11.start_next_cycle()
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

        Idle connections the server has closed are skipped; an unanswered request is sent
        again only as ``resend_unanswered`` says. Errors and timeouts are httpx's exceptions.
        """
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        origin = (scheme, host, port or (443 if scheme == "https" else 80))
        for _ in range(2):
            conn = self._checkout(origin) or await self._connect(origin, connect_timeout)
            try:
                return await self._exchange(origin, conn, method, target, headers, body,
                                            read_timeout)
            except (httpx.RemoteProtocolError, httpx.ReadError):
                conn.close()
                if not (conn.reused and self.resend_unanswered):
                    raise
            except BaseException:
                conn.close()
                raise
        raise httpx.RemoteProtocolError("the server closed the connection")  # pragma: no cover

    async def _exchange(
        self,
        origin: Origin,
        conn: _Connection,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        read_timeout: float | None,
    ) -> Answer:
        head = h11.Request(
            method=method,
            target=target,
            headers=[*(h for h in headers if h[0].lower() != b"content-length"),
                     (b"Content-Length", str(len(body)).encode())],
        )
        parts = [conn.h11.send(head)]
        if body:
            parts.append(conn.h11.send(h11.Data(data=body)))
        parts.append(conn.h11.send(h11.EndOfMessage()))
        conn.writer.write(b"".join(p for p in parts if p))
        try:
            async with asyncio.timeout(read_timeout):
                await conn.writer.drain()
                response = await self._next_event(conn)
                if not isinstance(response, h11.Response):
                    raise httpx.RemoteProtocolError("no response from the server")
                content = b"".join([chunk async for chunk in self._body(conn)])
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the webhook's answer") from None
        except (ConnectionError, OSError) as exc:
            raise httpx.ReadError(str(exc)) from None
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from None
        self._checkin(origin, conn)
        return Answer(response.status_code, response.reason, list(response.headers), content)

    async def _next_event(self, conn: _Connection) -> h11.Event:
        while True:
            event = conn.h11.next_event()
            if event is h11.NEED_DATA:
                chunk = await conn.reader.read(65536)
                if not chunk and conn.h11.their_state is h11.SEND_RESPONSE:
                    raise httpx.ReadError("the server closed the connection")
                conn.h11.receive_data(chunk)
                continue
            if not isinstance(event, h11.Event):  # PAUSED: data after a complete response
                raise httpx.RemoteProtocolError("unexpected data after the response")
            if isinstance(event, h11.InformationalResponse):
                continue
            return event

    async def _body(self, conn: _Connection) -> AsyncIterator[bytes]:
        while True:
            event = await self._next_event(conn)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return

    async def aclose(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                with contextlib.suppress(Exception):
                    conn.close()
        self._idle.clear()
