"""A throw-away PostgreSQL and engine for a conformance run (``devstack conformance``).

The runner itself (``python -m engine.conformance``) only talks to an engine it is given;
starting one is the stack's business, so it lives here.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.postgres import PostgresServer, create_database

DATABASE = "conformance"


@dataclass(frozen=True)
class LocalEngine:
    """Where the started engine listens and its admin secret."""

    url: str
    admin_secret: str


@contextmanager
def local_engine(state: Path | None = None) -> Iterator[LocalEngine]:
    """Start PostgreSQL and the engine (stringified numerics, an admin secret); stop both after."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        root = state or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        pg = PostgresServer(root / "postgres", free_port())
        pg.start(root / "logs" / "postgres.log", root / "pids" / "postgres.pid", fsync=False)
        try:
            create_database(pg, DATABASE)
            secret = secrets.token_hex(16)
            server = EngineServer(pg.url(DATABASE), free_port(), admin_secret=secret,
                                  stringify_numeric_types=True, state_dir=root)
            server.start()
            try:
                yield LocalEngine(server.url(), secret)
            finally:
                server.stop()
        finally:
            pg.stop()
