"""Live queries at scale: 1,000 / 5,000 / 10,000 websocket subscribers against one engine.

    .venv/bin/python -m bench.subscriptions [--subscribers 1000 5000 10000] [--seconds 30]
        [--writes 50] [--processes 4] [--interval-ms 1000] [--profile] [--spy]
        [--baseline DIR]

For each N: a throw-away PostgreSQL with a table ``watch`` holding one row per user, an
engine (devstack's ``EngineServer``) where role ``user`` sees only its own row, and N
subscribers (``subscription { watch { value written_at } }``, each its own user) on real
websocket connections spread over client processes (``bench.subscriptions.client``). A
writer updates one user's row at a time, round robin, at ``--writes`` per second, stamping
the row with the time it commits. Reported, per N:

- latency from commit to client (p50, p95, p99), updates delivered against expected, and
  whether every subscriber ended on its row's final value;
- SQL statements per second run by the pollers (the engine's ``/dev/subscriptions``);
- CPU seconds per wall second of PostgreSQL, of the engine and of the client processes;
  the engine's peak RSS, and its RSS growth per subscriber (connected minus idle).

Before it starts, the run raises its open-file limit (inherited by the engine and the
clients) and checks the ephemeral port range (:mod:`bench.subscriptions.limits`).
``--spy`` samples the engine with py-spy while the writer writes, for the largest N, and
reports the functions with the most samples (:mod:`bench.subscriptions.spy`).

``--profile`` also runs the pollers in process under cProfile for the largest N (no
websockets: the cost of polling and fanning results out) and prints where the time goes.
``--baseline DIR`` runs each N twice, side by side: first an engine from the source tree
``DIR`` (e.g. ``git archive main | tar -x -C DIR``), then this checkout's, and reports the
ratios (this / baseline).
Results go to ``bench/results/subscriptions-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psutil

from bench.engine.database import DATABASE, throwaway_postgres
from bench.subscriptions import limits, table
from bench.subscriptions.profile import profile_pollers
from bench.subscriptions.report import gc_during, mean_poll_ms, percentile, print_run, ratios
from bench.subscriptions.sampler import Sampler
from bench.subscriptions.spy import Spy
from common.engine_client import EngineClient
from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.postgres import PostgresServer

SECRET = "bench-secret"  # noqa: S105 - a throw-away engine


def _stats(engine: EngineClient) -> dict[str, Any]:
    # A saturated engine answers late: wait for it rather than fail the run.
    response = engine.http.get("/dev/subscriptions", headers=engine.admin_headers(),
                               timeout=300)
    response.raise_for_status()
    stats: dict[str, Any] = response.json()
    return stats


def run_one(pg: PostgresServer, root: Path, users: int, args: argparse.Namespace,
            source: Path | None = None) -> dict[str, Any]:
    """One run with ``users`` subscribers (the engine from ``source`` if given)."""
    url = pg.url(DATABASE)
    table.load(url, users)
    interval = args.interval_ms / 1000
    env = {"HASURA_GRAPHQL_DEV_MODE": "true",
           "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL": str(args.interval_ms),
           "HASURA_GRAPHQL_PG_CONNECTIONS": str(args.pool)}
    env.update(dict(kv.split("=", 1) for kv in args.engine_env))
    if source is not None:
        # The engine runs from this checkout's directory: without PYTHONSAFEPATH Python
        # would import this checkout's engine (the working directory) before ``source``.
        env["PYTHONPATH"] = str(source)
        env["PYTHONSAFEPATH"] = "1"
    engine = EngineServer(url, free_port(), admin_secret=SECRET, state_dir=root,
                          name=f"engine-subs-{users}", extra_env=env)
    engine.start()
    clients: list[subprocess.Popen[str]] = []
    try:
        client = EngineClient(engine.url(), SECRET)
        client.metadata({"type": "bulk", "args": [
            {"type": "pg_track_table", "args": {"table": "watch"}},
            {"type": "pg_create_select_permission", "args": {
                "table": "watch", "role": "user", "permission": table.PERMISSION}}]}
        ).raise_for_status()
        ws_url = engine.url().replace("http://", "ws://") + "/v1/graphql"
        assert engine.pid is not None
        rss_idle = psutil.Process(engine.pid).memory_info().rss
        per = -(-users // args.processes)
        started = time.monotonic()
        for first in range(0, users, per):
            clients.append(subprocess.Popen(
                [sys.executable, "-m", "bench.subscriptions.client", ws_url, SECRET,
                 str(first), str(min(per, users - first)), str(args.in_flight)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT))
        for proc in clients:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise SystemExit(f"a client process failed to start: {line!r}")
        connect_seconds = time.monotonic() - started
        print(f"  {users} subscribers connected in {connect_seconds:.1f}s", flush=True)
        time.sleep(2 * interval)
        rss_connected = psutil.Process(engine.pid).memory_info().rss
        before = _stats(client)
        spy = None
        if args.spy and users == max(args.subscribers):
            spy = Spy(engine.pid, float(args.seconds),
                      Path(f"{args.out_stem}-spy-{users}-{len(args.spied)}.txt"))
            args.spied.append(users)
        with Sampler(pg, engine.pid, [p.pid for p in clients]) as sample:
            writer_seconds = float(args.seconds)
            progress = threading.Thread(target=_progress, args=(writer_seconds,), daemon=True)
            progress.start()
            finals = table.write(url, users, args.writes, writer_seconds)
            _settle(client, users, interval)
            after = _stats(client)
        results = []
        for proc in clients:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            results.append(orjson.loads(proc.stdout.readline()))
        expected_final = table.final_values(url)
        latencies = sorted(x for r in results for x in r["latencies"])
        last: dict[str, int | None] = {}
        for r in results:
            last.update(r["last"])
        wrong_final = sum(1 for u, v in expected_final.items() if last.get(u) != v)
        statements = after["statements"] - before["statements"]
        out = {
            "engine": str(source) if source is not None else "this checkout",
            "subscribers": users,
            "connect_seconds": round(connect_seconds, 1),
            "updates_written": sum(finals.values()),
            "updates_delivered": sum(r["deliveries"] for r in results),
            "latency_ms": {"p50": percentile(latencies, 0.50),
                           "p95": percentile(latencies, 0.95),
                           "p99": percentile(latencies, 0.99),
                           "max": percentile(latencies, 1.0)},
            "subscribers_on_final_state": users - wrong_final,
            "failed_connections": sum(r["failed"] for r in results),
            "failures": dict(Counter(e.split("(")[0] + ": " + e.split(":", 1)[-1][:80]
                                     for r in results for e in r.get("errors", []))
                             .most_common(5)),
            "pollers": len(after["pollers"]),
            "mean_poll_ms": mean_poll_ms(before, after),
            "gc": gc_during(before, after),
            "cohorts": sum(p["cohorts"] for p in after["pollers"]),
            "sql_statements_per_second": round(statements / sample.seconds, 1),
            "statements_per_100_subscribers_per_interval": round(
                statements / sample.seconds * interval / (users / 100), 2),
            "postgres_cpu_per_second": round(sample.pg_cpu / sample.seconds, 3),
            "engine_cpu_per_second": round(sample.engine_cpu / sample.seconds, 3),
            "clients_cpu_per_second": round(sample.clients_cpu / sample.seconds, 3),
            "engine_peak_rss_mb": round(sample.peak_rss / 2**20, 1),
            "engine_rss_idle_mb": round(rss_idle / 2**20, 1),
            "engine_rss_connected_mb": round(rss_connected / 2**20, 1),
            "engine_rss_per_subscriber_kb": round((rss_connected - rss_idle) / users / 1024, 1),
            "window_seconds": round(sample.seconds, 1),
        }
        if spy is not None:
            out["profile"] = spy.result()
        client.close()
        return out
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        engine.stop()


def _settle(client: EngineClient, users: int, interval: float) -> None:
    """Wait for two full polls after the last write (a saturated engine polls late)."""
    per_poll = -(-users // 100)
    target = _stats(client)["statements"] + 2 * per_poll
    deadline = time.monotonic() + 300
    while _stats(client)["statements"] < target and time.monotonic() < deadline:
        time.sleep(interval)
    time.sleep(2 * interval)


def _progress(seconds: float) -> None:
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        print(f"\r  writing: {elapsed:4.0f}/{seconds:.0f}s", end="", flush=True)
        time.sleep(1)
    print(f"\r  writing: {seconds:.0f}/{seconds:.0f}s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run every N, print and write the JSON results."""
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions")
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--seconds", type=int, default=30, help="how long the writer writes")
    parser.add_argument("--writes", type=float, default=50.0, help="row updates per second")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--interval-ms", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=200,
                        help="connections per client process waiting for a first result")
    parser.add_argument("--pool", type=int, default=10, help="engine connections")
    parser.add_argument("--profile", action="store_true",
                        help="also run the pollers in process under cProfile")
    parser.add_argument("--spy", action="store_true",
                        help="sample the engine with py-spy while the writer writes "
                             "(the largest N)")
    parser.add_argument("--baseline", type=Path, help="engine source tree to compare with")
    parser.add_argument("--engine-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment of the engines (repeatable)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    os_limits = limits.prepare(max(args.subscribers))  # the engine holds N sockets
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_path = args.out or REPO_ROOT / "bench" / "results" / f"subscriptions-{stamp}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    args.out_stem, args.spied = str(out_path.with_suffix("")), []
    report: dict[str, Any] = {"started_at": stamp, "load_before": list(psutil.getloadavg()),
                              "cpus": psutil.cpu_count(), "settings": {
                                  "seconds": args.seconds, "writes_per_second": args.writes,
                                  "processes": args.processes,
                                  "interval_ms": args.interval_ms, "pool": args.pool,
                                  "baseline": str(args.baseline) if args.baseline else None},
                              "limits": os_limits, "runs": [], "ratios": []}
    with throwaway_postgres("bench-subs-") as (pg, root):
        for users in args.subscribers:
            base = None
            if args.baseline is not None:
                print(f"{users} subscribers, baseline engine ({args.baseline})", flush=True)
                base = run_one(pg, root, users, args, args.baseline)
                report["runs"].append(base)
                print_run(base)
            print(f"{users} subscribers", flush=True)
            run = run_one(pg, root, users, args)
            report["runs"].append(run)
            print_run(run)
            if base is not None:
                compared = ratios(run, base)
                report["ratios"].append(compared)
                print(f"  this / baseline: {compared}", flush=True)
        if args.profile:
            table.load(pg.url(DATABASE), max(args.subscribers))
            text = asyncio.run(profile_pollers(pg.url(DATABASE), max(args.subscribers),
                                                args.interval_ms / 1000))
            report["profile"] = text
            print(text)
    report["load_after"] = list(psutil.getloadavg())
    out_path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(f"written to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
