"""Several engine processes on one port (ENGINE_WORKERS): started, answering, stopped by pid."""

from __future__ import annotations

import errno
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from devstack.errors import StackError
from devstack.ports import free_port
from devstack.process import pid_alive
from devstack.services.engine import EngineServer
from engine.server.workers import listening_sockets

DEADLINE_S = 60.0


def _workers(pid: int) -> list[psutil.Process]:
    children: list[psutil.Process] = psutil.Process(pid).children()
    return children


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {DEADLINE_S:.0f}s: {what}")


def _listening(process: psutil.Process, port: int) -> bool:
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
               for c in process.net_connections("tcp"))


def test_workers_share_the_port_replace_a_dead_one_and_stop_by_pid(
    create_database: Callable[[str], str], state_root: Path,
) -> None:
    """Workers share the port, replace a dead one and stop by pid.

    GIVEN ENGINE_WORKERS=2 WHEN the engine starts THEN two worker processes each listen on the
    port and it answers; WHEN a worker is killed THEN another takes its place and the port
    still answers; WHEN the supervisor gets SIGTERM THEN every worker is gone.
    """
    port = free_port()
    server = EngineServer(create_database("workers"), port, admin_secret="s",
                          state_dir=state_root, name="engine-workers",
                          extra_env={"ENGINE_WORKERS": "2"})
    server.start()
    parent = server.pid
    assert parent is not None
    seen: set[int] = set()
    try:
        workers = _workers(parent)
        assert len(workers) == 2
        seen.update(w.pid for w in workers)
        assert all(_listening(w, port) for w in workers)
        assert httpx.get(server.url() + "/healthz").text == "OK"
        # Both workers reported ready (a socket inherited at fork is listening before that;
        # a worker killed before it is ready ends the server, as a failed start should).
        _wait_for(lambda: "engine serving with 2 workers" in server.log_path.read_text(),
                  "both workers ready")

        os.kill(workers[0].pid, signal.SIGKILL)
        fresh: list[psutil.Process] = []

        def replaced() -> bool:  # one reading of the children: the killed one gone, a new one
            now = _workers(parent)
            fresh[:] = [w for w in now if w.pid not in seen]
            return len(now) == 2 and workers[0].pid not in {w.pid for w in now} and bool(fresh)

        _wait_for(replaced, "a replacement worker")
        replacement = fresh[0]
        seen.add(replacement.pid)
        _wait_for(lambda: _listening(replacement, port), "the replacement listening")
        for _ in range(20):  # connections hashed to either socket are answered
            assert httpx.get(server.url() + "/healthz", timeout=30).text == "OK"
    finally:
        os.kill(parent, signal.SIGTERM)
        _wait_for(lambda: not pid_alive(parent), "the supervisor gone")
        server.stop()
    assert not [pid for pid in seen if pid_alive(pid)]
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url() + "/healthz", timeout=1.0)


def test_workers_start_failure_ends_the_server(state_root: Path) -> None:
    """Workers start failure ends the server.

    GIVEN ENGINE_WORKERS=2 and a database nothing listens on WHEN the engine starts THEN it
    fails as one process would, with no worker left behind.
    """
    server = EngineServer(f"postgresql://postgres@127.0.0.1:{free_port()}/none", free_port(),
                          state_dir=state_root, name="engine-workers-nodb", start_timeout=60,
                          extra_env={"ENGINE_WORKERS": "2"})
    with pytest.raises(StackError, match="exited with code"):
        server.start()
    assert server.pid is None
    assert "failed to start" in server.log_path.read_text()


def test_workers_sockets_share_one_port_and_refuse_a_taken_one() -> None:
    """Workers sockets share one port and refuse a taken one.

    GIVEN port 0 WHEN three sockets are opened THEN all listen on the one port the first got;
    GIVEN a port another socket listens on (without SO_REUSEPORT, or with it) THEN opening
    fails with EADDRINUSE instead of silently sharing it.
    """
    sockets = listening_sockets("127.0.0.1", 0, 3, 16)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(ports) == 1
        assert all(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for sock in sockets)
        with pytest.raises(OSError, match="in use") as taken:
            listening_sockets("127.0.0.1", ports.pop(), 2, 16)
        assert taken.value.errno == errno.EADDRINUSE
    finally:
        for sock in sockets:
            sock.close()
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError, match="in use"):
            listening_sockets("127.0.0.1", plain.getsockname()[1], 2, 16)
