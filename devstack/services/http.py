"""A local HTTP server process (the engine, the action service, ...) with a health URL."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import httpx

from devstack.ports import LOOPBACK, ensure_free
from devstack.process import ManagedProcess
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file


class HttpService:
    """A server started from ``argv`` that is healthy when ``health_path`` answers 2xx."""

    def __init__(
        self,
        settings: StackSettings,
        name: str,
        port: int,
        argv: Sequence[str],
        *,
        description: str,
        health_path: str = "/healthz",
        env: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self.name = name
        self.port = port
        self.argv = list(argv)
        self.description = description
        self.health_path = health_path
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.process: ManagedProcess | None = None

    def url(self) -> str:
        """The server's base URL."""
        return f"http://{LOOPBACK}:{self.port}"

    def describe(self) -> str:
        """What this stands in for."""
        return self.description

    def start(self) -> None:
        """Start the server and wait for its health URL."""
        ensure_free(self.port, self.name)
        self.process = ManagedProcess(
            self.name, self.argv, log_file(self.settings, self.name),
            pid_file(self.settings, self.name), env=self.env,
        )
        self.process.start()
        self.process.wait_until(self.healthy, timeout=self.start_timeout)

    def healthy(self) -> bool:
        """Whether the health URL answers 2xx."""
        try:
            response = httpx.get(self.url() + self.health_path, timeout=1.0)
        except httpx.HTTPError:
            return False
        return response.is_success

    def stop(self) -> None:
        """Stop the server if this object started it."""
        if self.process is not None:
            self.process.stop()


def python_module_argv(module: str, *args: str) -> list[str]:
    """``python -m module args...`` with the interpreter running devstack."""
    return [sys.executable, "-m", module, *args]


def uvicorn_argv(app: str, port: int) -> list[str]:
    """Serve the ASGI ``app`` ("module:attr") on loopback with uvicorn.

    ``--no-proxy-headers``: uvicorn would otherwise take the client address from
    ``X-Forwarded-For`` whenever the peer is 127.0.0.1, i.e. from any local client.
    """
    return python_module_argv(
        "uvicorn", app, "--host", LOOPBACK, "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--no-proxy-headers",
    )
