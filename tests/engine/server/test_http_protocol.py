"""The engine's HTTP protocol: a response's writes leave in one system call."""

from __future__ import annotations

import asyncio
from typing import Any

from engine.server.http_protocol import CoalescingTransport


class RecordingTransport:
    """Notes each write call; closes on request."""

    def __init__(self) -> None:
        self.calls: list[list[bytes]] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.calls.append([data])

    def writelines(self, chunks: Any) -> None:
        self.calls.append(list(chunks))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def wrap() -> tuple[RecordingTransport, CoalescingTransport]:
    inner = RecordingTransport()
    return inner, CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]


async def test_coalescing_transport_sends_one_turns_writes_together() -> None:
    """GIVEN headers then body written in one loop turn.

    WHEN the turn ends
    THEN both leave in one call, in order; a later turn's write is a call of its own.
    """
    inner, transport = wrap()
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b"{}")
    assert inner.calls == []
    assert transport.get_write_buffer_size() == 21
    await asyncio.sleep(0)
    transport.write(b"next")
    await asyncio.sleep(0)

    assert inner.calls == [[b"HTTP/1.1 200 OK\r\n\r\n", b"{}"], [b"next"]]
    assert transport.get_extra_info("socket") == "info:socket"


async def test_coalescing_transport_close_sends_what_is_held_first() -> None:
    """GIVEN a write held in this turn.

    WHEN the transport is closed (or aborted) before the turn ends
    THEN close sends it first; abort drops it; nothing is written after either.
    """
    inner, transport = wrap()
    transport.write(b"last words")
    transport.close()
    await asyncio.sleep(0)
    assert (inner.calls, inner.closed) == ([[b"last words"]], True)

    inner, transport = wrap()
    transport.write(b"dropped")
    transport.abort()
    await asyncio.sleep(0)
    assert (inner.calls, inner.aborted) == ([], True)
