from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from devstack.errors import StackError
from devstack.ports import LOOPBACK
from devstack.services.postgres import PostgresServer


def test_postgres_serves_version_15_on_loopback_only(pg_server: PostgresServer) -> None:
    """GIVEN the session's server WHEN asked THEN it is PostgreSQL 15 listening on 127.0.0.1."""
    with psycopg.connect(pg_server.url()) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        listen = conn.execute("SHOW listen_addresses").fetchone()
    assert version is not None
    assert version[0].startswith("15.")
    assert listen == (LOOPBACK,)


def test_postgres_refuses_a_wrong_password(pg_server: PostgresServer) -> None:
    """GIVEN scram auth on TCP WHEN the password is wrong THEN the connection is refused."""
    url = pg_server.url().replace(f":{pg_server.password}@", ":wrong@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url, connect_timeout=5)


def test_postgres_second_server_on_a_taken_port_gives_a_clear_error(
    pg_server: PostgresServer, state_root: Path
) -> None:
    """GIVEN a port in use WHEN another server starts on it THEN a StackError names the port."""
    other = PostgresServer(state_root / "other-pg", pg_server.port)
    with pytest.raises(StackError, match=f"port {pg_server.port}.*already in use"):
        other.start(state_root / "logs" / "other.log", state_root / "pids" / "other.pid")


def test_create_database_gives_isolated_databases(create_database: Callable[[str], str]) -> None:
    """GIVEN two new databases WHEN a table is made in one THEN the other does not see it."""
    first, second = create_database("iso"), create_database("iso")
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE only_here (id int)")
    with psycopg.connect(second) as conn:
        found = conn.execute("SELECT to_regclass('only_here')").fetchone()
    assert found == (None,)
