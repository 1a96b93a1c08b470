"""Port checks and allocation on the loopback interface."""

from __future__ import annotations

import socket
from collections.abc import Mapping

from devstack.errors import StackError

LOOPBACK = "127.0.0.1"


def is_listening(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def is_free(port: int) -> bool:
    """Whether a server could bind ``port`` on loopback now.

    The probe sets ``SO_REUSEADDR``, as every server of the stack does: connections of a
    stopped stack linger in TIME_WAIT for a minute, and they do not stop a new listener.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def ensure_free(port: int, service: str) -> None:
    """Fail with a clear message when ``port`` is taken, before starting ``service``."""
    ensure_all_free({service: port})


def ensure_all_free(ports: Mapping[str, int]) -> None:
    """Check every service's port before anything starts; name every one that is taken."""
    taken = [f"{service}: port {port} on {LOOPBACK} is already in use"
             for service, port in ports.items() if not is_free(port)]
    if taken:
        raise StackError(
            f"{'; '.join(taken)} (stop whatever holds {'it' if len(taken) == 1 else 'them'}, "
            f"or set another port in the environment)"
        )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port
