"""Several engine processes serving one port (``ENGINE_WORKERS`` / ``serve --workers N``).

One engine process is one event loop on one core. With ``N > 1`` the process started by
``python -m engine serve`` becomes a small supervisor that serves nothing itself:

- It opens ``N`` listening sockets on the port, each with ``SO_REUSEPORT``, *before* it starts
  any worker, and keeps them open. The kernel spreads new connections over the ``N`` queues
  by a hash of their addresses, so the workers share the load whatever their timing. A shared
  single socket would leave the split to whichever process wakes first, and uvloop accepts
  every pending connection in one go: a burst of keep-alive connections could all land on
  one worker. A taken port fails at once, as with one process: the supervisor first binds it
  *without* ``SO_REUSEPORT``, which any other listener refuses.
- Worker ``i`` is ``python -m engine serve`` given socket ``i`` (an inherited descriptor) and
  a pipe on which it reports "ready" once its start-up (database, metadata, schema) is done.
  Workers run in their own process group (a terminal's Ctrl-C reaches the supervisor only,
  which stops them once, gracefully) and get SIGTERM if the supervisor dies
  (``PR_SET_PDEATHSIG``): no orphan keeps the port.
- A worker that exits before it was ready is a start-up failure (bad settings, database
  unreachable): the supervisor stops the others and exits with that worker's status, as one
  process would. A worker that dies after it was ready is logged (pid, status) and replaced
  on the same socket: connections queued on it meanwhile wait for the replacement instead of
  being refused. Replacements are spaced out (:data:`RESTART_DELAY`) so a crash loop does
  not spin.
- On SIGTERM or SIGINT the supervisor sends SIGTERM to every worker by pid, waits up to
  :data:`STOP_TIMEOUT` seconds for them (each closes its websockets and finishes its
  requests), then SIGKILLs what is left.

Each worker is a whole engine: its own database pools, subscription pollers, event and cron
delivery loops, rate-limit counters. Metadata changes made through one reach the others by
:mod:`engine.metadata.sync`.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("engine.workers")

STOP_TIMEOUT = 30.0
"""Seconds a worker has to stop after SIGTERM before it is killed."""
RESTART_DELAY = 1.0
"""Seconds at least between two starts of the same worker."""
LISTEN_FD_FLAG = "--listen-fd"
READY_FD_FLAG = "--ready-fd"
_PR_SET_PDEATHSIG = 1


def listening_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """``count`` sockets listening on ``host:port`` with ``SO_REUSEPORT``.

    Raises:
        OSError: the port is taken (or the address is not this machine's).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if port:
        # A plain bind fails if anything listens there, with or without SO_REUSEPORT.
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # port 0: the others join the port the first got
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class _Worker:
    index: int
    sock: socket.socket
    process: subprocess.Popen[bytes] | None = None
    ready_pipe: int | None = None
    ready: bool = False
    started_at: float = 0.0
    restarts: int = 0


@dataclass
class Supervisor:
    """Starts ``len(sockets)`` workers running ``argv`` + their socket, keeps them running."""

    sockets: list[socket.socket]
    argv: Sequence[str]
    """The worker's command line without the socket and ready-pipe flags."""
    workers: list[_Worker] = field(default_factory=list)
    stopping: bool = False
    _selector: selectors.DefaultSelector = field(default_factory=selectors.DefaultSelector)
    _wakeup: tuple[int, int] = (-1, -1)

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (0) or a worker's start-up failure (its status)."""
        self._wakeup = os.pipe()
        for end in self._wakeup:
            os.set_blocking(end, False)
        self._selector.register(self._wakeup[0], selectors.EVENT_READ, None)
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)}
        try:
            self.workers = [_Worker(index, sock) for index, sock in enumerate(self.sockets)]
            for worker in self.workers:
                self._start(worker)
            return self._supervise()
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._selector.close()
            for end in self._wakeup:
                os.close(end)
            for sock in self.sockets:
                sock.close()

    def pids(self) -> list[int]:
        """The pids of the running workers."""
        return [w.process.pid for w in self.workers
                if w.process is not None and w.process.poll() is None]

    def _on_signal(self, signum: int, frame: object) -> None:
        if signum != signal.SIGCHLD:
            self.stopping = True
        with contextlib.suppress(BlockingIOError):
            os.write(self._wakeup[1], b"x")

    def _start(self, worker: _Worker) -> None:
        read_end, write_end = os.pipe()
        fd = worker.sock.fileno()
        argv = [*self.argv, LISTEN_FD_FLAG, str(fd), READY_FD_FLAG, str(write_end)]
        worker.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            argv, pass_fds=(fd, write_end), process_group=0, preexec_fn=_die_with_parent)
        os.close(write_end)
        worker.ready_pipe = read_end
        worker.ready = False
        worker.started_at = time.monotonic()
        self._selector.register(read_end, selectors.EVENT_READ, worker)
        logger.info("engine worker %d started (pid %d)", worker.index, worker.process.pid)

    def _supervise(self) -> int:
        announced = False
        while not self.stopping:
            for key, _ in self._selector.select(timeout=1.0):
                if key.data is None:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wakeup[0], 512)
                else:
                    self._read_ready(key.data)
            if not announced and all(w.ready for w in self.workers):
                announced = True
                logger.info("engine serving with %d workers (pids %s)", len(self.workers),
                               ", ".join(str(pid) for pid in self.pids()))
            for worker in self.workers:
                status = worker.process.poll() if worker.process is not None else None
                if worker.process is None or status is None or self.stopping:
                    continue
                if not worker.ready:
                    logger.error("engine worker %d (pid %d) failed to start (status %d)",
                                 worker.index, worker.process.pid, status)
                    return status if status > 0 else 1
                logger.error("engine worker %d (pid %d) died (status %d); starting another",
                             worker.index, worker.process.pid, status)
                self._forget_pipe(worker)
                worker.process = None
                time.sleep(max(0.0, worker.started_at + RESTART_DELAY - time.monotonic()))
                worker.restarts += 1
                self._start(worker)
        return 0

    def _read_ready(self, worker: _Worker) -> None:
        if worker.ready_pipe is None:
            return
        try:
            data = os.read(worker.ready_pipe, 16)
        except BlockingIOError:
            return
        if data:
            worker.ready = True
        self._forget_pipe(worker)  # one byte, or EOF: either way the pipe has said its part

    def _forget_pipe(self, worker: _Worker) -> None:
        if worker.ready_pipe is not None:
            self._selector.unregister(worker.ready_pipe)
            os.close(worker.ready_pipe)
            worker.ready_pipe = None

    def stop_all(self) -> None:
        """SIGTERM every running worker by pid, wait for them, SIGKILL after the timeout."""
        running = [w.process for w in self.workers
                   if w.process is not None and w.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error("engine worker pid %d did not stop in %.0fs: killed", process.pid,
                             STOP_TIMEOUT)
                process.kill()
                process.wait()
        for worker in self.workers:
            self._forget_pipe(worker)


def worker_argv(argv: Sequence[str]) -> list[str]:
    """The command line of a worker: this interpreter, ``-m engine`` and the parent's flags."""
    return [sys.executable, "-m", "engine", *argv]


def report_ready(fd: int | None) -> None:
    """Tell the supervisor (if any) that this worker serves: one byte on its pipe."""
    if fd is None:
        return
    try:
        os.write(fd, b"1")
    except OSError:
        logger.warning("could not report readiness to the supervisor")
    finally:
        os.close(fd)
