"""The HTTP floor: the engine's captured SQL behind the least a Python HTTP server can do.

``python -m bench.chinook.httpfloor SPEC`` serves, for each case of the JSON file ``SPEC``,
a POST to ``/<case>`` with the result of that case's one captured statement, wrapped as the
engine wraps a single root field's value (``{"data":{"<key>":<value>}}``). It is built from
what the engine is built from (uvloop, httptools, asyncpg) and nothing else:

- an ``asyncio.Protocol`` feeding httptools' parser, keep-alive, the request body read
  and ignored (every request of a path is the same query);
- a pool of the engine's size whose connections it holds from the start, handed to the
  requests first come, first served;
- each statement prepared on each connection once, run with its captured parameters;
- the whole answer (head and body) in one write.

With ``busy_us`` in the spec it also spends that much CPU per request in its event loop
(half before the statement, half after), like a server's own work: the engine's CPU per
request, to see what a busier server alone does to PostgreSQL's CPU per request.

So it is the ceiling of any Python HTTP server that runs the engine's SQL for these cases:
its throughput is what the engine's HTTP path can reach at best, and its CPU per request
what such a server cannot do without. It refuses to start (exit code 2, the reason on
stderr) when a case is not one it can serve: not exactly one statement, or a statement
whose first column is not the answer's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import signal
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncpg
import httptools
import uvloop

from bench.load.sqlrunner import Statement, prepare

REFUSED_EXIT = 2
_STATUS_200 = b"HTTP/1.1 200 OK\r\n"
_NOT_FOUND = (b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain; charset=utf-8\r\n"
              b"content-length: 9\r\n\r\nnot found")


class CannotServeError(Exception):
    """A case this server cannot answer as the engine does."""


@dataclass(frozen=True)
class CaseSpec:
    """One case: its path's name, its one statement and the answer's root key."""

    name: str
    statements: tuple[Statement, ...]
    key: str

    def to_json(self) -> dict[str, Any]:
        """The case as the spec file holds it."""
        return {"name": self.name, "key": self.key,
                "statements": [{"sql": s.sql, "params": list(s.params)}
                               for s in self.statements]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseSpec:
        """Read a case of the spec file."""
        return cls(data["name"], tuple(Statement.from_json(s) for s in data["statements"]),
                   data["key"])


def wrap(key: str, value: bytes) -> bytes:
    """A single root field's answer as the engine writes it (``engine.graphql.bodies``)."""
    return b'{"data":{' + json.dumps(key).encode() + b":" + value + b"}}"


def servable(name: str, statements: Sequence[Statement], answer: bytes) -> CaseSpec:
    """The case if this server can answer it as the engine did, else :class:`CannotServeError`.

    ``answer``: the engine's response body for the case. It must hold one root field and
    no errors, and the engine must have run exactly one statement for it.
    """
    if len(statements) != 1:
        raise CannotServeError(f"{name}: the engine ran {len(statements)} statements for it; "
                          "the HTTP floor serves a case of exactly one")
    try:
        payload = json.loads(answer)
    except ValueError as exc:
        raise CannotServeError(f"{name}: the engine's answer is not JSON ({exc})") from exc
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or len(data) != 1 or "errors" in payload:
        raise CannotServeError(f"{name}: the engine's answer is not one root field's data")
    return CaseSpec(name, tuple(statements), next(iter(data)))


class _Case:
    """A served case: per connection its prepared statement and arguments."""

    __slots__ = ("prefix", "prepared")

    def __init__(self, key: str) -> None:
        self.prefix = wrap(key, b"")[:-2]
        self.prepared: dict[int, tuple[Any, tuple[Any, ...]]] = {}


class Connections:
    """The held connections, given to requests first come, first served.

    The idle ones are a stack, as the engine's held connections are: under light load the
    same few connections (and their backends) serve every request.
    """

    def __init__(self, conns: list[Any]) -> None:
        self.idle: list[Any] = list(conns)
        self.waiters: deque[asyncio.Future[Any]] = deque()

    async def take(self) -> Any:
        """A connection: the last one given back, or the next one given back."""
        if self.idle:
            return self.idle.pop()
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter

    def give_back(self, conn: Any) -> None:
        """Hand ``conn`` to the first waiting request, or keep it idle."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)


class Server:
    """The cases, the connections and the response head shared by every HTTP connection."""

    def __init__(self, cases: dict[bytes, _Case], conns: Connections,
                 headers: Sequence[tuple[str, str]], busy_us: float = 0.0) -> None:
        self.cases = cases
        self.conns = conns
        self.busy_s = busy_us / 2e6
        """CPU seconds spent before the statement and again after it."""
        self.fixed = b"".join(f"{name}: {value}\r\n".encode("latin-1")
                              for name, value in headers)
        self.head = b""
        self.refresh_head()

    def refresh_head(self) -> None:
        """The status line and fixed headers with the current ``date`` (once a second)."""
        date = email.utils.formatdate(usegmt=True).encode()
        self.head = (_STATUS_200 + b"date: " + date + b"\r\n" + self.fixed
                     + b"content-type: application/json; charset=utf-8\r\ncontent-length: ")
        asyncio.get_running_loop().call_later(1.0, self.refresh_head)

    async def answer(self, case: _Case) -> bytes:
        """The whole response for ``case``: head and body."""
        if self.busy_s:
            _spin(self.busy_s)
        conns = self.conns
        conn = await conns.take()
        try:
            stmt, args = case.prepared[id(conn)]
            row = await stmt.fetchrow(*args)
        finally:
            conns.give_back(conn)
        if self.busy_s:
            _spin(self.busy_s)
        text: str = row[0]
        body = case.prefix + text.encode() + b"}}"
        return self.head + str(len(body)).encode() + b"\r\n\r\n" + body


def _spin(seconds: float) -> None:
    """Hold the event loop on the CPU for ``seconds``."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


class HttpConnection(asyncio.Protocol):
    """One client connection: requests answered in order, keep-alive."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.pending: deque[bytes] = deque()
        """Paths of requests received while one is being answered (pipelining)."""
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport."""
        self.transport = cast(asyncio.Transport, transport)  # uvloop's: not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the transport: an answer still running is dropped."""
        self.transport = None

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a malformed request closes the connection."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.close()

    def on_url(self, url: bytes) -> None:
        """The parser's callback: the request target (possibly in pieces)."""
        self.url += url

    def on_message_complete(self) -> None:
        """The parser's callback: answer now, or after the request being answered."""
        path, self.url = self.url, b""
        if self.busy:
            self.pending.append(path)
            return
        self.busy = True
        asyncio.get_running_loop().create_task(self.respond(path))

    async def respond(self, path: bytes) -> None:
        """Answer ``path``, then the requests that came in meanwhile."""
        while True:
            case = self.server.cases.get(path)
            try:
                out = _NOT_FOUND if case is None else await self.server.answer(case)
            except Exception as exc:  # a failed statement: no answer, the client sees it
                print(f"http_floor: {path.decode(errors='replace')}: {exc!r}", file=sys.stderr)
                if self.transport is not None:
                    self.transport.close()
                return
            transport = self.transport
            if transport is None:
                return
            transport.write(out)
            if not self.parser.should_keep_alive():
                transport.close()
                return
            if not self.pending:
                self.busy = False
                return
            path = self.pending.popleft()


async def open_cases(dsn: str, pool_size: int,
                     cases: Sequence[CaseSpec]) -> tuple[asyncpg.Pool, list[Any],
                                                         dict[bytes, _Case]]:
    """The pool, its connections (all checked out) and each case prepared on each one.

    Each statement runs once per connection (its plan is made before the load starts);
    a statement whose first column is not text raises :class:`CannotServeError`.
    """
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
    conns: list[Any] = [await pool.acquire() for _ in range(pool_size)]
    served: dict[bytes, _Case] = {}
    for spec in cases:
        if len(spec.statements) != 1:
            raise CannotServeError(f"{spec.name}: {len(spec.statements)} statements; the HTTP "
                              "floor serves a case of exactly one")
        case = _Case(spec.key)
        for conn in conns:
            ((stmt, args),) = await prepare(conn, spec.statements)
            row = await stmt.fetchrow(*args)
            if row is None or not isinstance(row[0], str):
                raise CannotServeError(f"{spec.name}: its statement's first column is not the "
                                  f"answer's text (got {type(row and row[0]).__name__})")
            case.prepared[id(conn)] = (stmt, args)
        served[f"/{spec.name}".encode()] = case
    return pool, conns, served


async def serve(spec: Mapping[str, Any]) -> None:
    """Serve the spec's cases until SIGTERM or SIGINT."""
    cases = [CaseSpec.from_json(item) for item in spec["cases"]]
    pool, conns, served = await open_cases(spec["dsn"], int(spec["pool_size"]), cases)
    server = Server(served, Connections(conns),
                    [(str(n), str(v)) for n, v in spec.get("headers", [])],
                    float(spec.get("busy_us", 0.0)))
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(lambda: HttpConnection(server), spec["host"],
                                        int(spec["port"]), backlog=1024)
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    print(f"http_floor: serving {', '.join(c.name for c in cases)} on "
          f"{spec['host']}:{spec['port']} with {len(conns)} connections", flush=True)
    try:
        await stopped.wait()
    finally:
        listener.close()
        for conn in conns:
            with contextlib.suppress(Exception):
                await pool.release(conn)
        await pool.close()


def main(argv: Sequence[str]) -> int:
    """Serve the spec file ``argv[0]``; exit code 2 on a case it cannot serve."""
    if len(argv) != 1:
        print("usage: python -m bench.chinook.httpfloor SPEC.json", file=sys.stderr)
        return REFUSED_EXIT
    spec = json.loads(Path(argv[0]).read_text())
    try:
        uvloop.run(serve(spec))
    except CannotServeError as exc:
        print(f"http_floor: cannot serve {exc}", file=sys.stderr, flush=True)
        return REFUSED_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
