"""The subscription benchmark's tooling, with tiny parameters (not a timed test)."""

from __future__ import annotations

from pathlib import Path

import orjson

from bench.subscriptions.__main__ import main


def test_subscription_bench_reports_every_figure(tmp_path: Path) -> None:
    """The benchmark runs end to end and its report holds what it promises.

    GIVEN 20 subscribers in 2 client processes and a writer at 10 updates/s for 2 s
    WHEN the benchmark runs THEN every update is delivered, every subscriber ends on its
    row's final value, and the latency, statement, CPU and RSS figures are there.
    """
    out = tmp_path / "subs.json"
    assert main(["--subscribers", "20", "--seconds", "2", "--writes", "10",
                 "--processes", "2", "--interval-ms", "200", "--out", str(out)]) == 0
    [run] = orjson.loads(out.read_bytes())["runs"]
    assert run["subscribers"] == 20
    assert run["failed_connections"] == 0
    assert run["updates_written"] >= 15
    assert run["updates_delivered"] == run["updates_written"]
    assert run["subscribers_on_final_state"] == 20
    assert run["pollers"] == 1
    assert run["cohorts"] == 20
    assert run["latency_ms"]["p50"] is not None
    assert run["latency_ms"]["p50"] < 2000
    assert 0 < run["sql_statements_per_second"] <= 10
    assert run["engine_peak_rss_mb"] > 0
