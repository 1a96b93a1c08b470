import json
import subprocess
import sys

import pytest

from bench.load.stats import LoadResult
from bench.load.wrk import run_wrk, wrk_binary
from tests.bench.conftest import OK_BODY

BODY = json.dumps({"query": "query { Customer { Email } }"})


def _open_loop(url: str, rate: float, duration: float) -> LoadResult:
    spec = {"url": url, "body": BODY, "headers": {"X-Hasura-Role": "employee"},
            "rate": rate, "duration_s": duration, "max_connections": 4}
    done = subprocess.run([sys.executable, "-m", "bench.load.openloop"], input=json.dumps(spec),
                          capture_output=True, text=True, check=True, timeout=30)
    return LoadResult.from_json(json.loads(done.stdout))


def test_openloop_sends_the_configured_rate(tiny_server: str) -> None:
    """The open-loop generator sends the configured rate.

    GIVEN a server that answers data
    WHEN the open-loop generator runs at 40 req/s for 1 s
    THEN it completes about 40 requests without errors and reports latency and its CPU.
    """
    result = _open_loop(tiny_server + "/ok", 40, 1.0)
    assert 36 <= result.requests <= 40
    assert result.errors == 0
    assert 0 < result.latency.p50_ms <= result.latency.p99_ms < 1000
    assert result.generator_cpu_s > 0
    assert result.bytes_received == result.requests * len(OK_BODY)


@pytest.mark.parametrize("path", ["/errors", "/fail"])
def test_openloop_counts_graphql_errors_and_bad_statuses(tiny_server: str, path: str) -> None:
    """GraphQL errors and bad statuses count as errors.

    GIVEN a server answering GraphQL errors (200) or a 500
    WHEN the open-loop generator runs against it
    THEN every request is counted as an error and throughput is zero.
    """
    result = _open_loop(tiny_server + path, 20, 0.5)
    assert result.requests > 0
    assert result.errors == result.requests
    assert result.throughput == 0


def test_wrk_closed_loop_counts_requests_and_graphql_errors(tiny_server: str) -> None:
    """Wrk counts requests, latency and GraphQL errors.

    GIVEN wrk (installed from Debian when missing) and the tiny server
    WHEN wrk runs 1 s at 2 connections against data and error endpoints
    THEN it reports requests, latency percentiles and only the error answers as errors.
    """
    wrk_binary()
    ok = run_wrk(tiny_server + "/ok", BODY, {"X-Hasura-Role": "employee"}, 2, 1.0)
    assert ok.requests > 50
    assert ok.errors == 0
    assert 0 < ok.latency.p50_ms <= ok.latency.p99_ms
    bad = run_wrk(tiny_server + "/errors", BODY, {}, 2, 1.0)
    assert bad.requests > 0
    assert bad.detail["graphql_errors"] == bad.errors == bad.requests
