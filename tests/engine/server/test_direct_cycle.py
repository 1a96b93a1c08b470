"""GraphQL POSTs answered by the engine's HTTP protocol without the ASGI cycle, over raw HTTP.

Raw sockets, because httpx cannot pipeline, speak HTTP/1.0 or wait for ``100 Continue``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import cast

import orjson
import pytest

from devstack.services.engine import EngineHandle

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
