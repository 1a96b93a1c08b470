"""Port checks and allocation on the loopback interface."""

from __future__ import annotations

import socket

from devstack.errors import StackError

LOOPBACK = "127.0.0.1"


def is_listening(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_free(port: int, service: str) -> None:
    """Fail with a clear message when ``port`` is taken, before starting ``service``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            raise StackError(
                f"{service}: port {port} on {LOOPBACK} is already in use "
                f"(stop whatever holds it, or set another port in the environment)"
            ) from exc


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port
