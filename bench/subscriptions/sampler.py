"""CPU and memory of the processes a subscriptions run involves, over its window."""

from __future__ import annotations

import threading
import time

import psutil

from devstack.services.postgres import PostgresServer


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU seconds of ``processes`` so far (ended ones count 0)."""
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


class Sampler:
    """CPU of PostgreSQL, the engine and the client processes; the engine's peak RSS."""

    def __init__(self, pg: PostgresServer, engine_pid: int, client_pids: list[int]) -> None:
        self.engine = psutil.Process(engine_pid)
        self.clients = [psutil.Process(pid) for pid in client_pids]
        self.pg_pid = pg.process.pid if pg.process is not None else None
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _pg(self) -> list[psutil.Process]:
        if self.pg_pid is None:
            return []
        root = psutil.Process(self.pg_pid)
        return [root, *root.children(recursive=True)]

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_rss = max(self.peak_rss, self.engine.memory_info().rss)

    def __enter__(self) -> Sampler:
        self.started = time.monotonic()
        self.pg0 = cpu_seconds(self._pg())
        self.engine0 = cpu_seconds([self.engine])
        self.clients0 = cpu_seconds(self.clients)
        self.peak_rss = self.engine.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.monotonic() - self.started
        self.pg_cpu = cpu_seconds(self._pg()) - self.pg0
        self.engine_cpu = cpu_seconds([self.engine]) - self.engine0
        self.clients_cpu = cpu_seconds(self.clients) - self.clients0
