"""A minimal, fast webhook: answers 200 to every POST and notes when each arrived.

Built on ``asyncio.Protocol`` (not a framework) so that the webhook costs as little CPU as
possible and the number measured is the engine's delivery, not the receiver.
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


class Counter:
    """Arrival times (``time.perf_counter``) of the calls received so far."""

    def __init__(self, expected: int) -> None:
        self.arrivals: list[float] = []
        self.expected = expected
        self.done = asyncio.Event()

    def hit(self) -> None:
        """Note one call now."""
        self.arrivals.append(time.perf_counter())
        if len(self.arrivals) >= self.expected:
            self.done.set()


class _Webhook(asyncio.Protocol):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            marker = head.find(b"content-length:")
            if marker >= 0:
                line_end = head.find(b"\r\n", marker)
                length = int(head[marker + 15 : line_end if line_end >= 0 else None])
            total = head_end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            self.counter.hit()
            assert self.transport is not None
            self.transport.write(_OK)


async def serve(counter: Counter) -> tuple[asyncio.Server, str]:
    """Start the webhook on a free loopback port; returns the server and its URL."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Webhook(counter), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/hook"
