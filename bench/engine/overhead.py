"""Per-request Python overhead of the engine's HTTP layer on a cached query.

Runs the Starlette app in-process (no sockets, no uvicorn) against a real PostgreSQL and
measures, per request, the CPU time of this process (``time.process_time``: PostgreSQL's
own work runs in other processes and is not counted) for:

- ``engine``: ``GraphQLEngine.execute`` alone (document cache hit, one statement);
- ``app``: the whole ``/v1/graphql`` ASGI app (headers, session, JSON parse, engine);
- ``app+jwt``: the same with an RS256 bearer token instead of the admin secret.

``app - engine`` is what the server adds. uvicorn's HTTP parsing (httptools) comes on
top: about 20-30 µs per request on these machines.

    .venv/bin/python -m bench.engine.overhead [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from bench.engine.database import DATABASE, load_notes, throwaway_postgres
from engine.server.app import create_app
from engine.session import Session
from engine.settings import EngineSettings, Secret
from tests.engine.auth.keys import JwtKeys

QUERY = "query { note(where: {id: {_eq: 1}}) { id body } }"
SECRET = "bench-secret"  # noqa: S105 - a throw-away engine in this process


class _StubEngine:
    """Answers at once: isolates the server layer's own cost."""

    async def execute(self, payload: Any, session: Session, headers: Any) -> tuple[int, bytes]:
        return 200, b'{"data":{"note":[{"id":1,"body":"note 1"}]}}'


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/v1/graphql", "raw_path": b"/v1/graphql",
            "root_path": "", "scheme": "http", "query_string": b"", "http_version": "1.1",
            "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8080)}


async def _measure(label: str, requests: int, once: Callable[[], Awaitable[None]]) -> float:
    for _ in range(200):
        await once()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        await once()
    cpu_us = (time.process_time() - cpu) / requests * 1e6
    wall_us = (time.perf_counter() - wall) / requests * 1e6
    print(f"{label:10s} cpu {cpu_us:7.1f} µs/request   wall {wall_us:7.1f} µs/request")
    return cpu_us


async def _run(url: str, requests: int) -> None:
    keys = JwtKeys()
    settings = EngineSettings(database_url=Secret(url), admin_secret=Secret(SECRET),
                              jwt_secret=keys.rs256_config(), unauthorized_role="anonymous")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        state = app.state.engine
        await state.metadata.execute("metadata", {"type": "bulk", "args": [
            {"type": "pg_track_table", "args": {"table": "note"}},
            {"type": "pg_create_select_permission", "args": {
                "table": "note", "role": "user",
                "permission": {"columns": ["id", "body"], "filter": {}}}}]},
            Session(role="admin", is_admin_secret=True))
        body = orjson.dumps({"query": QUERY})
        admin_headers = [(b"content-type", b"application/json"),
                         (b"x-hasura-admin-secret", SECRET.encode())]
        token = keys.sign(keys.claims())
        jwt_headers = [(b"content-type", b"application/json"),
                       (b"authorization", f"Bearer {token}".encode())]
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        async def via_app(headers: list[tuple[bytes, bytes]]) -> None:
            sent.clear()
            await app(_scope(headers), receive, send)
            assert b'"errors"' not in sent[-1]["body"], sent[-1]["body"]

        payload = {"query": QUERY}
        session = Session(role="admin", variables={"x-hasura-role": "admin"},
                          is_admin_secret=True)

        async def engine_only() -> None:
            await state.graphql.current.execute(payload, session, {})

        header_map = {k.decode(): v.decode() for k, v in admin_headers}

        async def engine_headers() -> None:
            await state.graphql.current.execute(payload, session, header_map)

        engine = await _measure("engine", requests, engine_only)
        await _measure("engine+hdr", requests, engine_headers)
        app_cpu = await _measure("app", requests, lambda: via_app(admin_headers))
        await _measure("app+jwt", requests, lambda: via_app(jwt_headers))
        real = state.graphql.current
        state.graphql.current = _StubEngine()
        stub = await _measure("app/stub", requests, lambda: via_app(admin_headers))
        stub_jwt = await _measure("jwt/stub", requests, lambda: via_app(jwt_headers))
        state.graphql.current = real
        print(f"server layer alone (stub engine): {stub:.1f} µs CPU per request "
              f"({stub_jwt:.1f} µs with a cached JWT); app - engine: {app_cpu - engine:.1f} µs")


def main() -> None:
    """Start a throw-away PostgreSQL, load a small table, measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    with throwaway_postgres("bench-engine-") as (server, _):
        load_notes(server.url(DATABASE))
        try:
            import uvloop

            uvloop.run(_run(server.url(DATABASE), args.requests))
        except ImportError:
            asyncio.run(_run(server.url(DATABASE), args.requests))

if __name__ == "__main__":
    main()
