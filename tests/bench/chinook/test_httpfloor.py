"""The HTTP floor: the engine's one statement behind a minimal HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import psycopg
import pytest

from bench.chinook.httpfloor import CannotServeError, CaseSpec, servable, wrap
from bench.chinook.report import render
from bench.chinook.runs import RunRecord
from bench.chinook.servers import start_http_floor
from bench.load.cpu import CpuUsage
from bench.load.sqlrunner import Statement
from bench.load.stats import Latency, LoadResult
from devstack.errors import StackError
from devstack.ports import is_listening
from devstack.process import pid_alive

EMAILS = Statement(
    "SELECT coalesce('[{\"Email\":\"' || string_agg(_s.j, '\"},{\"Email\":\"') || '\"}]', "
    "'[]'), count(*) FROM (SELECT e AS j FROM (VALUES ('a@b.c', 4), ('d@é.f', 4), "
    "('x@y.z', 5)) AS t(e, rep) WHERE rep = $1::int4) _s", ("4",))


def test_a_case_of_one_statement_and_one_root_field_is_servable() -> None:
    """Only a case the engine answered with one statement and one root field is served.

    GIVEN the engine's answers: one statement and one root field; two statements; errors
    WHEN each is checked THEN the first gives the root key, the others are refused with
      the case's name and the reason.
    """
    case = servable("simple", [EMAILS], b'{"data":{"Customer":[]}}')
    assert case == CaseSpec("simple", (EMAILS,), "Customer")
    with pytest.raises(CannotServeError, match="simple: the engine ran 2 statements"):
        servable("simple", [EMAILS, EMAILS], b'{"data":{"Customer":[]}}')
    with pytest.raises(CannotServeError, match="not one root field"):
        servable("simple", [EMAILS], b'{"data":{"a":[],"b":[]}}')
    with pytest.raises(CannotServeError, match="not one root field"):
        servable("simple", [EMAILS], b'{"data":null,"errors":[{"message":"no"}]}')


@pytest.mark.parametrize("busy_us", [0.0, 100.0])
def test_it_answers_the_statements_result_byte_for_byte_and_stops(
        database_url: str, tmp_path: Path, busy_us: float) -> None:
    """The HTTP floor answers the statement's result wrapped as the engine wraps it.

    GIVEN the HTTP floor serving one case (a statement whose text holds non-ASCII) with a
      pool of 3 and an extra response header, idle or spending 100 µs per request
    WHEN it is asked 20 times over one keep-alive connection, then stopped by its pid
    THEN every answer is ``{"data":{"Customer":<the statement's text>}}`` byte for byte,
      with the header, a path it does not serve is a 404, and after the stop its process
      is gone and its port closed.
    """
    with psycopg.connect(database_url) as conn:
        row = conn.execute(EMAILS.sql.replace("$1::int4", "4::int4")).fetchone()
    assert row is not None
    expected = wrap("Customer", row[0].encode())
    assert expected == '{"data":{"Customer":[{"Email":"a@b.c"},{"Email":"d@é.f"}]}}'.encode()
    server = start_http_floor(tmp_path, database_url, [CaseSpec("simple", (EMAILS,), "Customer")],
                              [("server", "uvicorn")], pool_size=3, busy_us=busy_us)
    port = int(server.graphql_url.rsplit(":", 1)[1])
    try:
        with httpx.Client() as client:
            for _ in range(20):
                response = client.post(f"{server.graphql_url}/simple", content=b"{}")
                assert response.status_code == 200
                assert response.content == expected
                assert response.headers["server"] == "uvicorn"
                assert response.headers["content-type"] == "application/json; charset=utf-8"
            assert client.post(f"{server.graphql_url}/other", content=b"{}").status_code == 404
    finally:
        server.stop()
    assert not pid_alive(server.pid)
    assert not is_listening(port)


def test_it_refuses_a_statement_that_is_not_the_answers_text(
        database_url: str, tmp_path: Path) -> None:
    """A statement whose first column is not text stops the HTTP floor with its reason.

    GIVEN a case whose statement returns an integer
    WHEN the HTTP floor is started on it
    THEN starting fails with the case's name and "cannot serve", and no process is left.
    """
    case = CaseSpec("numbers", (Statement("SELECT $1::int4 + 1", ("1",)),), "n")
    with pytest.raises(StackError, match="cannot serve numbers: its statement's first column"):
        start_http_floor(tmp_path, database_url, [case], [], pool_size=2)
    assert not (tmp_path / "pids" / "http_floor.pid").exists()


def _record(target: str, requests: int, server_s: float) -> RunRecord:
    result = LoadResult(requests=requests, errors=0, duration_s=10.0,
                        latency=Latency(1.0, 2.0, 3.0, 4.0, 1.0))
    cpu = CpuUsage(wall_s=10.0, groups={"postgres": 3.0, "engine": server_s,
                                        "http_floor": server_s},
                   generator_s=1.0, system_busy_s=15.0, other_s=1.0)
    return RunRecord(target, "simple_query", "closed", 8, result, cpu)


def test_the_report_shows_the_engine_against_the_http_floor() -> None:
    """The tables split the engine's ratio to the floor at the HTTP floor.

    GIVEN the engine at 12,000, the HTTP floor at 16,000 and the floor at 30,000 req/s
    WHEN the results are rendered
    THEN the throughput table has the ``eng/h-floor`` (0.75) and ``h-floor/floor`` (0.53)
      columns, the CPU table the HTTP floor's own CPU per request, and the targets say
      0.40 = 0.75 x 0.53.
    """
    runs = [_record("engine", 120_000, 9.0), _record("http_floor", 160_000, 8.0),
            _record("floor", 300_000, 0.0)]
    text = render({"runs": [run.to_json() for run in runs], "checks": {}, "errors": {}})
    header = next(line for line in text.splitlines() if "eng/h-floor" in line)
    row = text.splitlines()[text.splitlines().index(header) + 2]
    cells = dict(zip(header.split(), row.split(), strict=True))
    assert cells["h-floor"] == "16000"
    assert cells["eng/h-floor"] == "0.75"
    assert cells["h-floor/floor"] == "0.53"
    assert "srv:h-floor" in text
    assert "0.050" in text  # 8 s of the HTTP floor's CPU / 160,000 requests, in ms
    assert "simple_query c=8: 0.40 = 0.75 x 0.53" in text
    without = render({"runs": [runs[0].to_json(), runs[2].to_json()], "checks": {},
                      "errors": {}})
    assert "h-floor" not in without
    assert json.dumps(runs[1].to_json())  # the record is JSON-ready


def test_the_command_line_names_the_http_floor_and_quick_keeps_it() -> None:
    """``--target http_floor`` selects it, with its busy work, in a full or a quick run.

    GIVEN the command line ``--target engine --target http_floor --http-floor-busy-us 30``,
      with and without ``--quick``
    WHEN it is parsed
    THEN both runs have the two targets and 30 µs of busy work, the quick one 2 s runs at
      concurrency 8, and the default set does not include the HTTP floor.
    """
    from bench.chinook.__main__ import parse_args
    from bench.chinook.run_state import Options

    argv = ["--target", "engine", "--target", "http_floor", "--http-floor-busy-us", "30"]
    full, _ = parse_args(argv)
    quick, _ = parse_args([*argv, "--quick"])
    for options in (full, quick):
        assert options.targets == ("engine", "http_floor")
        assert options.http_floor_busy_us == 30.0
    assert (quick.duration_s, quick.concurrencies) == (2.0, (8,))
    assert "http_floor" not in Options().targets
