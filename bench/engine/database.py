"""A throw-away PostgreSQL for the engine micro-benchmarks."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from devstack.ports import free_port
from devstack.services.postgres import PostgresServer, create_database

DATABASE = "bench"


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[tuple[PostgresServer, Path]]:
    """PostgreSQL on a free port in a temp folder, with an empty database ``bench``.

    Yields the server and the folder (for logs and pid files of other processes); the server
    is stopped and the folder removed on exit.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # the unprivileged postgres user must enter it
        server = PostgresServer(root / "pg", free_port())
        server.start(root / "pg.log", root / "pg.pid", fsync=False)
        try:
            create_database(server, DATABASE)
            yield server, root
        finally:
            server.stop()


def load_notes(database_url: str) -> None:
    """A small table ``note`` of 100 rows, the workload of the overhead benchmarks."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)")
        conn.execute("INSERT INTO note SELECT g, 'note ' || g FROM generate_series(1, 100) g")
