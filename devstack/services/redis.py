"""Redis, the local stand-in for ElastiCache: one server in the state folder, loopback only."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import StackError
from devstack.ports import LOOPBACK, ensure_free
from devstack.process import ManagedProcess
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file


def redis_binary() -> str:
    """Path of ``redis-server``, or a clear error saying how to install it."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if not found:
        raise StackError("redis-server not found; install it with `apt-get install redis-server`")
    return found


@dataclass
class RedisServer:
    """A Redis server persisting to ``root`` and serving ``port`` on loopback."""

    root: Path
    port: int
    process: ManagedProcess | None = None

    def url(self, db: int = 0) -> str:
        """A ``redis://`` URL for database ``db``."""
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def start(self, log_path: Path, pid_path: Path) -> ManagedProcess:
        """Start the server and wait until it answers PING."""
        ensure_free(self.port, "redis")
        self.root.mkdir(parents=True, exist_ok=True)
        argv = [
            redis_binary(), "--bind", LOOPBACK, "--port", str(self.port),
            "--dir", str(self.root), "--save", "60 1", "--appendonly", "no",
            "--protected-mode", "yes", "--daemonize", "no",
        ]
        self.process = ManagedProcess("redis", argv, log_path, pid_path)
        self.process.start()
        self.process.wait_until(self.ready, timeout=30)
        return self.process

    def ready(self) -> bool:
        """Whether the server answers PING."""
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server if this object started it."""
        if self.process is not None:
            self.process.stop()


class RedisService:
    """The stack's Redis (rate limits, auction bids)."""

    name = "redis"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.server = RedisServer(settings.state_dir / "redis", settings.redis_port)

    def url(self) -> str:
        """The Redis URL."""
        return self.server.url()

    def describe(self) -> str:
        """What this stands in for."""
        return "ElastiCache Redis"

    def start(self) -> None:
        """Start the server."""
        self.server.start(log_file(self.settings, self.name), pid_file(self.settings, self.name))

    def healthy(self) -> bool:
        """Whether it answers PING."""
        return self.server.ready()
