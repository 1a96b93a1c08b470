"""Constant-arrival-rate HTTP load (like k6's constant-arrival-rate or wrk2), run as a process.

``python -m bench.load.openloop`` reads a JSON spec on stdin and prints a JSON
:class:`~bench.load.stats.LoadResult` on stdout. Request ``i`` is due at ``start + i / rate``;
latency counts from that due time, so a server that falls behind shows it in the percentiles
instead of silently slowing the generator down (no coordinated omission). When every allowed
connection is busy the arrival is dropped and counted, as k6 does when it runs out of VUs.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

import uvloop

from bench.load.http_client import Connection, build_request, is_graphql_success
from bench.load.stats import Latency, LoadResult


@dataclass(frozen=True)
class OpenLoopSpec:
    """What to send, how often and for how long."""

    url: str
    body: bytes
    headers: dict[str, str]
    rate: float
    duration_s: float
    max_connections: int = 100

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OpenLoopSpec:
        """Read the spec written by the orchestrator."""
        return cls(
            url=data["url"], body=data["body"].encode(), headers=dict(data["headers"]),
            rate=float(data["rate"]), duration_s=float(data["duration_s"]),
            max_connections=int(data.get("max_connections", 100)),
        )


class _Pool:
    """Idle connections (most recently used last) plus a count of those in use."""

    IDLE_LIMIT_S = 2.0
    """Servers close idle keep-alive connections (uvicorn and Node after 5 s); closing ours
    sooner avoids sending a request on a connection the server is closing."""

    def __init__(self, url: str, limit: int) -> None:
        self.url = url
        self.limit = limit
        self.idle: list[tuple[Connection, float]] = []
        self.busy = 0

    def full(self) -> bool:
        return not self.idle and self.busy >= self.limit

    async def acquire(self) -> Connection:
        self.busy += 1
        now = time.monotonic()
        while self.idle:
            conn, last_used = self.idle.pop()
            if now - last_used < self.IDLE_LIMIT_S:
                self._close_stale(now)
                return conn
            conn.close()
        try:
            return await Connection.open(self.url)
        except BaseException:
            self.busy -= 1
            raise

    def _close_stale(self, now: float) -> None:
        fresh = [(c, t) for c, t in self.idle if now - t < self.IDLE_LIMIT_S]
        for conn, last_used in self.idle:
            if now - last_used >= self.IDLE_LIMIT_S:
                conn.close()
        self.idle = fresh

    def release(self, conn: Connection, reusable: bool) -> None:
        self.busy -= 1
        if reusable:
            self.idle.append((conn, time.monotonic()))
        else:
            conn.close()

    def close(self) -> None:
        for conn, _ in self.idle:
            conn.close()


async def run_open_loop(spec: OpenLoopSpec) -> LoadResult:
    """Send ``rate`` requests per second for ``duration_s`` and measure them."""
    raw = build_request(spec.url, spec.body, spec.headers)
    pool = _Pool(spec.url, spec.max_connections)
    latencies: list[float] = []
    counters = {"errors": 0, "bytes": 0, "dropped": 0, "socket_errors": 0, "status_errors": 0,
                "graphql_errors": 0}
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float) -> None:
        try:
            conn = await pool.acquire()
        except OSError:
            counters["errors"] += 1
            counters["socket_errors"] += 1
            return
        ok = False
        try:
            response = await conn.request(raw)
            ok = True
            counters["bytes"] += response.wire_bytes
            if not is_graphql_success(response):
                counters["errors"] += 1
                counters["status_errors" if response.status != 200 else "graphql_errors"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            counters["errors"] += 1
            counters["socket_errors"] += 1
        finally:
            pool.release(conn, ok)
        latencies.append(time.perf_counter() - due)

    cpu_before = _cpu()
    total = int(spec.rate * spec.duration_s)
    start = time.perf_counter()
    for i in range(total):
        due = start + i / spec.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if pool.full():
            counters["dropped"] += 1
            continue
        task = asyncio.create_task(one(due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    elapsed = time.perf_counter() - start
    pool.close()
    return LoadResult(
        requests=len(latencies), errors=counters["errors"], duration_s=elapsed,
        latency=Latency.of_seconds(latencies), bytes_received=counters["bytes"],
        generator_cpu_s=_cpu() - cpu_before, dropped=counters["dropped"],
        detail={"rate": spec.rate, "max_connections": spec.max_connections,
                **{k: v for k, v in counters.items() if k.endswith("_errors")}},
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Read the spec from stdin, run, print the result as JSON."""
    spec = OpenLoopSpec.from_json(json.load(sys.stdin))
    result = uvloop.run(run_open_loop(spec))
    json.dump(result.to_json(), sys.stdout)


if __name__ == "__main__":
    main()
