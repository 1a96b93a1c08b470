"""uvicorn's httptools protocol, with a response's writes sent in one system call.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, and the body on ``http.response.body``: two socket writes per
response, each waking the client on loopback. Here every write made during one turn of the
event loop is held and sent together at the end of that turn (``writelines``, one
``writev``), so a small answer leaves in one segment. Nothing waits longer than the turn
that produced it, and ``close``/``write_eof`` send what is held first. A websocket
upgrade hands the socket's own transport to the websocket protocol.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport whose writes within one event-loop turn go out together.

    Everything but writing is the wrapped transport's own (``__getattr__``).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

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
    """uvicorn's httptools protocol on a :class:`CoalescingTransport`."""

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
