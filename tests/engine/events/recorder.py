"""A small webhook server on 127.0.0.1 that records what it receives and answers from a script.

It runs in the test's event loop (no thread, no process), speaks just enough HTTP/1.1 for
httpx (keep-alive, Content-Length bodies), and lets a test decide each answer, including
never answering (to stop a worker mid-delivery).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Received:
    """One request the server got."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    wall: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    """What the server sends back."""

    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict[str, str] = field(default_factory=dict)
    hang_up: bool = False
    """Close the connection instead of answering (the request was received, and maybe run)."""


Script = Callable[[int, Received], Answer | Awaitable[Answer]]
"""Decides the answer to the n-th request (counting from 0)."""


def always(status: int = 200) -> Script:
    return lambda _n, _r: Answer(status)


class WebhookRecorder:
    """Serve ``script`` on a free loopback port and record every request."""

    def __init__(self, script: Script | None = None) -> None:
        self.script = script or always(200)
        self.received: list[Received] = []
        self._arrived = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> WebhookRecorder:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    def drop_connections(self) -> None:
        """Close every open connection (as a server dropping idle keep-alive ones)."""
        for writer in list(self._writers):
            writer.close()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:  # noqa: ASYNC109
        """Wait until ``count`` requests arrived; returns them all."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.received) >= count), timeout
            )
        return list(self.received)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, path, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Received(path, headers, body)
                index = len(self.received)
                async with self._arrived:
                    self.received.append(request)
                    self._arrived.notify_all()
                answer = self.script(index, request)
                if not isinstance(answer, Answer):
                    answer = await answer
                if answer.hang_up:
                    break
                extra = "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
                writer.write(
                    f"HTTP/1.1 {answer.status} X\r\nContent-Length: {len(answer.body)}\r\n"
                    f"Content-Type: application/json\r\n{extra}\r\n".encode() + answer.body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
