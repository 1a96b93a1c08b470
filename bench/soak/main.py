"""A bounded soak test on loopback: normal anonymous queries, alone and under a deep-query attack.

One command (``.venv/bin/python -m bench.soak``) starts its own PostgreSQL and engine with
the project's migrations, seeds and metadata (API limits included), then runs three timed
phases, side by side in one run:

1. ``baseline``: ``--normal-clients`` anonymous clients send a normal query (assets with
   their latest prices), each waiting for its answer before sending the next;
2. ``attack``: the same, while ``--attackers`` anonymous clients send a query nesting
   ``crypto_assets → prices → asset`` ``--depth`` levels deep as fast as they are answered;
3. ``attack_without_depth_limits`` (unless ``--skip-unlimited``): the same attack with the
   depth and node limits removed, only the time limit left: what the time limit alone buys.

The rate limit is taken out of the project's limits for the whole run, since every client
here shares 127.0.0.1 and would otherwise be counted as one. It reports, per phase, the
normal queries' p50/p90/p99/max and errors, what the attack got back (by error code), the
engine's and PostgreSQL's CPU seconds, and the ratio of each phase's p99 to the
baseline's. Everything listens on 127.0.0.1, and every phase stops after ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.engine.database import DATABASE, throwaway_postgres
from bench.load.cpu import tree_cpu_seconds
from bench.load.http_client import Connection, build_request
from bench.load.metadata import api_limits_without_rate_limit
from bench.load.stats import Latency
from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR, REPO_ROOT
from devstack.ports import free_port
from devstack.services.engine import EngineServer

RESULTS = REPO_ROOT / "bench" / "results" / "soak.json"
ADMIN_SECRET = "soak-admin-secret"  # noqa: S105 - a throw-away local engine
NORMAL = ("query Normal { crypto_assets(order_by: {symbol: asc}) { symbol name "
          "prices(order_by: {minute: desc}, limit: 3) { price minute } } }")
METADATA_ENV = {"ACTIONS_BASE_URL": "http://127.0.0.1:9", "TRIGGERS_BASE_URL": "http://127.0.0.1:9",
                "ACTION_SHARED_SECRET": "soak", "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo"}


def deep_query(depth: int) -> str:
    """``crypto_assets { prices { asset { prices { ... } } } }``, ``depth`` levels deep."""
    opened = []
    for level in range(1, depth):
        opened.append("prices { price" if level % 2 else "asset { symbol")
    return ("query Deep { crypto_assets { symbol " + " ".join(opened) + " }" * len(opened)
            + " } }")


@dataclass
class PhaseResult:
    """What one phase measured."""

    name: str
    seconds: float
    normal: list[float] = field(default_factory=list)
    normal_errors: int = 0
    attack: list[float] = field(default_factory=list)
    attack_outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    engine_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0

    def to_json(self, baseline_p99_ms: float | None) -> dict[str, Any]:
        """The phase as stored in the results JSON."""
        normal = Latency.of_seconds(self.normal)
        return {
            "phase": self.name,
            "seconds": round(self.seconds, 2),
            "normal": {"requests": len(self.normal), "errors": self.normal_errors,
                       "per_second": round(len(self.normal) / self.seconds, 1),
                       "latency_ms": {k: round(v, 2) for k, v in vars(normal).items()}},
            "p99_vs_baseline": (round(normal.p99_ms / baseline_p99_ms, 2)
                                if baseline_p99_ms else None),
            "attack": {"requests": len(self.attack), "outcomes": dict(self.attack_outcomes),
                       "latency_ms": {k: round(v, 2)
                                      for k, v in vars(Latency.of_seconds(self.attack)).items()}},
            "cpu_s": {"engine": round(self.engine_cpu_s, 2),
                      "postgres": round(self.postgres_cpu_s, 2)},
        }


def _outcome(body: bytes) -> str:
    """``ok`` or the first error's code."""
    if b'"errors"' not in body[:20]:
        return "ok"
    try:
        return str(orjson.loads(body)["errors"][0]["extensions"]["code"])
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return "unparsed-error"


async def _client(url: str, raw: bytes, until: float, latencies: list[float],
                  outcomes: collections.Counter[str] | None, errors: list[int]) -> None:
    """One closed-loop client: send, wait for the answer, record, repeat until ``until``."""
    conn = await Connection.open(url)
    try:
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                response = await asyncio.wait_for(conn.request(raw), timeout=60)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                errors[0] += 1
                conn.close()
                conn = await Connection.open(url)
                continue
            latencies.append(time.perf_counter() - started)
            outcome = _outcome(response.body) if response.status == 200 else str(response.status)
            if outcomes is not None:
                outcomes[outcome] += 1
            elif outcome != "ok":
                errors[0] += 1
    finally:
        conn.close()


def _postgres_cpu(pg_pid: int) -> float:
    return tree_cpu_seconds(pg_pid)


async def run_phase(name: str, url: str, seconds: float, normal_clients: int, attackers: int,
                    depth: int, engine_pid: int, pg_pid: int) -> PhaseResult:
    """Run one phase and measure it."""
    result = PhaseResult(name, seconds)
    normal_raw = build_request(url, orjson.dumps({"query": NORMAL}), {})
    deep_raw = build_request(url, orjson.dumps({"query": deep_query(depth)}), {})
    engine_cpu, pg_cpu = tree_cpu_seconds(engine_pid), _postgres_cpu(pg_pid)
    errors = [0]
    started = time.monotonic()
    until = started + seconds
    tasks = [_client(url, normal_raw, until, result.normal, None, errors)
             for _ in range(normal_clients)]
    tasks += [_client(url, deep_raw, until, result.attack, result.attack_outcomes, [0])
              for _ in range(attackers)]
    progress = asyncio.create_task(_progress(name, result, until))
    await asyncio.gather(*tasks)
    progress.cancel()
    result.seconds = time.monotonic() - started
    result.normal_errors = errors[0]
    result.engine_cpu_s = tree_cpu_seconds(engine_pid) - engine_cpu
    result.postgres_cpu_s = _postgres_cpu(pg_pid) - pg_cpu
    print(f"  {name}: {len(result.normal)} normal queries "
          f"(p99 {Latency.of_seconds(result.normal).p99_ms:.1f} ms, {result.normal_errors} "
          f"errors), {len(result.attack)} attack queries {dict(result.attack_outcomes)}",
          flush=True)
    return result


async def _progress(name: str, result: PhaseResult, until: float) -> None:
    while True:
        await asyncio.sleep(2.0)
        left = max(0.0, until - time.monotonic())
        print(f"  {name}: {len(result.normal)} normal, {len(result.attack)} attack, "
              f"{left:.0f} s left", flush=True)


def _limits(metadata: dict[str, Any], *, depth_limits: bool) -> dict[str, Any]:
    """The project's API limits without the rate limit (and without depth/node limits)."""
    limits = api_limits_without_rate_limit(metadata)
    if not depth_limits:
        limits.pop("depth_limit", None)
        limits.pop("node_limit", None)
    return limits


def run(seconds: float, normal_clients: int, attackers: int, depth: int,
        unlimited_phase: bool) -> dict[str, Any]:
    """Start PostgreSQL and the engine, run the phases, return the report."""
    metadata = metadata_dir.read(HASURA_DIR).metadata
    load_before = os.getloadavg()
    with throwaway_postgres("soak-") as (pg, root):
        database_url = pg.url(DATABASE)
        Migrator(database_url, HASURA_DIR / "migrations").apply()
        seeds.apply(database_url, seeds.seed_files(HASURA_DIR / "seeds"))
        engine = EngineServer(database_url, free_port(), admin_secret=ADMIN_SECRET,
                              unauthorized_role="anonymous", extra_env=METADATA_ENV,
                              state_dir=root, name="soak-engine")
        engine.start()
        try:
            client = MetadataClient(engine.url(), ADMIN_SECRET)
            client.replace_metadata(metadata)
            assert engine.pid is not None
            assert pg.process is not None
            pg_pid = pg.process.pid
            assert pg_pid is not None
            url = engine.graphql_url()
            phases: list[tuple[str, int, bool]] = [("baseline", 0, True),
                                                   ("attack", attackers, True)]
            if unlimited_phase:
                phases.append(("attack_without_depth_limits", attackers, False))
            results = []
            for name, count, depth_limits in phases:
                client.call({"type": "set_api_limits",
                             "args": _limits(metadata, depth_limits=depth_limits)})
                print(f"phase {name}: {normal_clients} normal clients, {count} attackers "
                      f"(depth {depth}), {seconds:g} s", flush=True)
                results.append(asyncio.run(run_phase(
                    name, url, seconds, normal_clients, count, depth, engine.pid, pg_pid)))
        finally:
            engine.stop()
    baseline = Latency.of_seconds(results[0].normal).p99_ms
    return {
        "benchmark": "soak",
        "settings": {"seconds": seconds, "normal_clients": normal_clients,
                     "attackers": attackers, "depth": depth,
                     "limits": _limits(metadata, depth_limits=True)},
        "machine": {"cpus": os.cpu_count(), "load_before": load_before,
                    "load_after": os.getloadavg()},
        "phases": [r.to_json(baseline) for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, print the summary and write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--normal-clients", type=int, default=4)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--depth", type=int, default=60, help="nesting of the attack query")
    parser.add_argument("--skip-unlimited", action="store_true",
                        help="skip the phase without depth and node limits")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = run(args.seconds, args.normal_clients, args.attackers, args.depth,
                 not args.skip_unlimited)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"\n{'phase':<30} {'normal/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99 ratio':>9} "
          f"{'attack answers':>15}")
    for phase in report["phases"]:
        lat = phase["normal"]["latency_ms"]
        print(f"{phase['phase']:<30} {phase['normal']['per_second']:>9} {lat['p50_ms']:>8} "
              f"{lat['p99_ms']:>8} {phase['p99_vs_baseline']!s:>9} "
              f"{phase['attack']['outcomes']!s:>15}")
    print(f"written to {args.output}")
    return 0
