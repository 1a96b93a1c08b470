import time

import psycopg

from bench.chinook import runs
from bench.load.cpu import CpuMeter
from bench.load.sqlrunner import Statement
from bench.load.stats import Latency, LoadResult
from devstack.services.postgres import PostgresServer


def test_a_windowed_run_is_measured_between_its_marks() -> None:
    """A run that marks its measured part is sampled at its marks, not around it.

    GIVEN a run that sets up for 0.3 s, marks, loads for 0.2 s, marks, tears down for 0.3 s,
      and reports 0.05 s of its own generator CPU
    WHEN it is measured
    THEN the window lasts about 0.2 s, and the generator is charged what it reported.
    """
    def run(mark: object) -> LoadResult:
        assert callable(mark)
        time.sleep(0.3)
        mark()
        time.sleep(0.2)
        mark()
        time.sleep(0.3)
        return LoadResult(requests=10, errors=0, duration_s=0.2, latency=Latency.of_seconds([0.01]),
                          generator_cpu_s=0.05)

    result, usage = runs.measured(CpuMeter({}), runs.WindowedRun(run))
    assert result.requests == 10
    assert 0.19 <= usage.wall_s < 0.5
    assert usage.generator_s >= 0.05


def test_the_sql_runner_marks_its_loop_while_its_connections_are_open(
        pg_server: PostgresServer) -> None:
    """The bare-SQL runner's window holds its loop, with every connection already open.

    GIVEN the bare-SQL runner at concurrency 3 for 0.3 s
    WHEN it runs as a separate process and marks its loop
    THEN at both marks its 3 connections are open (their opening and closing are outside
      the window), and it answers requests without errors.
    """
    seen: list[int] = []

    def mark() -> None:
        with psycopg.connect(pg_server.url()) as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                               "'client backend' AND pid <> pg_backend_pid()").fetchone()
            seen.append(int(row[0]) if row else 0)

    run = runs.sql_closed(pg_server.url(), [Statement("SELECT $1::int4 + 1", ("1",))], 3, 0.3)
    result = run.run(mark)
    assert len(seen) == 2
    assert min(seen) >= 3
    assert result.requests > 10
    assert result.errors == 0
