import asyncio

from bench.load.sqlrunner import Statement, run_sql_loop
from devstack.services.postgres import PostgresServer


async def test_sqlrunner_replays_logged_statements_with_typed_parameters(
        pg_server: PostgresServer) -> None:
    """The floor runner replays logged statements with typed parameters.

    GIVEN statements with parameters as PostgreSQL logs them (text, NULL)
    WHEN the floor runner replays them at concurrency 2 for 0.3 s
    THEN each pass runs every statement without errors, with parameters converted to type.
    """
    statements = [
        Statement("SELECT $1::int4 + 1, $2::text, $3::numeric * 2", ("41", "x", "1.5")),
        Statement("SELECT coalesce($1::int8, 0), $2::jsonb ->> 'a'", (None, '{"a": "b"}')),
    ]
    result = await asyncio.wait_for(run_sql_loop(pg_server.url(), statements, 2, 0.3), 20)
    assert result.requests > 10
    assert result.errors == 0
    assert result.detail["rows_per_request"] == 2
    assert result.detail["statements_per_request"] == 2
    assert result.latency.p50_ms > 0


async def test_a_busy_client_spends_its_cpu_per_request(pg_server: PostgresServer) -> None:
    """The busy floor spends the given CPU per request in its loop.

    GIVEN the floor runner at concurrency 2 for 0.3 s with 5 ms of client work per request
    WHEN it runs
    THEN it answers at most 60 requests (the work holds the one event loop), without errors.
    """
    statements = [Statement("SELECT $1::int4 + 1", ("41",))]
    result = await asyncio.wait_for(
        run_sql_loop(pg_server.url(), statements, 2, 0.3, client_work_us=5000), 20)
    assert 0 < result.requests <= 0.3 / 0.005 + 2
    assert result.errors == 0
    assert result.detail["client_work_us"] == 5000
