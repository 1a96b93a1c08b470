"""The local stack: its services in start order, started and stopped together."""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from devstack.errors import StackError
from devstack.process import read_pid, stop_pid
from devstack.settings import StackSettings


class Service(Protocol):
    """A local server the stack runs: started in order, healthy or not, stopped by pid."""

    name: str

    def url(self) -> str:
        """Where a client reaches it."""

    def describe(self) -> str:
        """What it stands in for, in a few words (shown in the endpoints table)."""

    def start(self) -> None:
        """Start it and return once it is healthy (or raise StackError)."""

    def healthy(self) -> bool:
        """Whether it answers right now (works from another process than the starter)."""


@dataclass
class Step:
    """Work done once services before it are up (migrations, metadata, seeds, ...)."""

    name: str
    run: Callable[[], str]
    """Does the work and returns a one-line summary."""


def pid_file(settings: StackSettings, name: str) -> Path:
    """The pid file of service ``name``."""
    return settings.pids_dir / f"{name}.pid"


def log_file(settings: StackSettings, name: str) -> Path:
    """The log file of service ``name``."""
    return settings.logs_dir / f"{name}.log"


def stop_request_file(settings: StackSettings) -> Path:
    """Written by ``down`` before it stops anything, so a foreground ``up`` knows it was asked."""
    return settings.state_dir / "stop-requested"


def running_services(settings: StackSettings) -> dict[str, int]:
    """Services with a live pid file: name → pid."""
    if not settings.pids_dir.exists():
        return {}
    found = {}
    for path in sorted(settings.pids_dir.glob("*.pid")):
        pid = read_pid(path)
        if pid is not None:
            found[path.stem] = pid
    return found


def stop_all(settings: StackSettings, order: Sequence[str]) -> list[str]:
    """Stop every running service, in ``order`` first (reverse start order), then the rest."""
    running = running_services(settings)
    stopped = []
    names = [n for n in order if n in running] + [n for n in running if n not in order]
    for name in names:
        # PostgreSQL's fast shutdown (SIGINT) does not wait for clients to disconnect.
        stop_pid(running[name], timeout=30,
                 first=signal.SIGINT if name == "postgres" else signal.SIGTERM)
        pid_file(settings, name).unlink(missing_ok=True)
        stopped.append(name)
    return stopped


def ensure_not_running(settings: StackSettings) -> None:
    """Refuse to start a second stack over the same state folder."""
    running = running_services(settings)
    if running:
        listed = ", ".join(f"{n} (pid {p})" for n, p in running.items())
        raise StackError(
            f"the stack is already running from {settings.state_dir}: {listed}; "
            "use `./dev status` to see it or `./dev down` to stop it"
        )
