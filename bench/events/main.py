"""Measure event delivery: N rows inserted in one transaction, time until N webhook calls.

Starts its own PostgreSQL (devstack's ``PostgresServer``, fsync off) and engine
(``EngineServer``, the same process ``devstack up`` runs), tracks one table with an insert
event trigger to a local webhook, commits N inserts at once and reports events per second
from the commit to the last call received, plus the time until all are recorded delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench.events.webhook import Counter, serve
from bench.load.cpu import tree_cpu_seconds
from bench.load.progress import stderr_progress
from devstack.hasura_project.engine_client import MetadataClient
from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.postgres import PostgresServer

ADMIN_SECRET = "bench-admin-secret"  # noqa: S105 - a throwaway engine's secret
TABLE_DDL = "CREATE TABLE public.bench_events (id integer PRIMARY KEY, payload text NOT NULL)"


def metadata(webhook: str) -> dict[str, Any]:
    """One tracked table with an insert trigger to ``webhook``, retrying like production."""
    return {
        "version": 3,
        "sources": [{
            "name": "default",
            "kind": "postgres",
            "configuration": {"connection_info": {
                "database_url": {"from_env": "HASURA_GRAPHQL_DATABASE_URL"}}},
            "tables": [{
                "table": {"schema": "public", "name": "bench_events"},
                "event_triggers": [{
                    "name": "bench_insert",
                    "definition": {"enable_manual": False, "insert": {"columns": "*"}},
                    "retry_conf": {"num_retries": 3, "interval_sec": 10, "timeout_sec": 60},
                    "webhook": webhook,
                    "headers": [{"name": "X-Bench", "value": "1"}],
                }],
            }],
        }],
    }


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of ``pid`` so far (0 when it is gone)."""
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


progress = stderr_progress("bench.events")


async def _wait_reporting(counter: Counter, events: int, committed: float) -> None:
    """Wait for every webhook call (10 minutes at most), reporting progress each second."""
    deadline = committed + 600
    while not counter.done.is_set():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {len(counter.arrivals):,} of {events:,} events arrived")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(counter.done.wait(), timeout=1.0)
        elapsed = time.perf_counter() - committed
        arrived = len(counter.arrivals)
        progress(f"{arrived:,}/{events:,} delivered in {elapsed:.1f}s "
                 f"({arrived / elapsed:,.0f}/s)")


async def measure(database_url: str, engine: EngineServer, events: int,
                  postgres_pid: int | None = None) -> dict[str, Any]:
    """Run one measurement against a started engine (``postgres_pid``: its server, for CPU)."""
    counter = Counter(events)
    server, webhook = await serve(counter)
    try:
        await asyncio.to_thread(
            MetadataClient(engine.url(), ADMIN_SECRET).replace_metadata, metadata(webhook)
        )
        conn = await asyncpg.connect(database_url)
        try:
            payload = "x" * 100
            progress(f"inserting {events:,} rows in one transaction")
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO public.bench_events (id, payload) "
                    "SELECT g, $1 FROM generate_series(1, $2) AS g",
                    payload, events,
                )
                # CPU from here on is delivery's: the insert and its capture trigger are
                # before (they commit with the rows), the deliveries start at the commit.
                engine_cpu = cpu_seconds(engine.pid)
                postgres_cpu = 0.0 if postgres_pid is None else tree_cpu_seconds(postgres_pid)
                own_cpu = time.process_time()
            committed = time.perf_counter()
            await _wait_reporting(counter, events, committed)
            received = time.perf_counter()
            while True:  # the engine records outcomes shortly after the calls
                pending = await conn.fetchval(
                    "SELECT count(*) FROM hdb_catalog.event_log WHERE NOT delivered"
                )
                if not pending:
                    break
                await asyncio.sleep(0.05)
            recorded = time.perf_counter()
            engine_cpu = cpu_seconds(engine.pid) - engine_cpu
            if postgres_pid is not None:
                postgres_cpu = tree_cpu_seconds(postgres_pid) - postgres_cpu
            own_cpu = time.process_time() - own_cpu
            extra_calls = len(counter.arrivals) - events
        finally:
            await conn.close()
    finally:
        server.close()
    latencies = [t - committed for t in counter.arrivals[:events]]
    window = received - committed
    return {
        "events": events,
        "events_per_second": round(events / window, 1),
        "seconds_commit_to_last_webhook_call": round(window, 3),
        "seconds_commit_to_all_recorded_delivered": round(recorded - committed, 3),
        "latency_seconds": {
            "first": round(min(latencies), 4),
            "p50": round(statistics.median(latencies), 4),
            "p99": round(percentile(latencies, 0.99), 4),
            "last": round(max(latencies), 4),
        },
        "duplicate_calls": extra_calls,
        "engine_cpu_seconds": round(engine_cpu, 2),
        "engine_cpu_microseconds_per_event": round(engine_cpu / events * 1e6),
        # Where the rest of the time goes, from the commit to the last outcome recorded
        # (the insert itself, the capture trigger included, is before the commit: not here).
        "postgres_cpu_microseconds_per_event": (
            None if postgres_pid is None else round(postgres_cpu / events * 1e6)),
        "webhook_and_bench_cpu_microseconds_per_event": round(own_cpu / events * 1e6),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start PostgreSQL and the engine, measure, print JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--http-pool-size", type=int, default=100,
                        help="HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE (deliveries in flight)")
    parser.add_argument("--fetch-batch-size", type=int, default=100,
                        help="HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE")
    args = parser.parse_args(argv)

    state_parent = REPO_ROOT / ".state" / "bench"
    state_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="events-", dir=state_parent) as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        postgres = PostgresServer(root / "postgres", free_port())
        postgres.start(root / "logs" / "postgres.log", root / "pids" / "postgres.pid",
                       fsync=False)
        engine: EngineServer | None = None
        try:
            import psycopg

            with psycopg.connect(postgres.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE bench_events")
            database_url = postgres.url("bench_events")
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(TABLE_DDL)
            engine = EngineServer(
                database_url, free_port(), admin_secret=ADMIN_SECRET, state_dir=root,
                name="engine-bench-events",
                extra_env={
                    "HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE": str(args.http_pool_size),
                    "HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE": str(args.fetch_batch_size),
                },
            )
            engine.start()
            pg_process = postgres.process
            result = asyncio.run(measure(database_url, engine, args.events,
                                         None if pg_process is None else pg_process.pid))
        finally:
            if engine is not None:
                engine.stop()
            postgres.stop()

    report = {
        "benchmark": "event_trigger_delivery",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version()},
        "settings": {"http_pool_size": args.http_pool_size,
                     "fetch_batch_size": args.fetch_batch_size,
                     "inserted_in_one_transaction": True},
        **result,
    }
    text = json.dumps(report, indent=2)
    results = REPO_ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"events-{stamp}.json").write_text(text + "\n")
    print(text)
