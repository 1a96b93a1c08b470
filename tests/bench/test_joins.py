"""``bench.joins`` with tiny parameters: both queries run and the result has its shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.joins.main import Settings, load_profiles, measure
from devstack.hasura_project import seeds
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.postgres import PostgresServer


def test_joins_bench_measures_with_and_without_the_join(
    create_database: Callable[[str], str], pg_server: PostgresServer, state_root: Path,
) -> None:
    """Joins bench measures with and without the join.

    GIVEN 5 profiles WHEN the bench runs 3 requests per target THEN both targets answered
    without errors, the joined one cost one service call per request, and the overhead is
    reported.
    """
    url = create_database("bench_joins")
    Migrator(url, HASURA_DIR / "migrations").apply()
    seeds.apply(url, seeds.seed_files(HASURA_DIR / "seeds"))
    load_profiles(url, 5)
    assert pg_server.process is not None

    results = measure(url, pg_server.process.pid, state_root / "bench-joins",
                      Settings(profiles=5, requests=3, rounds=1))

    for target in ("with_join", "without_join"):
        assert results[target]["requests"] == 3
        assert results[target]["errors"] == 0
        assert results[target]["p99_ms"] >= results[target]["p50_ms"] > 0
    assert results["with_join"]["service_calls_per_request"] == 1
    assert results["without_join"]["service_calls_per_request"] == 0
    assert set(results["join_overhead"]) == {"p50_ms", "p99_ms", "p50_ratio", "p99_ratio"}
    assert set(results["with_join"]["cpu_ms_per_request"]) == {
        "engine", "credit_history", "postgres"}
