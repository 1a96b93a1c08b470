"""The operating-system limits that N websocket subscribers on loopback run into.

Every subscriber is one socket in the engine and one in a client process, and every client
socket takes a local (ephemeral) port towards the engine's one address. :func:`prepare`
raises this process's open-file limit to its hard limit (the engine and the client
processes inherit it) and refuses, saying why, a run that cannot fit: the hard limit and
the port range can only be raised by root (``ulimit -Hn`` / ``limits.conf``, the sysctl
``net.ipv4.ip_local_port_range``), which a benchmark must not do behind the user's back.
"""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Any

FD_MARGIN = 1000
"""Descriptors besides the sockets (PostgreSQL connections, files, pipes, the listener)."""
PORT_MARGIN = 1000
"""Ports besides the subscribers' (other engineers' connections, TIME_WAIT leftovers)."""
_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_SOMAXCONN = Path("/proc/sys/net/core/somaxconn")


def _read_ints(path: Path) -> list[int] | None:
    try:
        return [int(x) for x in path.read_text().split()]
    except (OSError, ValueError):
        return None


def prepare(subscribers: int) -> dict[str, Any]:
    """Raise the open-file limit as far as allowed; what the run may use.

    Raises:
        SystemExit: the hard open-file limit or the ephemeral port range is too small for
            ``subscribers`` connections (with the setting to change).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile != resource.RLIM_INFINITY and subscribers + FD_MARGIN > nofile:
        raise SystemExit(
            f"{subscribers} subscribers need about {subscribers + FD_MARGIN} open files in "
            f"the engine, but the hard limit is {nofile}; only root can raise it "
            f"(ulimit -Hn, /etc/security/limits.conf)")
    ports = _read_ints(_PORT_RANGE)
    usable = ports[1] - ports[0] + 1 if ports and len(ports) == 2 else None
    if ports is not None and usable is not None and subscribers + PORT_MARGIN > usable:
        raise SystemExit(
            f"{subscribers} subscribers need {subscribers} local ports towards the engine, "
            f"but net.ipv4.ip_local_port_range ({ports[0]}-{ports[1]}) has {usable}; "
            f"only root can widen it (sysctl)")
    somaxconn = _read_ints(_SOMAXCONN)
    return {"open_files": None if nofile == resource.RLIM_INFINITY else nofile,
            "ephemeral_ports": usable,
            "somaxconn": somaxconn[0] if somaxconn else None}
