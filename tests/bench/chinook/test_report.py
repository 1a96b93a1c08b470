from bench.chinook.report import render
from bench.chinook.runs import RunRecord, merge
from bench.load.cpu import ChildActivity, CpuUsage
from bench.load.stats import Latency, LoadResult


def _record(target: str, requests: int, p50: float, pg: float) -> RunRecord:
    result = LoadResult(requests=requests, errors=0, duration_s=10.0,
                        latency=Latency(p50, p50 * 2, p50 * 3, p50 * 4, p50))
    cpu = CpuUsage(wall_s=10.0, groups={"postgres": pg, "engine": 5.0, "postgraphile": 0.0},
                   generator_s=0.5, system_busy_s=15.0, other_s=1.0)
    return RunRecord(target, "complex_query_large_result", "closed", 8, result, cpu)


def test_report_states_ratios_cpu_and_other_load() -> None:
    """The tables carry ratios, CPU per request, other load and verdicts.

    GIVEN closed-loop runs of the four targets (engine 2x PostGraphile, p50 1.2x the floor)
    WHEN the results document is rendered
    THEN the tables carry the ratios, PostgreSQL CPU per request, the other load, and verdicts.
    """
    runs = [_record("engine", 2000, 6.0, 4.0), _record("floor", 4000, 5.0, 6.0),
            _record("postgraphile", 1000, 12.0, 2.0), _record("postgraphile_sql", 3000, 4.0, 3.0)]
    document = [run.to_json() for run in runs]
    assert {"pg_cpu_ms_per_request", "server_cpu_ms_per_request", "generator_cores",
            "result", "cpu"} <= document[0].keys()
    assert document[0]["result"]["throughput"] == 200.0
    assert document[0]["pg_cpu_ms_per_request"] == 2.0
    text = render({"runs": document, "checks": {}, "errors": {}})
    assert "2.00" in text  # engine/pgl throughput
    assert "0.50" in text  # engine/floor throughput
    assert "1.20" in text  # engine/floor p50
    assert "0.10" in text  # other load in cores
    assert "throughput engine/pgl >= 1.2  complex_query_large_result c=8: 2.00 (met)" in text
    assert "p50 engine/floor <= 1.5       complex_query_large_result c=8: 1.20 (met)" in text
    assert ("PG CPU engine SQL <= pgl SQL  complex_query_large_result c=8: 1.500 vs 1.000 ms/req, "
            "+50% (not met)") in text


def test_rounds_merge_into_one_run() -> None:
    """Rounds of one run add up into one result.

    GIVEN two rounds of a run, 1000 requests at p50 2 ms and 3000 at p50 4 ms
    WHEN they are merged
    THEN counts, durations and CPU add up and p50 is the request-weighted mean (3.5 ms).
    """
    first, second = _record("engine", 1000, 2.0, 1.0), _record("engine", 3000, 4.0, 3.0)
    result, cpu = merge([(first.result, first.cpu), (second.result, second.cpu)])
    assert result.requests == 4000
    assert result.duration_s == 20.0
    assert result.latency.p50_ms == 3.5
    assert result.detail["rounds"] == 2
    assert cpu.groups["postgres"] == 4.0
    assert cpu.wall_s == 20.0


def test_report_shows_the_cached_engine_with_the_engine_process_cpu() -> None:
    """Report shows the cached engine with the engine process's CPU.

    GIVEN a run of ``engine_cached`` (the same engine process, answering from Redis)
    WHEN it is rendered THEN its server CPU per request is the engine process's and the
    tables have a ``cached`` column.
    """
    record = _record("engine_cached", 5000, 1.0, 0.0)
    document = record.to_json()
    assert document["server_cpu_ms_per_request"] == 1.0  # 5 s of engine CPU / 5,000 requests
    text = render({"runs": [document, _record("engine", 2000, 6.0, 4.0).to_json()],
                   "checks": {}, "errors": {}})
    assert any(line.startswith("case") and " cached " in line for line in text.splitlines())
    assert "srv:cached" in text


def test_backends_are_merged_and_shown_per_request() -> None:
    """PostgreSQL's busy backends and their sleeps are merged over rounds and shown per request.

    GIVEN two rounds of the engine at 1000 and 3000 requests, with 8 and 9 busy backends,
      1000 and 3000 voluntary and 40 and 60 involuntary context switches
    WHEN they are merged and rendered
    THEN the run has 9 busy backends, 1.00 sleeps and 0.03 preemptions per request (rounded),
      and the report has a backends table with them.
    """
    first, second = _record("engine", 1000, 2.0, 1.0), _record("engine", 3000, 4.0, 3.0)
    parts = []
    for record, busy, voluntary, involuntary in ((first, 8, 1000, 40), (second, 9, 3000, 60)):
        cpu = CpuUsage(wall_s=10.0, groups=record.cpu.groups, generator_s=0.5,
                       system_busy_s=15.0, other_s=1.0,
                       children={"postgres": ChildActivity(busy, voluntary, involuntary)})
        parts.append((record.result, cpu))
    result, cpu = merge(parts)
    run = RunRecord("engine", "simple_query", "closed", 8, result, cpu).to_json()
    assert run["pg_backends"] == {"busy": 9, "voluntary_switches_per_request": 1.0,
                                  "involuntary_switches_per_request": 0.025}
    text = render({"runs": [run], "checks": {}, "errors": {}})
    assert "PostgreSQL backends" in text
    assert "9 / 1.00, 0.03" in text


def test_the_busy_floor_has_a_column_only_when_it_ran() -> None:
    """The busy floor's column appears only in results that ran it.

    GIVEN results with the engine and the floor, and results that also ran the busy floor
    WHEN each is rendered
    THEN only the second has a ``floor-b`` column.
    """
    runs = [_record("engine", 2000, 6.0, 4.0), _record("floor", 4000, 5.0, 6.0)]
    without = render({"runs": [run.to_json() for run in runs], "checks": {}, "errors": {}})
    runs.append(_record("floor_busy", 3000, 5.0, 6.0))
    with_busy = render({"runs": [run.to_json() for run in runs], "checks": {}, "errors": {}})
    assert "floor-b" not in without
    assert "floor-b" in with_busy
    assert "pg:floor-b" in with_busy
