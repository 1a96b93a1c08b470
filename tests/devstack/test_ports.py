from __future__ import annotations

import errno
import socket

import pytest

from devstack.errors import StackError
from devstack.ports import LOOPBACK, ensure_all_free, ensure_free, free_port


def _leave_time_wait(port: int) -> None:
    """Serve one connection on ``port`` and close the server side first (it enters TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, port))
        listener.listen()
        client = socket.create_connection((LOOPBACK, port))
        served, _ = listener.accept()
        served.close()
        client.recv(1)
        client.close()


def test_ensure_free_accepts_a_port_with_only_time_wait_connections() -> None:
    """GIVEN a port whose last connection lingers in TIME_WAIT (a stopped stack's): it is free."""
    port = free_port()
    _leave_time_wait(port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain, \
            pytest.raises(OSError, match="Address already in use") as refused:
        plain.bind((LOOPBACK, port))  # what the old check did: refused for ~60 s
    assert refused.value.errno == errno.EADDRINUSE

    ensure_free(port, "postgres")


def test_ensure_free_refuses_a_port_something_listens_on() -> None:
    """GIVEN a listening socket on the port THEN the check fails naming service and port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StackError, match=f"redis: port {port} on {LOOPBACK} is already"):
            ensure_free(port, "redis")


def test_ensure_all_free_names_every_taken_port() -> None:
    """GIVEN two of three ports taken THEN one error names both, and not the free one."""
    with socket.socket() as a, socket.socket() as b:
        for sock in (a, b):
            sock.bind((LOOPBACK, 0))
            sock.listen()
        free = free_port()
        ports = {"engine": a.getsockname()[1], "moto": free, "actions": b.getsockname()[1]}
        with pytest.raises(StackError) as error:
            ensure_all_free(ports)
    message = str(error.value)
    assert f"engine: port {ports['engine']}" in message
    assert f"actions: port {ports['actions']}" in message
    assert "moto" not in message
