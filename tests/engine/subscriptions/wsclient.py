"""A GraphQL websocket client for tests, on the ``websockets`` library (both subprotocols)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TRANSPORT_WS = "graphql-transport-ws"
APOLLO_WS = "graphql-ws"
PROTOCOLS = (TRANSPORT_WS, APOLLO_WS)


class WsClient:
    """One socket speaking ``protocol``; keep-alives are answered and skipped."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol

    @classmethod
    async def open(cls, url: str, protocol: str) -> WsClient:
        """Connect (no ``connection_init`` yet)."""
        ws = await connect(url.replace("http://", "ws://") + "/v1/graphql",
                           subprotocols=[protocol], open_timeout=10)  # type: ignore[list-item]
        return cls(ws, protocol)

    @classmethod
    async def initialised(cls, url: str, protocol: str,
                          headers: Mapping[str, str]) -> WsClient:
        """Connect and initialise with ``headers``; fails unless acknowledged."""
        client = await cls.open(url, protocol)
        await client.send({"type": "connection_init", "payload": {"headers": dict(headers)}})
        ack = await client.receive()
        assert ack == {"type": "connection_ack"}, ack
        return client

    @property
    def start_type(self) -> str:
        """``subscribe`` or ``start``."""
        return "subscribe" if self.protocol == TRANSPORT_WS else "start"

    @property
    def data_type(self) -> str:
        """``next`` or ``data``."""
        return "next" if self.protocol == TRANSPORT_WS else "data"

    async def send(self, message: Any) -> None:
        """Send a JSON message."""
        await self.ws.send(orjson.dumps(message).decode())

    async def receive(self, wait: float = 10.0) -> dict[str, Any]:
        """The next message that is not a keep-alive."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), wait)
            message: dict[str, Any] = orjson.loads(raw)
            if message.get("type") == "ka":
                continue
            if message.get("type") == "ping" and self.protocol == TRANSPORT_WS:
                await self.send({"type": "pong"})
                continue
            return message

    async def start(self, op_id: str, query: str,
                    variables: Mapping[str, Any] | None = None) -> None:
        """Start an operation."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = dict(variables)
        await self.send({"type": self.start_type, "id": op_id, "payload": payload})

    async def stop(self, op_id: str) -> None:
        """Stop an operation."""
        await self.send({"type": "complete" if self.protocol == TRANSPORT_WS else "stop",
                         "id": op_id})

    async def result(self, op_id: str, wait: float = 10.0) -> Any:
        """The payload of the next result of ``op_id`` (other operations' are skipped)."""
        while True:
            message = await self.receive(wait)
            if message.get("id") == op_id:
                assert message["type"] == self.data_type, message
                return message["payload"]

    async def closed(self, wait: float = 10.0) -> tuple[int | None, list[dict[str, Any]]]:
        """Wait for the server to close; the close code and the messages before it."""
        seen: list[dict[str, Any]] = []
        try:
            while True:
                seen.append(await self.receive(wait))
        except ConnectionClosed as exc:
            return (exc.rcvd.code if exc.rcvd is not None else None), seen

    async def close(self) -> None:
        """Close the socket."""
        await self.ws.close()
