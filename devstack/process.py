"""Start, watch and stop the local servers, each tracked by a pid file."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from devstack.errors import StackError
from devstack.private_state import write_private


def as_account(user: str | None) -> dict[str, Any]:
    """Popen arguments that run a child as ``user`` with that account's own group only.

    Without ``group``/``extra_groups`` a child started by root keeps root's groups, so it
    could not enter a folder shared with the account's group (the private state folder).
    """
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


@dataclass
class ManagedProcess:
    """One server process: its command, log file and pid file.

    The pid file lets ``devstack down`` (another process) stop what ``up --detach`` started.
    """

    name: str
    argv: Sequence[str]
    log_path: Path
    pid_path: Path
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    user: str | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process in its own session, output appended to its log file."""
        running = read_pid(self.pid_path)
        if running is not None:
            raise StackError(
                f"{self.name} is already running (pid {running}); run `./dev down` first"
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.pid_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(log_fd, "ab") as log:
            try:
                self.popen = subprocess.Popen(  # noqa: S603 - argv is built by devstack, not user input
                    list(self.argv),
                    umask=0o077,  # what services write in the state folder is private
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.cwd,
                    **as_account(self.user),
                    start_new_session=True,
                )
            except FileNotFoundError as exc:
                raise StackError(f"{self.name}: cannot start {self.argv[0]!r}: {exc}") from exc
        write_private(self.pid_path, str(self.popen.pid))

    @property
    def pid(self) -> int | None:
        """The pid of the running process, from this object or its pid file."""
        if self.popen is not None and self.popen.poll() is None:
            return self.popen.pid
        return read_pid(self.pid_path)

    def exited(self) -> int | None:
        """The exit code if this object started the process and it has ended."""
        return None if self.popen is None else self.popen.poll()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Wait until ``ready()`` is true; fail with the log's tail if the process dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.exited()
            if code is not None:
                self.pid_path.unlink(missing_ok=True)
                raise StackError(
                    f"{self.name} exited with code {code} while starting; "
                    f"last lines of {self.log_path}:\n{tail(self.log_path)}"
                )
            if ready():
                return
            time.sleep(0.05)
        self.stop()
        raise StackError(
            f"{self.name} was not ready after {timeout:.0f}s; "
            f"last lines of {self.log_path}:\n{tail(self.log_path)}"
        )

    def stop(self, timeout: float = 10.0, first: signal.Signals = signal.SIGTERM) -> None:
        """Stop the process (``first``, then SIGKILL after ``timeout``) and forget its pid."""
        pid = self.pid
        if pid is not None:
            stop_pid(pid, timeout, first)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=1)
        self.pid_path.unlink(missing_ok=True)


def read_pid(pid_path: Path) -> int | None:
    """The pid recorded in ``pid_path`` if that process still runs; stale files are removed."""
    try:
        pid = int(pid_path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if not pid_alive(pid):
        pid_path.unlink(missing_ok=True)
        return None
    return pid


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists and is not a zombie."""
    try:
        status: str = psutil.Process(pid).status()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True
    return status != str(psutil.STATUS_ZOMBIE)


def stop_pid(pid: int, timeout: float = 10.0, first: signal.Signals = signal.SIGTERM) -> None:
    """Send ``first`` to ``pid`` (and its process group), SIGKILL if it outlives ``timeout``."""
    for sig in (first, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                _reap(pid)
                return
            _reap(pid)
            time.sleep(0.05)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file (empty if it does not exist)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""
