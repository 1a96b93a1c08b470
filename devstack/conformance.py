"""Throw-away PostgreSQL and engines for a conformance run (``devstack conformance``).

The runner itself (``python -m engine.conformance``) only talks HTTP to the engines it is
given; starting them is the stack's business, so it lives here. One PostgreSQL server; one
database and one engine per worker, so classes run in parallel without seeing each other's
state. A class that needs the server configured differently (``hge_env``) gets an engine of
its own with that environment.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.postgres import PostgresServer, create_database
from engine.conformance.targets import Target

DATABASE = "conformance"
Env = tuple[tuple[str, str], ...]


def start_engines(stack: ExitStack, database: Callable[[int], str], root: Path, workers: int,
                  envs: Sequence[Env] = ()) -> list[Target]:
    """``workers`` engines plus one per distinct non-empty ``envs`` entry.

    Each serves the database ``database(i)`` names, all with one admin secret and JWT key;
    every engine stops when ``stack`` closes.
    """
    wanted: list[Env] = [()] * max(1, workers) + [e for e in dict.fromkeys(envs) if e]
    servers = []
    jwt_key = secrets.token_hex(32)
    secret = secrets.token_hex(16)
    for i, env in enumerate(wanted):
        server = EngineServer(database(i), free_port(), admin_secret=secret,
                              jwt_secret={"type": "HS256", "key": jwt_key},
                              unauthorized_role=None, stringify_numeric_types=True,
                              extra_env=dict(env), state_dir=root / f"engine-{i}",
                              name=f"engine-conformance-{i}")
        stack.callback(server.stop)
        server.start()
        servers.append(Target(server.url(), secret, jwt_key, env))
    return servers


@contextmanager
def local_engines(state: Path | None = None, workers: int = 2,
                  envs: Sequence[Env] = ()) -> Iterator[list[Target]]:
    """Start PostgreSQL and the engines (see :func:`start_engines`); stop them all after."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp, ExitStack() as stack:
        root = state or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        pg = PostgresServer(root / "postgres", free_port())
        pg.start(root / "logs" / "postgres.log", root / "pids" / "postgres.pid", fsync=False)
        stack.callback(pg.stop)

        def database(i: int) -> str:
            create_database(pg, f"{DATABASE}_{i}")
            return pg.url(f"{DATABASE}_{i}")

        yield start_engines(stack, database, root, workers, envs)
