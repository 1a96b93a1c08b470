"""The whole benchmark in one run: database, servers, checks, SQL capture, load, profile."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.chinook import checks, runs
from bench.chinook.database import load_chinook, log_path, start_postgres, table_counts
from bench.chinook.httpfloor import CannotServeError, CaseSpec, servable
from bench.chinook.progress import PhaseProgress
from bench.chinook.servers import (
    GraphQLServer,
    apply_metadata,
    install_postgraphile,
    start_engine,
    start_http_floor,
    start_postgraphile,
    start_redis,
)
from bench.chinook.workload import Case, Workload, load_workload, replace_metadata
from bench.load.cpu import CpuMeter, CpuUsage
from bench.load.sqlrunner import Statement
from bench.load.stats import LoadResult
from bench.load.wrk import wrk_binary
from devstack.paths import REPO_ROOT, state_dir
from engine.settings import DEFAULT_POOL_SIZE

RESULTS_DIR = REPO_ROOT / "bench" / "results"


@dataclass
class Options:
    """What to run and for how long."""

    duration_s: float = 10.0
    concurrencies: tuple[int, ...] = (1, 8, 32)
    open_duration_s: float = 10.0
    warmup_s: float = 5.0
    rounds: int = 2
    """Each closed-loop run is split into this many rounds, targets in alternating order."""
    cases: tuple[str, ...] = ()
    """Case names to run (empty: all)."""
    targets: tuple[str, ...] = ("engine", "floor", "engine_cached", "postgraphile",
                                "postgraphile_sql")
    engine_workers: int = 2
    """Worker processes of the ``engine_workers`` target (``ENGINE_WORKERS``)."""
    floor_busy_us: float = 150.0
    """CPU per request the ``floor_busy`` runner spends in its event loop (about the
    engine's own per request on the simple query)."""
    pool_size: int = DEFAULT_POOL_SIZE
    """Connections of the ``http_floor`` server: the engine's pool size."""
    http_floor_busy_us: float = 0.0
    """CPU per request the ``http_floor`` server spends besides serving (0: the ceiling)."""
    open_loop: bool = True
    profile: bool = True
    sql_shape: bool = True
    results_dir: Path = RESULTS_DIR


@dataclass
class Bench:
    """State shared by the phases of one run."""

    options: Options
    workload: Workload
    state: Path
    log: Callable[[str], None]
    servers: dict[str, GraphQLServer] = field(default_factory=dict)
    redis: GraphQLServer | None = None
    """The engine's response cache (only with the ``engine_cached`` target)."""
    sql: dict[str, dict[str, list[Statement]]] = field(default_factory=dict)
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    """The engine's answer to each case (the ``http_floor`` must answer the same bytes)."""
    records: list[runs.RunRecord] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    dsn: str = ""

    def cases(self) -> list[Case]:
        """The cases selected by the options."""
        wanted = set(self.options.cases)
        return [case for case in self.workload.cases if not wanted or case.name in wanted]


def _bench_state() -> Path:
    """A fresh state folder for this run's cluster and logs (readable by the postgres user)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = state_dir() / "bench" / f"chinook-{stamp}"
    path.mkdir(parents=True, exist_ok=True)
    for folder in (path, path.parent, path.parent.parent):
        folder.chmod(folder.stat().st_mode | 0o755)
    return path


def run(options: Options, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the benchmark and return the results document (also written to a JSON file)."""
    workload = load_workload()  # first: a missing reference folder stops the run at once
    wrk_binary()
    install_postgraphile()
    bench = Bench(options, workload, _bench_state(), log)
    bench.report = {"started_at": _now(), "machine": _machine(), "options": _options(options),
                    "state_dir": str(bench.state), "errors": {}}
    with contextlib.ExitStack() as stack:
        log("starting PostgreSQL and loading the Chinook dump")
        pg = start_postgres(bench.state)
        stack.callback(pg.stop)
        bench.dsn = load_chinook(pg)
        bench.report["tables"] = table_counts(bench.dsn)
        _start_servers(bench, stack)
        _check_and_capture(bench, pg)
        if "http_floor" in options.targets:
            _start_http_floor(bench, stack)
        groups = {"postgres": [_pid(pg.process)],
                  **{name: [server.pid] for name, server in bench.servers.items()}}
        if bench.redis is not None:
            groups["redis"] = [bench.redis.pid]
        meter = CpuMeter(groups, per_child=("postgres",))
        _closed_loop(bench, meter)
        if options.open_loop:
            _open_loop(bench, meter)
        if options.profile and "engine" in bench.servers:
            _profile(bench)
        if options.sql_shape:
            _sql_shape(bench)
    # The cluster is rebuilt from the dump by every run; keep only the logs.
    shutil.rmtree(bench.state / "postgres", ignore_errors=True)
    bench.report["finished_at"] = _now()
    bench.report["runs"] = [record.to_json() for record in bench.records]
    options.results_dir.mkdir(parents=True, exist_ok=True)
    path = options.results_dir / f"chinook-{bench.report['started_at'].replace(':', '')}.json"
    path.write_text(json.dumps(bench.report, indent=1, default=str))
    bench.report["results_file"] = str(path)
    return bench.report


def _start_servers(bench: Bench, stack: contextlib.ExitStack) -> None:
    secret = bench.workload.admin_secret
    wanted = set(bench.options.targets)
    if wanted & {"engine", "engine_workers", "floor", "floor_busy", "engine_cached"}:
        redis_url = None
        if "engine_cached" in wanted:
            bench.log("starting Redis (the engine's response cache)")
            bench.redis = start_redis(bench.state)
            stack.callback(bench.redis.stop)
            redis_url = bench.redis.graphql_url
        bench.log("starting the engine and applying the Chinook metadata")
        try:
            engine = start_engine(bench.state, bench.dsn, secret, redis_url)
            stack.callback(engine.stop)
            apply_metadata(engine, replace_metadata(), secret)
            bench.servers["engine"] = engine
        except Exception as exc:  # the rest of the benchmark still runs
            bench.log(f"engine unavailable: {exc}")
            bench.report["errors"]["engine"] = traceback.format_exc(limit=3)
    if "engine_workers" in wanted and "engine" in bench.servers:
        # A second engine on the same database: it reads the metadata the first one stored.
        workers = bench.options.engine_workers
        bench.log(f"starting the engine with {workers} worker processes")
        try:
            several = start_engine(bench.state, bench.dsn, secret, workers=workers)
            stack.callback(several.stop)
            bench.servers["engine_workers"] = several
        except Exception as exc:
            bench.log(f"engine with workers unavailable: {exc}")
            bench.report["errors"]["engine_workers"] = traceback.format_exc(limit=3)
    if wanted & {"postgraphile", "postgraphile_sql"}:
        bench.log("starting PostGraphile")
        postgraphile = start_postgraphile(bench.state, bench.dsn)
        stack.callback(postgraphile.stop)
        bench.servers["postgraphile"] = postgraphile


def _request(bench: Bench, target: str, case: Case) -> tuple[str, str]:
    """URL and body of ``case`` for an HTTP target."""
    if target == "http_floor":
        return f"{bench.servers[target].graphql_url}/{case.name}", case.body()
    if target == "engine_cached":
        body = case.cached_body()
    else:
        body = case.body() if target in ("engine", "engine_workers") \
            else case.postgraphile_body()
    return bench.servers[runs.server_of(target)].graphql_url, body


def _check_and_capture(bench: Bench, pg: Any) -> None:
    headers = bench.workload.headers
    report: dict[str, Any] = {}
    bench.log("checking answers and capturing each server's SQL")
    with checks.StatementLogging(pg):
        for case in bench.cases():
            entry: dict[str, Any] = {}
            data: dict[str, Any] = {}
            for name in bench.servers:
                url, body = _request(bench, name, case)
                response = checks.post(url, body, headers)
                if name == "engine":
                    bench.answers[case.name] = response
                entry[name] = checks.check_response(response)
                data[name] = response.json().get("data")
                if case.hits_database and not entry[name]["errors"]:
                    statements = checks.capture_sql(pg, log_path(bench.state), url, body, headers)
                    bench.sql.setdefault(name, {})[case.name] = statements
                    entry[name]["statements"] = [
                        {"sql": s.sql, "params": list(s.params)} for s in statements]
            if {"engine", "postgraphile"} <= data.keys() and case.hits_database:
                entry["equivalence"] = checks.compare(data["engine"], data["postgraphile"])
            if bench.redis is not None and "engine" in data:
                entry["engine_cached"] = _check_cached(bench, case, data["engine"])
            report[case.name] = entry
    bench.report["checks"] = report


_ENGINE_OWN_HEADERS = frozenset({"date", "content-type", "content-length", "connection"})
"""Response headers the HTTP floor writes itself; it copies the engine's others."""


def _start_http_floor(bench: Bench, stack: contextlib.ExitStack) -> None:
    """Start the HTTP floor on the cases it can serve and check it answers as the engine.

    A case it cannot serve (not one statement, or no single root field) is logged and
    recorded under ``errors`` as ``http_floor:<case>``, and left out of its runs.
    """
    cases: list[CaseSpec] = []
    for case in bench.cases():
        answer = bench.answers.get(case.name)
        statements = bench.sql.get("engine", {}).get(case.name, [])
        if answer is None:  # the engine did not answer it: nothing to serve or compare
            continue
        try:
            cases.append(servable(case.name, statements, answer.content))
        except CannotServeError as exc:
            bench.log(f"http_floor cannot serve {exc}")
            bench.report["errors"][f"http_floor:{case.name}"] = f"CannotServeError: {exc}"
    if not cases:
        return
    answer = bench.answers[cases[0].name]
    headers = [(name, value) for name, value in answer.headers.items()
               if name.lower() not in _ENGINE_OWN_HEADERS]
    bench.log(f"starting the HTTP floor ({bench.options.pool_size} connections) on "
              + ", ".join(case.name for case in cases))
    try:
        server = start_http_floor(bench.state, bench.dsn, cases, headers,
                                  bench.options.pool_size, bench.options.http_floor_busy_us)
    except Exception as exc:
        bench.log(f"http_floor unavailable: {exc}")
        bench.report["errors"]["http_floor"] = traceback.format_exc(limit=3)
        return
    stack.callback(server.stop)
    bench.servers["http_floor"] = server
    for spec in cases:
        case = next(c for c in bench.cases() if c.name == spec.name)
        url, body = _request(bench, "http_floor", case)
        response = checks.post(url, body, bench.workload.headers)
        entry = checks.check_response(response)
        entry["same_bytes_as_engine"] = response.content == bench.answers[case.name].content
        entry["head_bytes"] = _head_size(response)
        entry["engine_head_bytes"] = _head_size(bench.answers[case.name])
        if not entry["same_bytes_as_engine"]:
            bench.log(f"http_floor: its answer to {case.name} differs from the engine's")
            entry["errors"] = entry.get("errors") or 1
        bench.report["checks"][case.name]["http_floor"] = entry


def _head_size(response: httpx.Response) -> int:
    """Bytes of the response's header lines (as sent: names and values as received)."""
    return sum(len(name) + len(value) + 4 for name, value in response.headers.raw)


def _check_cached(bench: Bench, case: Case, fresh: Any) -> dict[str, Any]:
    """The ``@cached`` query twice (stored, then from Redis): both must be the fresh answer."""
    url, body = _request(bench, "engine_cached", case)
    first = checks.post(url, body, bench.workload.headers)
    second = checks.post(url, body, bench.workload.headers)
    entry = checks.check_response(second)
    same = first.json().get("data") == fresh and second.json().get("data") == fresh
    entry["same_as_engine"] = same
    entry["cache_key"] = second.headers.get("x-hasura-query-cache-key")
    if not same or entry["cache_key"] is None:
        entry["errors"] = entry.get("errors") or 1
    return entry


def _targets_for(bench: Bench, case: Case) -> list[str]:
    targets = []
    for target in bench.options.targets:
        check = bench.report["checks"][case.name]
        source = target if target in check else runs.server_of(target)
        if runs.server_of(target) not in bench.servers or source not in check \
                or check[source]["errors"]:
            continue
        if target in runs.SQL_TARGETS and not bench.sql.get(source, {}).get(case.name):
            continue
        targets.append(target)
    return targets


def _closed_runner(bench: Bench, target: str, case: Case, concurrency: int,
                   duration_s: float) -> Callable[[], LoadResult]:
    if target in runs.SQL_TARGETS:
        statements = bench.sql[runs.SQL_TARGETS[target]][case.name]
        work = bench.options.floor_busy_us if target == "floor_busy" else 0.0
        return runs.sql_closed(bench.dsn, statements, concurrency, duration_s, work)
    url, body = _request(bench, target, case)
    return runs.http_closed(url, body, bench.workload.headers, concurrency, duration_s)


def _warmup_s(options: Options, target: str) -> float:
    # The engine and PostGraphile warm their caches and JITs; the floors have none.
    slow = target in runs.HTTP_TARGETS and target != "http_floor"
    return min(options.warmup_s if slow else 1.0, options.warmup_s)


def _closed_loop(bench: Bench, meter: CpuMeter) -> None:
    options = bench.options
    planned = sum(_warmup_s(options, target) + len(options.concurrencies) * options.duration_s
                  for case in bench.cases() for target in _targets_for(bench, case))
    progress = PhaseProgress("closed loop", planned, bench.log)
    for case in bench.cases():
        targets = _targets_for(bench, case)
        for target in targets:  # warm caches and JITs (V8 needs seconds) outside the measurement
            warmup = _warmup_s(options, target)
            progress.run(warmup, case=case.name, target=target, concurrency="8", note="warm-up")
            _closed_runner(bench, target, case, 8, warmup)()
        for concurrency in options.concurrencies:
            # Rounds in alternating target order: other load on the shared machine changes
            # by the second, so each target gets a share of every period.
            parts: dict[str, list[tuple[LoadResult, CpuUsage]]] = {t: [] for t in targets}
            for round_index in range(options.rounds):
                order = targets if round_index % 2 == 0 else list(reversed(targets))
                for target in order:
                    seconds = options.duration_s / options.rounds
                    progress.run(seconds, case=case.name, target=target,
                                 concurrency=str(concurrency),
                                 note=f"round {round_index + 1}/{options.rounds}")
                    parts[target].append(runs.measured(meter, _closed_runner(
                        bench, target, case, concurrency, seconds)))
            for target in targets:
                result, cpu = runs.merge(parts[target])
                record = runs.RunRecord(target, case.name, "closed", concurrency, result, cpu)
                bench.records.append(record)
                bench.log(_progress(record))


def _open_loop(bench: Bench, meter: CpuMeter) -> None:
    seconds = bench.options.open_duration_s
    planned = [(case, entry, rate, target) for case in bench.cases()
               for entry, rate in case.rates for target in _targets_for(bench, case)
               if target in runs.HTTP_TARGETS]
    progress = PhaseProgress("open loop", seconds * len(planned), bench.log)
    for case, entry, rate, target in planned:
        capacity = max((r.result.throughput for r in bench.records
                        if r.target == target and r.case == case.name), default=rate)
        if capacity < 0.8 * rate:
            progress.skip(seconds)
            bench.log(f"skip {entry} on {target}: closed-loop capacity {capacity:.0f}/s")
            bench.report.setdefault("skipped", []).append(
                {"entry": entry, "target": target, "capacity": capacity})
            continue
        url, body = _request(bench, target, case)
        progress.run(seconds, case=case.name, target=target,
                     concurrency=f"open, {rate:g} req/s", note=entry)
        result, cpu = runs.measured(meter, runs.http_open(
            url, body, bench.workload.headers, rate, seconds))
        record = runs.RunRecord(target, case.name, "open", rate, result, cpu, entry)
        bench.records.append(record)
        bench.log(_progress(record))


def _profile(bench: Bench) -> None:
    from bench.chinook.profile import profile_engine

    bench.log("profiling the engine on the complex query")
    try:
        bench.report["profile"] = profile_engine(bench.dsn, bench.workload, bench.state)
    except Exception as exc:  # keep the measurements anyway
        bench.log(f"profile failed: {exc}")
        bench.report["errors"]["profile"] = traceback.format_exc(limit=5)


def _sql_shape(bench: Bench) -> None:
    from bench.chinook.sqlshape import CASE, time_shapes

    statements = bench.report["checks"].get(CASE, {})
    if not all(statements.get(name, {}).get("statements") for name in ("engine", "postgraphile")):
        return
    bench.log("timing SQL shapes of the large-result statement")
    try:
        bench.report["sql_shape"] = time_shapes(bench.dsn, bench.report, rounds=10, per_round=30)
    except Exception as exc:  # keep the measurements anyway
        bench.log(f"SQL shape comparison failed: {exc}")
        bench.report["errors"]["sql_shape"] = traceback.format_exc(limit=5)


def _progress(record: runs.RunRecord) -> str:
    result = record.result
    return (f"  {record.case:28} {record.target:17} {record.mode} {record.level:>5g}: "
            f"{result.throughput:8.1f} req/s  p50 {result.latency.p50_ms:7.2f} ms  "
            f"errors {result.errors}  other load {record.cpu.to_json()['other_cores']:.2f} cores")


def _pid(process: Any) -> int:
    pid = process.pid if process is not None else None
    if pid is None:
        raise RuntimeError("PostgreSQL is not running")
    return int(pid)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _machine() -> dict[str, Any]:
    return {"cpus": psutil.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_average": os.getloadavg(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)}


def _options(options: Options) -> dict[str, Any]:
    data = dict(vars(options))
    data["results_dir"] = str(options.results_dir)
    return data
