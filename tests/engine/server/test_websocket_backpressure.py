"""A slow consumer keeps only the latest result of each subscription (no unbounded queue)."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from starlette.websockets import WebSocket

from engine.auth.resolver import SessionResolver
from engine.server.state import ServerState
from engine.server.ws_connection import Connection
from engine.server.ws_protocol import TransportWS
from engine.settings import EngineSettings, Secret


class SlowClient:
    """The ASGI side of a socket whose reader takes a message only when allowed."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.allowed = asyncio.Semaphore(0)
        self.connected = False

    async def receive(self) -> dict[str, Any]:
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        await asyncio.Event().wait()
        return {}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "websocket.send":
            await self.allowed.acquire()
            self.sent.append(message["text"])


async def test_slow_consumer_keeps_only_the_latest_result() -> None:
    """GIVEN a consumer that reads nothing while 100 results of one subscription arrive.

    WHEN it finally reads
    THEN at most one result waits at any time and it gets the first and the latest only,
    while a control message queued meanwhile is still delivered in order.
    """
    client = SlowClient()
    ws = WebSocket({"type": "websocket", "path": "/v1/graphql", "headers": []},
                   client.receive, client.send)
    await ws.accept()
    state = ServerState(EngineSettings(Secret("postgresql://unused")),
                        SessionResolver(admin_secret=None))
    conn = Connection(ws, TransportWS(), state, {})
    conn.send_latest("1", "r0")  # starts the connection's writer
    writer = conn._writer
    assert writer is not None
    await asyncio.sleep(0.01)  # the writer is now blocked sending r0
    most_waiting = 0
    for i in range(1, 101):
        conn.send_latest("1", f"r{i}")
        if i == 50:
            conn.send("control")
        most_waiting = max(most_waiting, len(conn.pending))
    assert most_waiting <= 2
    for _ in range(3):
        client.allowed.release()
    for _ in range(500):  # a condition, not a duration
        if len(client.sent) == 3 and writer.done():
            break
        await asyncio.sleep(0.01)
    assert client.sent == ["r0", "r100", "control"]
    assert writer.done()  # nothing left to send: the writer ended
    assert conn._writer is None
