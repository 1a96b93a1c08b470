"""One measured run: a load generator against one target, with CPU accounted around it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.load.cpu import ChildActivity, CpuMeter, CpuSample, CpuUsage
from bench.load.sqlrunner import Statement
from bench.load.stats import Latency, LoadResult
from bench.load.wrk import run_wrk

HTTP_TARGETS = ("engine", "engine_workers", "http_floor", "engine_cached", "postgraphile")
SQL_TARGETS = {"floor": "engine", "floor_busy": "engine", "postgraphile_sql": "postgraphile"}
"""Bare-SQL targets and the server whose captured SQL each one replays."""
SERVER_OF = {"engine_cached": "engine", **SQL_TARGETS}
"""Targets that are not a server of their own: the server they depend on."""


def server_of(target: str) -> str:
    """The server process behind ``target`` (``engine_cached`` is the engine, with Redis)."""
    return SERVER_OF.get(target, target)


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
        server = server_of(self.target) if self.target in HTTP_TARGETS else "generator"
        return {
            "target": self.target, "case": self.case, "mode": self.mode, "level": self.level,
            "entry": self.entry, "result": self.result.to_json(), "cpu": self.cpu.to_json(),
            "pg_cpu_ms_per_request": self.cpu_ms_per_request("postgres"),
            "server_cpu_ms_per_request": self.cpu_ms_per_request(server),
            "generator_cores": self.cpu.generator_s / self.cpu.wall_s if self.cpu.wall_s else 0,
            "pg_backends": self.backends(),
        }

    def backends(self) -> dict[str, float]:
        """PostgreSQL's backends during the run (those alive from start to end).

        How many were busy, and per request how often they slept (voluntary switches) and
        were preempted (involuntary ones).
        """
        activity = self.cpu.children.get("postgres")
        if activity is None or self.result.requests == 0:
            return {}
        return {"busy": activity.busy,
                "voluntary_switches_per_request": activity.voluntary / self.result.requests,
                "involuntary_switches_per_request": activity.involuntary / self.result.requests}


def merge(parts: list[tuple[LoadResult, CpuUsage]]) -> tuple[LoadResult, CpuUsage]:
    """One result from several rounds of the same run.

    Counts, durations and CPU add up; latency percentiles are the request-weighted mean of
    each round's (an approximation: wrk reports percentiles, not samples).
    """
    if len(parts) == 1:
        return parts[0]
    results = [result for result, _ in parts]
    usages = [usage for _, usage in parts]
    total = sum(r.requests for r in results) or 1

    def weighted(name: str) -> float:
        return sum(float(getattr(r.latency, name)) * r.requests for r in results) / total

    latency = Latency(p50_ms=weighted("p50_ms"), p90_ms=weighted("p90_ms"),
                      p99_ms=weighted("p99_ms"), max_ms=max(r.latency.max_ms for r in results),
                      mean_ms=weighted("mean_ms"))
    detail = dict(results[0].detail)
    detail["rounds"] = len(parts)
    for key in ("status_errors", "graphql_errors", "generic_plans", "custom_plans"):
        if all(isinstance(r.detail.get(key), int) for r in results):
            detail[key] = sum(int(r.detail[key]) for r in results)
    result = LoadResult(
        requests=sum(r.requests for r in results), errors=sum(r.errors for r in results),
        duration_s=sum(r.duration_s for r in results), latency=latency,
        bytes_received=sum(r.bytes_received for r in results),
        generator_cpu_s=sum(r.generator_cpu_s for r in results),
        dropped=sum(r.dropped for r in results), detail=detail)
    groups = {name: sum(u.groups.get(name, 0.0) for u in usages) for name in usages[0].groups}
    children = {name: ChildActivity(
        busy=max(u.children[name].busy for u in usages if name in u.children),
        voluntary=sum(u.children[name].voluntary for u in usages if name in u.children),
        involuntary=sum(u.children[name].involuntary for u in usages if name in u.children))
        for name in usages[0].children}
    usage = CpuUsage(wall_s=sum(u.wall_s for u in usages), groups=groups,
                     generator_s=sum(u.generator_s for u in usages),
                     system_busy_s=sum(u.system_busy_s for u in usages),
                     other_s=sum(u.other_s for u in usages), children=children)
    return result, usage


@dataclass(frozen=True)
class WindowedRun:
    """A run that marks the start and the end of its measured part itself.

    ``run(mark)`` calls ``mark`` twice: when the load starts (its connections open) and when
    it ends (before they close).
    """

    run: Callable[[Callable[[], None]], LoadResult]

    def __call__(self) -> LoadResult:
        """Run without marks (a warm-up)."""
        return self.run(lambda: None)


def measured(meter: CpuMeter, run: Callable[[], LoadResult]) -> tuple[LoadResult, CpuUsage]:
    """Run ``run`` between two CPU samples.

    A :class:`WindowedRun` is sampled at its own marks: its setup and teardown (the bare-SQL
    runner's connections opening and closing, PostgreSQL backends starting and exiting) are
    left out, as a server's pooled connections are. Its generator's CPU is then what the
    generator reports for its loop.
    """
    if isinstance(run, WindowedRun):
        samples: list[CpuSample] = []
        result = run.run(lambda: samples.append(meter.sample()))
        if len(samples) != 2:
            raise RuntimeError(f"a windowed run marked {len(samples)} times, not 2")
        return result, CpuMeter.usage(samples[0], samples[1],
                                      extra_generator_s=result.generator_cpu_s)
    before = meter.sample()
    result = run()
    after = meter.sample()
    return result, CpuMeter.usage(before, after)


def _python_generator(module: str, spec: Mapping[str, Any],
                      mark: Callable[[], None] | None = None) -> LoadResult:
    """Run a generator module as its own process (spec on stdin, result JSON on stdout).

    With ``mark``, the generator's ``start`` and ``stop`` lines call it (the spec says
    ``"window": true``), each answered with a line that lets the generator go on.
    """
    if mark is None:
        completed = subprocess.run([sys.executable, "-m", module], input=json.dumps(spec),
                                   capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{module} failed: {completed.stderr[-2000:]}")
        return LoadResult.from_json(json.loads(completed.stdout))
    # stderr to a file: a pipe nobody reads during the run could fill and stall it
    with tempfile.TemporaryFile("w+") as stderr, subprocess.Popen(
            [sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr, text=True) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps({**spec, "window": True}) + "\n")
        process.stdin.flush()
        output = ""
        for line in process.stdout:
            if line.strip() in ("start", "stop"):
                mark()
                process.stdin.write("go\n")
                process.stdin.flush()
            else:
                output += line
        process.stdin.close()
        if process.wait() != 0:
            stderr.seek(0)
            raise RuntimeError(f"{module} failed: {stderr.read()[-2000:]}")
    return LoadResult.from_json(json.loads(output))


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
               duration_s: float, client_work_us: float = 0.0) -> WindowedRun:
    """A closed-loop run of captured SQL through asyncpg, measured over its loop only.

    ``client_work_us``: CPU the runner spends per request in its event loop (``floor_busy``).
    """
    spec = {"dsn": dsn, "concurrency": concurrency, "duration_s": duration_s,
            "client_work_us": client_work_us,
            "statements": [{"sql": s.sql, "params": list(s.params)} for s in statements]}
    return WindowedRun(lambda mark: _python_generator("bench.load.sqlrunner", spec, mark))
