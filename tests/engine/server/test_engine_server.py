"""devstack's EngineServer: one engine process, started healthy and stopped by pid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from devstack.errors import StackError
from devstack.ports import free_port
from devstack.process import pid_alive
from devstack.services.engine import EngineServer


def test_engine_server_starts_healthy_and_stops_by_pid(
    create_database: Callable[[str], str], state_root: Path,
) -> None:
    """Engine server starts healthy and stops by pid.

    GIVEN a fresh database WHEN an EngineServer starts THEN /healthz answers and its log file
    exists; WHEN it stops THEN the process is gone and the port answers no more.
    """
    server = EngineServer(create_database("lifecycle"), free_port(), admin_secret="s",
                          state_dir=state_root, name="engine-lifecycle")
    server.start()
    pid = server.pid
    try:
        assert pid is not None
        assert httpx.get(server.url() + "/healthz").text == "OK"
        assert server.log_path.exists()
        assert server.env()["HASURA_GRAPHQL_JWT_SECRET"] == ""
    finally:
        server.stop()
    assert not pid_alive(pid)
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url() + "/healthz", timeout=1.0)


def test_engine_server_reports_a_failed_start_with_the_log(state_root: Path) -> None:
    """Engine server reports a failed start with the log.

    GIVEN a database URL nothing listens on WHEN the engine starts THEN StackError with the
    last lines of the engine's log, and no process is left behind.
    """
    server = EngineServer(f"postgresql://postgres@127.0.0.1:{free_port()}/none", free_port(),
                          state_dir=state_root, name="engine-nodb", start_timeout=30)
    with pytest.raises(StackError, match="engine-nodb"):
        server.start()
    assert server.pid is None
