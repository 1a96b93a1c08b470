"""Rate-limit counters shared through a real local Redis, and the fallback when it is away."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from devstack.services.redis import RedisServer
from engine.limits.shared_rate import SharedRateLimiter

LIMITS = {"rate_limit": {"global": {"max_reqs_per_min": 1000},
                         "per_role": {"anonymous": {"max_reqs_per_min": 3,
                                                    "unique_params": "IP"}}}}


async def test_shared_rate_limiter_counts_one_window_across_limiters(
        redis_server: RedisServer) -> None:
    """Shared rate limiter counts one window across limiters.

    GIVEN two limiters on one Redis (as two engine processes would be) and a limit of 3
    WHEN they admit operations for one key in turn THEN the 4th is refused whichever
    limiter asks, with a wait of at least a second; another key has its own count.
    """
    first = SharedRateLimiter(redis_server.url())
    second = SharedRateLimiter(redis_server.url())
    key = ("anonymous", str(uuid.uuid4()))
    try:
        assert [await first.check(key, 3), await second.check(key, 3),
                await first.check(key, 3)] == [None, None, None]
        wait = await second.check(key, 3)
        assert wait is not None
        assert wait >= 1.0
        assert await first.check(key, 3) is not None
        assert await first.check(("anonymous", "someone else"), 3) is None
        assert first.local.admit(key, 3) is None  # nothing was counted in-process
    finally:
        await first.close()
        await second.close()


async def test_shared_rate_limiter_counts_in_process_while_redis_is_unreachable(
        caplog: pytest.LogCaptureFixture) -> None:
    """Shared rate limiter counts in process while Redis is unreachable.

    GIVEN a limiter whose Redis does not answer (nothing listens on its port) WHEN 4
    operations ask under a limit of 3 THEN the limit still holds (3 admitted, the 4th
    refused), and the outage is logged once.
    """
    limiter = SharedRateLimiter(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with caplog.at_level(logging.WARNING, logger="engine.limits"):
            answers = [await limiter.check("k", 3) for _ in range(4)]
    finally:
        await limiter.close()
    assert answers[:3] == [None, None, None]
    assert answers[3] is not None
    assert sum("Redis is unreachable" in r.getMessage() for r in caplog.records) == 1


def test_shared_rate_limiter_holds_across_two_engine_processes(
        start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
        redis_database: Callable[[], str]) -> None:
    """Shared rate limiter holds across two engine processes.

    GIVEN two engines on one database and one Redis (HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL),
    3 requests per minute per IP for anonymous WHEN one client alternates between them
    THEN the 4th and 5th requests are refused (rate-limit-exceeded), whichever engine gets
    them: the counters are shared, not per process.
    """
    database = create_database("shared_rate")
    env = {"HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL": redis_database()}
    first = start_engine(database, unauthorized_role="anonymous", extra_env=env)
    first.run_sql("create table item (id int primary key); insert into item values (1);")
    response = first.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "item"}},
        {"type": "pg_create_select_permission", "args": {
            "table": "item", "role": "anonymous",
            "permission": {"columns": "*", "filter": {}}}},
        {"type": "set_api_limits", "args": LIMITS},
    ]})
    assert response.status_code == 200, response.text
    second = start_engine(database, unauthorized_role="anonymous", extra_env=env)
    codes = []
    for n in range(5):
        engine = (first, second)[n % 2]
        body = engine.post("/v1/graphql", {"query": "{ item { id } }"}, {}).json()
        codes.append(body["errors"][0]["extensions"]["code"] if "errors" in body else "ok")
    assert codes == ["ok", "ok", "ok", "rate-limit-exceeded", "rate-limit-exceeded"]
