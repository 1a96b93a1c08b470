"""One measured run: a load generator against one target, with CPU accounted around it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.load.cpu import CpuMeter, CpuUsage
from bench.load.sqlrunner import Statement
from bench.load.stats import LoadResult
from bench.load.wrk import run_wrk

HTTP_TARGETS = ("engine", "postgraphile")
SQL_TARGETS = {"floor": "engine", "postgraphile_sql": "postgraphile"}
"""Bare-SQL targets and the server whose captured SQL each one replays."""


@dataclass
class RunRecord:
    """A run's identity, what the generator measured and the CPU each party used."""

    target: str
    case: str
    mode: str
    """``closed`` (fixed concurrency) or ``open`` (constant arrival rate)."""
    level: float
    """Concurrency (closed) or requests/s (open)."""
    result: LoadResult
    cpu: CpuUsage
    entry: str = ""
    """The config entry name of an open-loop run (e.g. ``simple_query_high_load``)."""

    def cpu_ms_per_request(self, group: str) -> float:
        """CPU milliseconds per request of a process group (``generator`` for the generator)."""
        if self.result.requests == 0:
            return 0.0
        used = self.cpu.generator_s if group == "generator" else self.cpu.groups.get(group, 0.0)
        return used / self.result.requests * 1e3

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with the per-request CPU figures derived."""
        server = self.target if self.target in HTTP_TARGETS else "generator"
        return {
            "target": self.target, "case": self.case, "mode": self.mode, "level": self.level,
            "entry": self.entry, "result": self.result.to_json(), "cpu": self.cpu.to_json(),
            "pg_cpu_ms_per_request": self.cpu_ms_per_request("postgres"),
            "server_cpu_ms_per_request": self.cpu_ms_per_request(server),
            "generator_cores": self.cpu.generator_s / self.cpu.wall_s if self.cpu.wall_s else 0,
        }


def measured(meter: CpuMeter, run: Callable[[], LoadResult]) -> tuple[LoadResult, CpuUsage]:
    """Run ``run`` between two CPU samples."""
    before = meter.sample()
    result = run()
    after = meter.sample()
    return result, CpuMeter.usage(before, after)


def _python_generator(module: str, spec: Mapping[str, Any]) -> LoadResult:
    """Run a generator module as its own process (spec on stdin, result JSON on stdout)."""
    completed = subprocess.run([sys.executable, "-m", module], input=json.dumps(spec),
                               capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{module} failed: {completed.stderr[-2000:]}")
    return LoadResult.from_json(json.loads(completed.stdout))


def http_closed(url: str, body: str, headers: Mapping[str, str], concurrency: int,
                duration_s: float) -> Callable[[], LoadResult]:
    """A closed-loop HTTP run with wrk."""
    return lambda: run_wrk(url, body, headers, concurrency, duration_s)


def http_open(url: str, body: str, headers: Mapping[str, str], rate: float,
              duration_s: float, max_connections: int = 100) -> Callable[[], LoadResult]:
    """A constant-arrival-rate HTTP run with the Python open-loop generator."""
    spec = {"url": url, "body": body, "headers": dict(headers), "rate": rate,
            "duration_s": duration_s, "max_connections": max_connections}
    return lambda: _python_generator("bench.load.openloop", spec)


def sql_closed(dsn: str, statements: list[Statement], concurrency: int,
               duration_s: float) -> Callable[[], LoadResult]:
    """A closed-loop run of captured SQL through asyncpg."""
    spec = {"dsn": dsn, "concurrency": concurrency, "duration_s": duration_s,
            "statements": [{"sql": s.sql, "params": list(s.params)} for s in statements]}
    return lambda: _python_generator("bench.load.sqlrunner", spec)
