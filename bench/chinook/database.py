"""The benchmark's own PostgreSQL: a fresh cluster, the Chinook dump, statement logging."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import psycopg

from bench.chinook.workload import chinook_file
from devstack.ports import free_port
from devstack.services.postgres import PostgresServer, create_database, pg_bindir

DATABASE = "chinook"
DUMP_ENCODING = "WIN1252"
"""The Chinook script is Windows-1252 text (names like "Antônio"), not UTF-8."""


def start_postgres(state: Path) -> PostgresServer:
    """Start a PostgreSQL cluster under ``state`` on a free port (fsync off: read-only workload)."""
    server = PostgresServer(state / "postgres", free_port())
    server.start(log_path(state), state / "pids" / "postgres.pid", fsync=False)
    return server


def log_path(state: Path) -> Path:
    """The server log, where statement logging writes the captured SQL."""
    return state / "logs" / "postgres.log"


def load_chinook(server: PostgresServer, dump: Path | None = None) -> str:
    """Create the ``chinook`` database from the dump (unless loaded already); returns its URL."""
    url = server.url(DATABASE)
    create_database(server, DATABASE)
    with psycopg.connect(url) as conn:
        loaded = conn.execute("SELECT to_regclass('public.\"Track\"') IS NOT NULL").fetchone()
    if loaded and loaded[0]:
        return url
    dump = dump or chinook_file("dump.sql.gz")
    result = subprocess.run(
        [str(pg_bindir() / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url],
        input=gzip.decompress(dump.read_bytes()), capture_output=True, check=False,
        env={**os.environ, "PGCLIENTENCODING": DUMP_ENCODING},
    )
    if result.returncode != 0:
        raise RuntimeError(f"loading {dump} failed: {result.stderr.decode(errors='replace')}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def set_statement_logging(server: PostgresServer, enabled: bool) -> None:
    """Log every statement with its parameters (capture phase only: logging costs CPU)."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        if enabled:
            conn.execute("ALTER SYSTEM SET log_statement = 'all'")
            conn.execute("ALTER SYSTEM SET log_parameter_max_length = -1")
        else:
            conn.execute("ALTER SYSTEM RESET log_statement")
            conn.execute("ALTER SYSTEM RESET log_parameter_max_length")
        conn.execute("SELECT pg_reload_conf()")


def table_counts(url: str) -> dict[str, int]:
    """Row counts of the Chinook tables (a sanity check recorded with the results)."""
    counts = {}
    with psycopg.connect(url) as conn:
        for table in ("Album", "Artist", "Customer", "Genre", "Playlist", "PlaylistTrack",
                      "Track"):
            row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608 - fixed names
            counts[table] = int(row[0]) if row else 0
    return counts
