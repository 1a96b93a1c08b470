"""The engine's HTTP protocol when a direct route fails, stalls, or its client or server goes.

An in-process uvicorn server with the engine's protocol and a route that raises or waits on
demand; raw connections drive it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import MappingProxyType
from typing import Any

import pytest
import uvicorn

from devstack.ports import free_port
from engine.server.graphql_route import RequestHead
from engine.server.http_protocol import EngineHttpProtocol
from engine.server.responses import Answer


class _FaultyEndpoint:
    """A GraphQL route: its answer raises for ``boom``, waits on :attr:`release` for ``slow``.

    ``slow`` is answered ``{"slow":true}``, anything else ``{"ok":true}``.
    """

    max_body_bytes = 4096

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    def head(self, headers: Any, peer: str | None) -> RequestHead:
        if any(name.lower() == b"fail-head" for name, _ in headers):
            raise RuntimeError("the head failed")
        return RequestHead(MappingProxyType({}), "anyone")

    async def answer(self, head: RequestHead, body: bytes) -> Answer:
        if body == b"boom":
            raise RuntimeError("the route failed")
        if body == b"slow":
            self.entered.set()
            await self.release.wait()
            return 200, b'{"slow":true}', None
        return 200, b'{"ok":true}', None


class _App:
    """An ASGI app that answers 404, with one direct route (whose head it reads first)."""

    def __init__(self) -> None:
        self.endpoint = _FaultyEndpoint()
        self.direct_routes = {b"/v1/graphql": self.endpoint}
        self.cors = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/v1/graphql":  # as the engine's ASGI route: the head first
            self.endpoint.head(scope["headers"], None)
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def served() -> AsyncIterator[tuple[_App, uvicorn.Server, int]]:
    """A uvicorn server with the engine's protocol serving :class:`_App` on a free port.

    Its keep-alive timeout is 1 s.
    """
    port = free_port()
    app = _App()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=EngineHttpProtocol,
                            lifespan="off", log_level="critical", timeout_keep_alive=1)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    for _ in range(600):
        if server.started or serving.done():
            break
        await asyncio.sleep(0.05)
    assert server.started
    yield app, server, port
    app.endpoint.release.set()
    server.should_exit = True
    await asyncio.wait_for(serving, 30)


def _post(body: bytes) -> bytes:
    return b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body), body)


async def test_direct_cycle_answers_an_exception_500_and_closes(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a route whose answer raises, served by the engine's protocol.

    WHEN a request makes it raise
    THEN 500 ``Internal Server Error`` with ``connection: close`` and the connection is
    closed (as uvicorn does); a new connection is served.
    """
    _, _, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"boom"))
    answer = await asyncio.wait_for(reader.read(), 30)  # until the server closes
    writer.close()
    assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"connection: close\r\n" in answer
    assert answer.endswith(b"Internal Server Error")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"{}"))
    head = await asyncio.wait_for(reader.readuntil(b'{"ok":true}'), 30)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    writer.close()


async def test_direct_cycle_is_finished_by_a_stopping_server(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a request in flight on the direct path.

    WHEN the server is told to stop, then the request's answer is ready
    THEN the answer is still sent, with ``connection: close``, and the connection closed
    (uvicorn's graceful shutdown waits for the request's task).
    """
    app, server, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"slow"))
    await asyncio.wait_for(app.endpoint.entered.wait(), 30)
    server.should_exit = True
    for _ in range(600):  # shutting down once it stops accepting connections
        try:
            _, probe = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            break
        probe.close()
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the server kept accepting connections")
    app.endpoint.release.set()
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"connection: close\r\n" in answer
    assert answer.endswith(b'{"slow":true}')


async def test_direct_cycle_idle_connection_is_closed_after_the_keep_alive_timeout(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a connection that sent two requests, one after the other's answer.

    WHEN it then sends nothing
    THEN the server closes it (the keep-alive timeout), having answered both.
    """
    _, _, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(2):
        writer.write(_post(b"{}"))
        await asyncio.wait_for(reader.readuntil(b'{"ok":true}'), 30)
    assert await asyncio.wait_for(reader.read(), 30) == b""  # closed by the server
    writer.close()


async def test_direct_cycle_answers_a_pipelined_request_after_a_slow_one(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a slow request and a quick one sent at once on one connection.

    WHEN the slow one's answer is held back
    THEN nothing is answered until it is released, and then both in the order asked.
    """
    app, _, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"slow") + _post(b"{}"))
    await asyncio.wait_for(app.endpoint.entered.wait(), 30)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.readuntil(b"HTTP/1.1"), 0.3)
    app.endpoint.release.set()
    first = await asyncio.wait_for(reader.readuntil(b'{"slow":true}'), 30)
    second = await asyncio.wait_for(reader.readuntil(b'{"ok":true}'), 30)
    writer.close()
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert second.startswith(b"HTTP/1.1 200 OK\r\n")


async def test_direct_cycle_of_a_client_gone_mid_request_is_finished_and_awaited(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a request whose answer runs, and another whose body never came in full.

    WHEN both clients disconnect
    THEN the running answer is handed to the server's tasks (a graceful shutdown waits for
    it) and finishes once released, writing nothing; the server goes on serving.
    """
    app, server, port = served
    _, half = await asyncio.open_connection("127.0.0.1", port)
    half.write(b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}")
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"slow"))
    await asyncio.wait_for(app.endpoint.entered.wait(), 30)
    half.close()
    writer.close()
    for _ in range(600):
        if server.server_state.tasks:
            break
        await asyncio.sleep(0.01)
    (task,) = server.server_state.tasks
    assert not task.done()
    app.endpoint.release.set()
    await asyncio.wait_for(asyncio.shield(task), 30)
    await asyncio.sleep(0)
    assert not server.server_state.tasks
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"{}"))
    assert (await asyncio.wait_for(reader.readuntil(b'{"ok":true}'), 30)).startswith(
        b"HTTP/1.1 200 OK\r\n")
    writer.close()


async def test_direct_cycle_answers_a_malformed_request_400_and_closes(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN the engine's protocol.

    WHEN a client sends bytes that are not HTTP
    THEN 400 with ``connection: close`` (as uvicorn), and the connection is closed.
    """
    _, _, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v1/graphql HTTP/1.1\r\nContent-Length: x\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"connection: close\r\n" in answer


async def test_direct_cycle_hands_a_failing_head_to_the_asgi_path(
        served: tuple[_App, uvicorn.Server, int]) -> None:
    """GIVEN a route whose head raises for some headers (the server's own fault).

    WHEN a request with them is posted, then a good one on the same connection
    THEN the first is served by uvicorn's path, where the same failure is answered 500 and
    logged as uvicorn does, and the connection is closed; a new one is served directly.
    """
    _, _, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nFail-Head: 1\r\n"
                 b"Content-Length: 2\r\n\r\n{}")
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_post(b"{}"))
    assert (await asyncio.wait_for(reader.readuntil(b'{"ok":true}'), 30)).startswith(
        b"HTTP/1.1 200 OK\r\n")
    writer.close()
