"""``bench.timeline`` with tiny parameters: both stacks run and the result has its shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.timeline.main import Settings, load_posts, measure
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.postgres import PostgresServer
from devstack.services.redis import RedisServer


def test_timeline_bench_measures_cached_and_uncached_side_by_side(
    create_database: Callable[[str], str], pg_server: PostgresServer,
    redis_server: RedisServer, redis_database: Callable[[], str], state_root: Path,
) -> None:
    """Timeline bench measures cached and uncached side by side.

    GIVEN 30 posts WHEN the bench runs 1 s per target at concurrency 2 THEN each target
    answered without errors, has p50/p99 and CPU per process group, and the ratios are there.
    """
    url = create_database("bench_timeline")
    Migrator(url, HASURA_DIR / "migrations").apply()
    load_posts(url, 30)
    assert pg_server.process is not None
    assert redis_server.process is not None

    results = measure(url, redis_database(), pg_server.process.pid,
                      redis_server.process.pid, state_root,
                      Settings(posts=30, limit=5, concurrency=(2,), duration_s=1, rounds=1))

    run = results["c2"]
    for target in ("cached", "uncached"):
        assert run[target]["requests"] > 0
        assert run[target]["errors"] == 0
        assert run[target]["p50_ms"] > 0
        assert run[target]["p99_ms"] >= run[target]["p50_ms"]
        assert set(run[target]["cpu_ms_per_request"]) == {
            "engine", "action_service", "postgres", "redis"}
    assert run["uncached_over_cached"]["p50"] is not None
