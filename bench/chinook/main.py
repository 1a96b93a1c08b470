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
from pathlib import Path
from typing import Any

import psutil

from bench.chinook import answers, runs
from bench.chinook.database import load_chinook, start_postgres, table_counts
from bench.chinook.progress import PhaseProgress
from bench.chinook.run_state import Bench, Options
from bench.chinook.servers import (
    apply_metadata,
    install_postgraphile,
    start_engine,
    start_postgraphile,
    start_redis,
)
from bench.chinook.workload import Case, load_workload, replace_metadata
from bench.load.cpu import CpuMeter, CpuUsage
from bench.load.stats import LoadResult
from bench.load.wrk import wrk_binary
from devstack.paths import state_dir


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
        answers.check_and_capture(bench, pg)
        if "http_floor" in options.targets:
            answers.start_checked_http_floor(bench, stack)
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
    url, body = bench.request(target, case)
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
        url, body = bench.request(target, case)
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
