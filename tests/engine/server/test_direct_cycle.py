"""GraphQL POSTs answered by the engine's HTTP protocol without the ASGI cycle, over raw HTTP.

Raw sockets, because httpx cannot pipeline, speak HTTP/1.0 or wait for ``100 Continue``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from types import MappingProxyType
from typing import Any, cast

import orjson
import pytest
import uvicorn

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from engine.server.graphql_route import RequestHead
from engine.server.http_protocol import EngineHttpProtocol
from engine.server.responses import Answer

ORIGIN = "https://app.example.com"
LIMIT = 4096


@pytest.fixture(scope="module")
def direct(start_engine: Callable[..., EngineHandle],
           create_database: Callable[[str], str]) -> EngineHandle:
    """An engine with a ``pet`` table, CORS for one origin and a 4 KiB body limit."""
    handle = start_engine(create_database("directcycle"), extra_env={
        "HASURA_GRAPHQL_CORS_DOMAIN": ORIGIN, "ENGINE_MAX_BODY_BYTES": str(LIMIT)})
    handle.run_sql("""
        create table pet (id int primary key, name text not null);
        insert into pet values (1, 'rex'), (2, 'tom'), (3, 'kit');
    """)
    response = handle.metadata({"type": "pg_track_table", "args": {"table": "pet"}})
    assert response.status_code == 200, response.text
    return handle


@pytest.fixture
def conn(direct: EngineHandle) -> Iterator[socket.socket]:
    """A raw connection to the engine."""
    sock = socket.create_connection(("127.0.0.1", direct.server.port), timeout=30)
    yield sock
    sock.close()


def _query(pet_id: int) -> bytes:
    return orjson.dumps({"query": f"{{ pet_by_pk(id: {pet_id}) {{ name }} }}"})


def _request(direct: EngineHandle, body: bytes, *, path: str = "/v1/graphql",
             version: str = "1.1", extra: str = "", length: int | None = None,
             content_type: str = "application/json") -> bytes:
    secret = direct.admin_headers()["X-Hasura-Admin-Secret"]
    head = (f"POST {path} HTTP/{version}\r\nHost: localhost\r\n"
            f"Content-Type: {content_type}\r\nX-Hasura-Admin-Secret: {secret}\r\n{extra}")
    if "Transfer-Encoding" not in extra:
        head += f"Content-Length: {len(body) if length is None else length}\r\n"
    return head.encode() + b"\r\n" + body


class Reader:
    """Reads HTTP/1.1 responses (with a Content-Length) off a socket, one at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """The next response's status, headers (names lower-cased) and body."""
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed mid-response: {self.buffer!r}"
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        size = int(headers.get("content-length", "0"))
        while len(self.buffer) < size:
            assert self._fill(), "connection closed mid-body"
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return status, headers, body

    def closed(self) -> bool:
        """Whether the server closed the connection (nothing more comes)."""
        return not self.buffer and not self._fill()


def _name(body: bytes) -> str:
    return cast(str, orjson.loads(body)["data"]["pet_by_pk"]["name"])


def test_direct_cycle_answers_pipelined_requests_in_order(direct: EngineHandle,
                                                          conn: socket.socket) -> None:
    """GIVEN four requests sent at once on one connection, one of them not on the direct path.

    WHEN the engine answers
    THEN the answers come back in the order asked, and the connection stays open.
    """
    conn.sendall(_request(direct, _query(3)) + _request(direct, _query(1))
                 + b"GET /v1/version HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 + _request(direct, _query(2), path="/v1alpha1/graphql"))
    reader = Reader(conn)
    answers = [reader.response() for _ in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 200]
    assert [_name(answers[0][2]), _name(answers[1][2])] == ["kit", "rex"]
    assert b"version" in answers[2][2]
    assert _name(answers[3][2]) == "tom"
    conn.sendall(_request(direct, _query(1)))
    assert _name(reader.response()[2]) == "rex"


def test_direct_cycle_keeps_the_connection_and_the_asgi_path_headers(
        direct: EngineHandle, conn: socket.socket) -> None:
    """GIVEN one keep-alive connection.

    WHEN the same query goes to ``/v1/graphql`` (direct) and to a spelling of it the
    protocol leaves to the ASGI app (``/v1/graphq%6C``), twice each
    THEN all four are answered on the one connection, with the same body and the same
    header names (``date``, ``server``, content type and length), and no ``connection``.
    """
    reader = Reader(conn)
    seen = []
    for path in ("/v1/graphql", "/v1/graphq%6C", "/v1/graphql", "/v1/graphq%6C"):
        conn.sendall(_request(direct, _query(2), path=path))
        status, headers, body = reader.response()
        assert status == 200
        seen.append((sorted(headers), body))
    assert seen[0] == seen[1] == seen[2] == seen[3]
    assert seen[0][0] == ["content-length", "content-type", "date", "server"]


@pytest.mark.parametrize(("version", "extra"), [("1.0", ""), ("1.0", "Connection: keep-alive\r\n"),
                                                ("1.1", "Connection: close\r\n")])
def test_direct_cycle_closes_when_asked(direct: EngineHandle, conn: socket.socket,
                                        version: str, extra: str) -> None:
    """GIVEN an HTTP/1.0 request, or an HTTP/1.1 one with ``Connection: close``.

    WHEN it is answered
    THEN the answer says ``connection: close`` and the server closes the connection (an
    HTTP/1.0 client asking for keep-alive too, as uvicorn does).
    """
    conn.sendall(_request(direct, _query(1), version=version, extra=extra))
    reader = Reader(conn)
    status, headers, body = reader.response()
    assert (status, headers["connection"], _name(body)) == (200, "close", "rex")
    assert reader.closed()


def test_direct_cycle_sends_100_continue_before_reading_the_body(
        direct: EngineHandle, conn: socket.socket) -> None:
    """GIVEN a request with ``Expect: 100-continue`` whose body is held back.

    WHEN the server answers the headers
    THEN it sends ``100 Continue``; once the body follows, the query's answer.
    """
    body = _query(3)
    request = _request(direct, body, extra="Expect: 100-continue\r\n")
    conn.sendall(request[:-len(body)])
    reader = Reader(conn)
    while b"\r\n\r\n" not in reader.buffer:
        assert reader._fill()
    assert reader.buffer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    reader.buffer = reader.buffer[len(b"HTTP/1.1 100 Continue\r\n\r\n"):]
    conn.sendall(body)
    status, _, answer = reader.response()
    assert (status, _name(answer)) == (200, "kit")


def test_direct_cycle_reads_a_chunked_body(direct: EngineHandle, conn: socket.socket) -> None:
    """GIVEN a body sent in three chunks, the last after a pause.

    WHEN it is posted without a length
    THEN the query in it is answered.
    """
    body = _query(2)
    first, second, third = body[:5], body[5:20], body[20:]
    conn.sendall(_request(direct, b"", extra="Transfer-Encoding: chunked\r\n")
                 + b"%x\r\n%s\r\n%x\r\n%s\r\n" % (len(first), first, len(second), second))
    conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(third), third))
    status, _, answer = Reader(conn).response()
    assert (status, _name(answer)) == (200, "tom")


def test_direct_cycle_refuses_too_large_and_not_json(direct: EngineHandle,
                                                     conn: socket.socket) -> None:
    """GIVEN the 4 KiB body limit.

    WHEN a body that is not declared JSON is posted, then one chunked past the limit,
    then one whose declared length is past it
    THEN 415, 413 and 413, with Hasura's error codes.
    """
    reader = Reader(conn)
    conn.sendall(_request(direct, _query(1), content_type="text/plain"))
    status, _, body = reader.response()
    assert status == 415
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "invalid-headers"
    big = b"x" * (LIMIT + 1)
    conn.sendall(_request(direct, b"", extra="Transfer-Encoding: chunked\r\n")
                 + b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big))
    status, _, body = reader.response()
    assert status == 413
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "request-too-large"
    conn.sendall(_request(direct, b"", length=LIMIT + 1))
    status, _, body = reader.response()
    assert status == 413
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "request-too-large"


@pytest.mark.parametrize(("origin", "expected"), [
    (ORIGIN, {"access-control-allow-origin": ORIGIN,
              "access-control-allow-credentials": "true", "vary": "Origin"}),
    ("https://elsewhere.example.org", {}),
])
def test_direct_cycle_adds_the_cors_headers_of_an_allowed_origin(
        direct: EngineHandle, conn: socket.socket, origin: str,
        expected: dict[str, str]) -> None:
    """GIVEN CORS allowed for one origin.

    WHEN a query is posted from it, and from another origin
    THEN the first answer carries the CORS headers, the second none.
    """
    conn.sendall(_request(direct, _query(1), extra=f"Origin: {origin}\r\n"))
    status, headers, _ = Reader(conn).response()
    assert status == 200
    cors = {k: v for k, v in headers.items() if k.startswith("access-control") or k == "vary"}
    assert cors == expected


class _FaultyEndpoint:
    """A GraphQL route: its answer raises for ``boom``, waits on :attr:`release` for ``slow``.

    ``slow`` is answered ``{"slow":true}``, anything else ``{"ok":true}``.
    """

    max_body_bytes = LIMIT

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
