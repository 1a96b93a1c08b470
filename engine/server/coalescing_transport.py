"""A transport that sends every write of one event-loop turn in one system call.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, and the body on ``http.response.body``: two socket writes per
response, each waking the client on loopback. :class:`CoalescingTransport` holds every write
made during one turn of the event loop and sends them together at the end of that turn
(``writelines``, one ``writev``), so a small answer leaves in one segment. Nothing waits
longer than the turn that produced it, and ``close``/``write_eof`` send what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any


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

    def detach(self) -> asyncio.Transport:
        """Send what is held and give back the wrapped transport (a websocket upgrade).

        Nothing is held before an upgrade; if it were, it goes first.
        """
        self._flush()
        return self._transport

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
