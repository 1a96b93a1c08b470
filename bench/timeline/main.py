"""``homeTimeline`` latency through the engine, served from the cache against uncached.

Starts its own PostgreSQL and Redis (devstack's servers, fsync off), migrates the project,
writes users and posts, then runs two stacks on the same database side by side: engine +
action service with ``TIMELINE_CACHE=redis`` (cached) and with ``TIMELINE_CACHE=none``
(every call reads the posts through the engine as the anonymous role). For each
concurrency, wrk runs closed loops against both, in rounds of alternating order (AB, BA)
so both share each period of the machine's other load; it reports p50/p99 and throughput
per target, the uncached/cached ratios, and the CPU each process group spent per request
(where the time goes). Writes ``bench/results/timeline-<time>.json`` and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import psycopg

from bench.load.cpu import CpuMeter
from bench.load.progress import stderr_progress
from bench.load.stats import LoadResult
from bench.load.wrk import run_wrk
from bench.timeline.stack import TimelineStack, timeline_stack
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR, REPO_ROOT
from devstack.ports import free_port
from devstack.services.postgres import PostgresServer
from devstack.services.redis import RedisServer

QUERY = "query($limit: Int) { homeTimeline(limit: $limit) { posts { id author_id text " \
        "created_at expires_at } cached next_before } }"
TARGETS = ("cached", "uncached")


@dataclass(frozen=True)
class Settings:
    """What one run measures."""

    posts: int
    limit: int
    concurrency: tuple[int, ...]
    duration_s: float
    rounds: int


progress = stderr_progress("bench.timeline")


def load_posts(database_url: str, posts: int) -> None:
    """Ten users and ``posts`` posts a minute apart, living a week or a month."""
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO users (id, email, name) SELECT 'bench-' || n, "
            "'bench' || n || '@example.com', 'Bench ' || n FROM generate_series(1, 10) n")
        conn.execute(
            "INSERT INTO posts (author_id, text, lifetime, created_at) "
            "SELECT 'bench-' || (n %% 10 + 1), 'post number ' || n || repeat(' words', 20), "
            "CASE WHEN n %% 2 = 0 THEN 'one_week' ELSE 'thirty_days' END, "
            "now() - make_interval(mins => n) FROM generate_series(1, %s) n", (posts,))
        conn.execute("ANALYZE posts")


def check(stacks: dict[str, TimelineStack], limit: int) -> None:
    """Both stacks answer the same posts without errors (and the cached one from the cache)."""
    answers = {}
    for name, stack in stacks.items():
        for _ in range(2):  # the second call is a hit on the cached stack
            body = stack.graphql(QUERY, {"limit": limit})
        if "errors" in body:
            raise RuntimeError(f"{name}: {body['errors']}")
        answers[name] = body["data"]["homeTimeline"]
    if answers["cached"]["posts"] != answers["uncached"]["posts"]:
        raise RuntimeError("cached and uncached timelines differ")
    if answers["cached"]["cached"] is not True or answers["uncached"]["cached"] is not False:
        raise RuntimeError(f"unexpected cache flags: {answers['cached']['cached']}, "
                           f"{answers['uncached']['cached']}")


def run_one(stack: TimelineStack, meter_groups: dict[str, list[int]], body: str,
            connections: int, duration_s: float) -> dict[str, Any]:
    """One wrk run against ``stack``'s engine, with CPU per process group."""
    meter = CpuMeter(meter_groups)
    before = meter.sample()
    result = run_wrk(stack.engine.graphql_url(), body, {}, connections, duration_s)
    usage = CpuMeter.usage(before, meter.sample(), result.generator_cpu_s)
    done = max(1, result.requests)
    return {
        "load": result.to_json(),
        "cpu": usage.to_json(),
        "cpu_ms_per_request": {name: round(seconds / done * 1000, 3)
                               for name, seconds in usage.groups.items()},
    }


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one target and concurrency: request-weighted latency, summed counts."""
    loads = [LoadResult.from_json(r["load"]) for r in runs]
    requests = sum(r.requests for r in loads)
    weight = [r.requests / requests if requests else 0 for r in loads]
    groups = runs[0]["cpu_ms_per_request"].keys()
    return {
        "requests": requests,
        "errors": sum(r.errors for r in loads),
        "throughput": round(sum(r.throughput for r in loads) / len(loads), 1),
        "p50_ms": round(sum(w * r.latency.p50_ms for w, r in zip(weight, loads, strict=True)), 3),
        "p99_ms": round(sum(w * r.latency.p99_ms for w, r in zip(weight, loads, strict=True)), 3),
        "cpu_ms_per_request": {
            g: round(sum(w * r["cpu_ms_per_request"][g] for w, r in zip(weight, runs,
                                                                       strict=True)), 3)
            for g in groups},
        "other_load_cores": round(sum(r["cpu"]["other_cores"] for r in runs) / len(runs), 2),
        "rounds": runs,
    }


def measure(database_url: str, redis_url: str, postgres_pid: int | None,
            redis_pid: int | None, state_dir: Path, settings: Settings) -> dict[str, Any]:
    """Start both stacks on a loaded database, run the rounds, stop the stacks."""
    stacks = {
        "cached": timeline_stack(database_url, state_dir, redis_url, "bench-cached",
                                 cache="redis", with_triggers=False, rate_limit=False,
                                 extra_action_env={"TIMELINE_CACHE_TTL_SECONDS": "3600"}),
        "uncached": timeline_stack(database_url, state_dir, redis_url, "bench-uncached",
                                   cache="none", with_triggers=False, rate_limit=False),
    }
    body = json.dumps({"query": QUERY, "variables": {"limit": settings.limit}})
    try:
        for name, stack in stacks.items():
            progress(f"starting the {name} stack (engine + action service)")
            stack.start()
        check(stacks, settings.limit)
        results: dict[str, Any] = {}
        for connections in settings.concurrency:
            per_target: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
            for round_no in range(settings.rounds):
                order = TARGETS if round_no % 2 == 0 else tuple(reversed(TARGETS))
                for target in order:
                    stack = stacks[target]
                    groups = {
                        "engine": [p for p in [stack.engine.pid] if p],
                        "action_service": [p for p in [_pid(stack)] if p],
                        "postgres": [p for p in [postgres_pid] if p],
                        "redis": [p for p in [redis_pid] if p],
                    }
                    progress(f"concurrency {connections}, round {round_no + 1}/"
                             f"{settings.rounds}: {target} for {settings.duration_s:g} s")
                    per_target[target].append(
                        run_one(stack, groups, body, connections, settings.duration_s))
            combined = {t: combine(runs) for t, runs in per_target.items()}
            cached, uncached = combined["cached"], combined["uncached"]
            results[f"c{connections}"] = {
                **combined,
                "uncached_over_cached": {
                    "p50": _ratio(uncached["p50_ms"], cached["p50_ms"]),
                    "p99": _ratio(uncached["p99_ms"], cached["p99_ms"]),
                    "throughput_cached_over_uncached": _ratio(cached["throughput"],
                                                              uncached["throughput"]),
                },
            }
            progress(f"concurrency {connections}: p50 cached {cached['p50_ms']} ms, uncached "
                     f"{uncached['p50_ms']} ms; p99 {cached['p99_ms']} / {uncached['p99_ms']} ms")
        return results
    finally:
        for stack in stacks.values():
            stack.stop()


def _pid(stack: TimelineStack) -> int | None:
    process = stack.actions.process
    return None if process is None else process.pid


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Parse arguments, start PostgreSQL and Redis, measure, write and print the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.timeline", description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=20, help="homeTimeline(limit)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs per target and concurrency, in alternating order")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the JSON (default bench/results/timeline-<time>)")
    args = parser.parse_args(argv)
    settings = Settings(args.posts, args.limit, tuple(args.concurrency), args.duration,
                        args.rounds)

    state_parent = REPO_ROOT / ".state" / "bench"
    state_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="timeline-", dir=state_parent) as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        postgres = PostgresServer(root / "postgres", free_port())
        redis = RedisServer(root / "redis", free_port())
        progress("starting PostgreSQL and Redis")
        pg_process = postgres.start(root / "logs" / "postgres.log",
                                    root / "pids" / "postgres.pid", fsync=False)
        try:
            redis_process = redis.start(root / "logs" / "redis.log", root / "pids" / "redis.pid")
            with psycopg.connect(postgres.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE bench_timeline")
            database_url = postgres.url("bench_timeline")
            Migrator(database_url, HASURA_DIR / "migrations").apply()
            progress(f"writing {settings.posts} posts")
            load_posts(database_url, settings.posts)
            results = measure(database_url, redis.url(), pg_process.pid, redis_process.pid,
                              root, settings)
        finally:
            redis.stop()
            postgres.stop()

    report = {
        "benchmark": "timeline_home_timeline",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "settings": {"posts": settings.posts, "limit": settings.limit,
                     "concurrency": list(settings.concurrency),
                     "duration_s": settings.duration_s, "rounds": settings.rounds,
                     "targets": {"cached": "TIMELINE_CACHE=redis", "uncached":
                                 "TIMELINE_CACHE=none (posts read through the engine)"}},
        "results": results,
    }
    text = json.dumps(report, indent=2)
    output = args.output
    if output is None:
        results_dir = REPO_ROOT / "bench" / "results"
        results_dir.mkdir(parents=True, exist_ok=True)
        output = results_dir / f"timeline-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    output.write_text(text + "\n")
    print(text)
    return report



