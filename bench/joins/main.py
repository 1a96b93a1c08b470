"""The cost of a remote join: 100 profiles with their credit history, against without.

Starts its own PostgreSQL (devstack's server, fsync off), migrates and seeds the project,
adds ``--profiles`` profiles whose national ids have synthetic credit reports, starts the
credit-history service (DuckDB over the seeded Parquet) and an engine with the project's
metadata. Then, in rounds of alternating order (AB, BA) so both share each period of the
machine's other load, it sends the same query with and without ``credit_history`` one at a
time, and reports p50/p99 per query, the join's overhead (ms and ratio), the calls the
service answered per joined request (1 expected), and the CPU each process group spent per
request (where the time goes). Writes ``bench/results/joins-<time>.json`` and prints it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.load.cpu import CpuMeter
from bench.load.progress import stderr_progress
from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR, REPO_ROOT
from devstack.ports import free_port
from devstack.services.credit_history import CreditHistoryService
from devstack.services.engine import EngineServer
from devstack.services.postgres import PostgresServer
from devstack.settings import StackSettings

ADMIN_SECRET = "joins-bench-admin-secret"  # noqa: S105 - a throw-away local engine's
SHARED_SECRET = "joins-bench-shared-secret"  # noqa: S105 - throw-away, local only
FIELDS = "national_id city country_code"
QUERIES = {
    "without_join": f"query($n: Int!) {{ profiles(where: {{national_id: {{_like: "
                    f"\"521-44-2%\"}}}}, order_by: {{national_id: asc}}, limit: $n) "
                    f"{{ {FIELDS} }} }}",
    "with_join": f"query($n: Int!) {{ profiles(where: {{national_id: {{_like: "
                 f"\"521-44-2%\"}}}}, order_by: {{national_id: asc}}, limit: $n) "
                 f"{{ {FIELDS} credit_history {{ latest_score reports {{ report_date score }} "
                 f"}} }} }}",
}
TARGETS = tuple(QUERIES)


@dataclass(frozen=True)
class Settings:
    """What one run measures."""

    profiles: int
    requests: int
    """Requests per target and round."""
    rounds: int


progress = stderr_progress("bench.joins")


def load_profiles(database_url: str, count: int) -> None:
    """``count`` users with profiles whose national ids (521-44-2001..) have reports."""
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO users (id, email, name) SELECT 'bench-join-' || n, "
            "'join' || n || '@example.com', 'Join ' || n FROM generate_series(1, %s) n",
            (count,))
        conn.execute(
            "INSERT INTO profiles (user_id, national_id, city, country_code) SELECT "
            "'bench-join-' || n, '521-44-' || (2000 + n), 'Bench City', 'US' "
            "FROM generate_series(1, %s) n", (count,))
        conn.execute("ANALYZE profiles")


@dataclass
class JoinStack:
    """The credit-history service and an engine with the project's metadata."""

    engine: EngineServer
    credit: CreditHistoryService

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """One admin request."""
        answer = httpx.post(self.engine.graphql_url(), json={"query": query,
                                                              "variables": dict(variables)},
                            headers={"x-hasura-admin-secret": ADMIN_SECRET}, timeout=60)
        body: dict[str, Any] = answer.json()
        return body


@contextmanager
def join_stack(database_url: str, state_dir: Path, people: int) -> Iterator[JoinStack]:
    """Start the service and the engine, apply the metadata; stop both (by pid) after."""
    settings = dataclasses.replace(StackSettings.load(), state_dir=state_dir,
                                   action_shared_secret=SHARED_SECRET)
    # Synthetic ids run from 521-44-1001; the bench's profiles use 521-44-2001 and up.
    credit = CreditHistoryService(settings, port=free_port(), upload=False,
                                  people=1000 + people)
    engine = EngineServer(database_url, free_port(), admin_secret=ADMIN_SECRET,
                          state_dir=state_dir, name="bench-joins-engine", extra_env={
                              "CREDIT_HISTORY_URL": credit.url() + "/graphql",
                              "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS": "true",
                              "ACTION_SHARED_SECRET": SHARED_SECRET,
                              "ACTIONS_BASE_URL": "http://127.0.0.1:9",
                              "TRIGGERS_BASE_URL": "http://127.0.0.1:9",
                              "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo"})
    started: list[Any] = []
    try:
        for label, service in (("the credit-history service", credit), ("the engine", engine)):
            progress(f"starting {label}")
            service.start()
            started.append(service)
        metadata = metadata_dir.read(HASURA_DIR).metadata
        metadata["cron_triggers"] = []
        MetadataClient(engine.url(), ADMIN_SECRET).replace_metadata(metadata)
        yield JoinStack(engine, credit)
    finally:
        for service in reversed(started):
            service.stop()


def check(stack: JoinStack, profiles: int) -> None:
    """Both queries answer ``profiles`` rows; every joined row has its own history."""
    for target, query in QUERIES.items():
        body = stack.graphql(query, {"n": profiles})
        if "errors" in body:
            raise RuntimeError(f"{target}: {body['errors']}")
        rows = body["data"]["profiles"]
        if len(rows) != profiles:
            raise RuntimeError(f"{target}: {len(rows)} profiles, expected {profiles}")
        if target == "with_join" and any(not r["credit_history"]["reports"] for r in rows):
            raise RuntimeError("a profile came back without its credit reports")


def run_target(stack: JoinStack, target: str, settings: Settings,
               groups: dict[str, list[int]]) -> dict[str, Any]:
    """``settings.requests`` requests one at a time; latencies, CPU, service calls."""
    body = json.dumps({"query": QUERIES[target], "variables": {"n": settings.profiles}})
    headers = {"x-hasura-admin-secret": ADMIN_SECRET, "content-type": "application/json"}
    calls_before = stack.credit.stats()["graphql_requests"]
    meter = CpuMeter(groups)
    before = meter.sample()
    latencies: list[float] = []
    errors = 0
    with httpx.Client(timeout=60) as http:
        for _ in range(settings.requests):
            started = time.perf_counter()
            answer = http.post(stack.engine.graphql_url(), content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += answer.status_code != 200 or b'"errors"' in answer.content
    usage = CpuMeter.usage(before, meter.sample())
    calls = stack.credit.stats()["graphql_requests"] - calls_before
    return {"latencies_ms": latencies, "errors": errors, "service_calls": calls,
            "cpu": usage.to_json()}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one target: percentiles over every request, CPU per request by group."""
    latencies = sorted(x for r in runs for x in r["latencies_ms"])
    count = len(latencies)
    groups = runs[0]["cpu"]["groups_s"].keys()
    return {
        "requests": count,
        "errors": sum(r["errors"] for r in runs),
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[min(count - 1, int(count * 0.99))], 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "service_calls_per_request": round(sum(r["service_calls"] for r in runs) / count, 3),
        "cpu_ms_per_request": {g: round(sum(r["cpu"]["groups_s"][g] for r in runs) / count
                                        * 1000, 3) for g in groups},
        "other_load_cores": round(sum(r["cpu"]["other_cores"] for r in runs) / len(runs), 2),
    }


def measure(database_url: str, postgres_pid: int | None, state_dir: Path,
            settings: Settings) -> dict[str, Any]:
    """Start the stack on a loaded database, run the rounds, stop the stack."""
    with join_stack(database_url, state_dir, settings.profiles) as stack:
        check(stack, settings.profiles)
        groups = {"engine": [p for p in [stack.engine.pid] if p],
                  "credit_history": [p for p in [_pid(stack.credit)] if p],
                  "postgres": [p for p in [postgres_pid] if p]}
        per_target: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
        for round_no in range(settings.rounds):
            order = TARGETS if round_no % 2 == 0 else tuple(reversed(TARGETS))
            for target in order:
                progress(f"round {round_no + 1}/{settings.rounds}: {target}, "
                         f"{settings.requests} requests")
                per_target[target].append(run_target(stack, target, settings, groups))
        result = {t: summarize(runs) for t, runs in per_target.items()}
        joined, plain = result["with_join"], result["without_join"]
        result["join_overhead"] = {
            "p50_ms": round(joined["p50_ms"] - plain["p50_ms"], 3),
            "p99_ms": round(joined["p99_ms"] - plain["p99_ms"], 3),
            "p50_ratio": _ratio(joined["p50_ms"], plain["p50_ms"]),
            "p99_ratio": _ratio(joined["p99_ms"], plain["p99_ms"]),
        }
        progress(f"p50 {plain['p50_ms']} ms without, {joined['p50_ms']} ms with the join "
                 f"(x{result['join_overhead']['p50_ratio']}); p99 {plain['p99_ms']} / "
                 f"{joined['p99_ms']} ms")
        return result


def _pid(service: CreditHistoryService) -> int | None:
    return None if service.process is None else service.process.pid


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Parse arguments, start PostgreSQL, measure, write and print the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.joins", description=__doc__)
    parser.add_argument("--profiles", type=int, default=100)
    parser.add_argument("--requests", type=int, default=100,
                        help="requests per target and round")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds per target, in alternating order")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the JSON (default bench/results/joins-<time>)")
    args = parser.parse_args(argv)
    settings = Settings(args.profiles, args.requests, args.rounds)
    state_parent = REPO_ROOT / ".state" / "bench"
    state_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="joins-", dir=state_parent) as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        postgres = PostgresServer(root / "postgres", free_port())
        progress("starting PostgreSQL")
        pg_process = postgres.start(root / "logs" / "postgres.log",
                                    root / "pids" / "postgres.pid", fsync=False)
        try:
            with psycopg.connect(postgres.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE bench_joins")
            database_url = postgres.url("bench_joins")
            Migrator(database_url, HASURA_DIR / "migrations").apply()
            seeds.apply(database_url, seeds.seed_files(HASURA_DIR / "seeds"))
            progress(f"writing {settings.profiles} profiles")
            load_profiles(database_url, settings.profiles)
            results = measure(database_url, pg_process.pid, root, settings)
        finally:
            postgres.stop()
    report = {
        "bench": "joins",
        "started_at": datetime.now(UTC).isoformat(),
        "settings": dataclasses.asdict(settings),
        "machine": {"cpus": os.cpu_count(), "load_avg": list(os.getloadavg()),
                    "python": platform.python_version()},
        "results": results,
    }
    output = args.output or REPO_ROOT / "bench" / "results" / \
        f"joins-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    progress(f"wrote {output}")
    return report
