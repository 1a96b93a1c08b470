"""The engine's HTTP protocol: a response's writes leave in one system call."""

from __future__ import annotations

import asyncio
from typing import Any

from engine.server.coalescing_transport import CoalescingTransport


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


class SocketTransport(RecordingTransport):
    """A connection's transport as uvicorn's protocols use it (addresses, protocol swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.protocol: Any = None
        self.reading = True

    def get_extra_info(self, name: str) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}.get(name)

    def set_protocol(self, protocol: Any) -> None:
        self.protocol = protocol

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


async def test_engine_http_protocol_gives_a_websocket_the_socket_transport() -> None:
    """GIVEN the engine's HTTP protocol on a connection (its writes coalesced).

    WHEN the client asks for a websocket upgrade
    THEN the websocket protocol takes over the connection with the socket's own transport
    (no coalescing wrapper in front of every frame) and answers the handshake on it.
    """
    import uvicorn
    from uvicorn.server import ServerState

    from engine.server.http_protocol import EngineHttpProtocol

    started = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        started.set()

    config = uvicorn.Config(app, ws="websockets-sansio", lifespan="off", log_level="warning")
    config.load()
    http = EngineHttpProtocol(config=config, server_state=ServerState(), app_state={})
    socket = SocketTransport()
    http.connection_made(socket)  # type: ignore[arg-type]
    assert isinstance(http.transport, CoalescingTransport)
    http.data_received(b"GET /v1/graphql HTTP/1.1\r\nHost: localhost\r\n"
                       b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       b"Sec-WebSocket-Version: 13\r\n\r\n")
    await asyncio.wait_for(started.wait(), 10)
    assert socket.protocol is not None
    assert socket.protocol.transport is socket
    assert any(b"101 Switching Protocols" in b"".join(call) for call in socket.calls)
    for task in list(socket.protocol.tasks):
        task.cancel()


class _Route:
    """A direct GraphQL route answering ``{}`` once :attr:`release` is set."""

    max_body_bytes = 1024

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.heads: list[tuple[list[tuple[bytes, bytes]], Any]] = []
        self.bodies: list[tuple[Any, bytes]] = []

    def head(self, headers: Any, peer: str | None) -> Any:
        """A head per call, noted; refused (401) when a ``Refuse`` header is sent."""
        from types import MappingProxyType

        from engine.server.graphql_route import RequestHead
        refuse = any(name == b"Refuse" for name, _ in headers)
        head = RequestHead(MappingProxyType({"peer": peer or ""}), "anyone",
                           failure=(401, b"{}", None) if refuse else None)
        self.heads.append((list(headers), head))
        return head

    async def answer(self, head: Any, body: bytes) -> Any:
        await self.release.wait()
        self.bodies.append((head, body))
        return 200, b"{}", None


def _direct_protocol() -> tuple[Any, SocketTransport, _Route]:
    import uvicorn
    from uvicorn.server import ServerState

    from engine.server.http_protocol import EngineHttpProtocol

    route = _Route()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not on the direct path")

    app.direct_routes = {b"/v1/graphql": route}  # type: ignore[attr-defined]
    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    config.load()
    http = EngineHttpProtocol(config=config, server_state=ServerState(), app_state={})
    socket = SocketTransport()
    http.connection_made(socket)  # type: ignore[arg-type]
    return http, socket, route


_POST = b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"


async def test_engine_http_protocol_pauses_reading_for_pipelined_requests() -> None:
    """GIVEN two GraphQL POSTs arriving at once on one connection.

    WHEN the first is being answered
    THEN reading pauses until it is; then both answers go out, in order, and reading resumes.
    """
    http, socket, route = _direct_protocol()
    http.data_received(_POST + _POST)
    await asyncio.sleep(0)
    assert not socket.reading
    assert socket.calls == []
    route.release.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert [call[0].split(b"\r\n", 1)[0] for call in socket.calls] == [b"HTTP/1.1 200 OK"] * 2
    assert socket.reading


async def test_engine_http_protocol_waits_for_the_transport_to_drain() -> None:
    """GIVEN a transport that asked the protocol to pause writing (its buffer is full).

    WHEN a GraphQL POST's answer is ready
    THEN it is written only once the transport asks to resume.
    """
    http, socket, route = _direct_protocol()
    route.release.set()
    http.pause_writing()
    http.data_received(_POST)
    for _ in range(10):
        await asyncio.sleep(0)
    assert socket.calls == []
    http.resume_writing()
    for _ in range(10):
        await asyncio.sleep(0)
    assert len(socket.calls) == 1
    assert socket.calls[0][0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert socket.calls[0][0].endswith(b"\r\n\r\n{}")


async def test_engine_http_protocol_reuses_a_head_only_for_the_same_headers() -> None:
    """GIVEN one connection sending GraphQL POSTs.

    WHEN it sends the same headers twice, then another user id, then the first again, then
    headers its route refuses, twice
    THEN the route reads the headers once per change (the first head is reused for the
    same bytes on the same connection), each request is answered with the head of its own
    headers, and a refused head is read again each time.
    """
    http, socket, route = _direct_protocol()
    route.release.set()

    def post(user: bytes, extra: bytes = b"") -> bytes:
        return (b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nX-Hasura-User-Id: " + user
                + b"\r\n" + extra + b"Content-Length: 2\r\n\r\n{}")

    for sent in (post(b"1"), post(b"1"), post(b"2"), post(b"1"),
                 post(b"1", b"Refuse: yes\r\n"), post(b"1", b"Refuse: yes\r\n")):
        http.data_received(sent)
        for _ in range(10):
            await asyncio.sleep(0)
    users = [dict(headers)[b"X-Hasura-User-Id"] for headers, _ in route.heads]
    assert users == [b"1", b"2", b"1", b"1", b"1"]
    first, second, third, refused, refused_again = (head for _, head in route.heads)
    assert [head for head, _ in route.bodies] == [first, first, second, third, refused,
                                                  refused_again]
    assert len(socket.calls) == 6


async def test_engine_http_protocol_ends_its_answering_task_at_a_websocket_upgrade() -> None:
    """GIVEN a connection that posted a GraphQL request (its answering task now idle).

    WHEN it then asks for a websocket upgrade
    THEN the answering task ends (the HTTP protocol never hears of the connection again).
    """
    http, socket, route = _direct_protocol()
    route.release.set()
    http.data_received(_POST)
    for _ in range(10):
        await asyncio.sleep(0)
    task = http.answerer
    assert task is not None
    assert not task.done()
    http.data_received(b"GET /v1/graphql HTTP/1.1\r\nHost: localhost\r\n"
                       b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       b"Sec-WebSocket-Version: 13\r\n\r\n")
    await asyncio.wait_for(task, 10)
    assert http.answerer is None
    if socket.protocol is not None:
        for ws_task in list(socket.protocol.tasks):
            ws_task.cancel()


async def test_engine_http_protocol_takes_a_query_string_on_the_direct_route() -> None:
    """GIVEN GraphQL POSTs to the direct route's path with a query string, then to another path.

    WHEN they are read
    THEN the one with a query string is answered by the route (its path is what routes it),
    and the one to another path goes to the ASGI app (which fails it: 500).
    """
    http, socket, route = _direct_protocol()
    route.release.set()
    http.data_received(b"POST /v1/graphql?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                       b"\r\n{}")
    for _ in range(10):
        await asyncio.sleep(0)
    assert [body for _, body in route.bodies] == [b"{}"]
    assert socket.calls[0][0].startswith(b"HTTP/1.1 200 OK\r\n")
    http.data_received(b"POST /v1/graphqlx HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    for _ in range(50):
        await asyncio.sleep(0)
    assert len(route.bodies) == 1
    assert b"".join(socket.calls[-1]).startswith(b"HTTP/1.1 500")
