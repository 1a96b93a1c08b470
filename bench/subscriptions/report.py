"""The figures of a run: latency percentiles, poll and GC figures, ratios to a baseline."""

from __future__ import annotations

from typing import Any

from bench.subscriptions.spy import print_summary


def percentile(ordered: list[float], q: float) -> float | None:
    """The ``q`` quantile of sorted seconds, in milliseconds (None when there are none)."""
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def mean_poll_ms(before: dict[str, Any], after: dict[str, Any]) -> float | None:
    """Mean wall time of the polls run between two ``/dev/subscriptions`` snapshots."""
    def totals(stats: dict[str, Any]) -> tuple[float, int]:
        polls = sum(p.get("polls", 0) for p in stats["pollers"])
        return sum(p.get("mean_poll_ms", 0) * p.get("polls", 0) for p in stats["pollers"]), polls

    (ms0, n0), (ms1, n1) = totals(before), totals(after)
    return round((ms1 - ms0) / (n1 - n0), 1) if n1 > n0 else None


def gc_during(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """Garbage collections and their pauses during the window (engines that report them)."""
    if "gc" not in after:
        return None
    b, a = before["gc"], after["gc"]
    return {"collections": [x - y for x, y in zip(a["collections"], b["collections"],
                                                  strict=True)],
            "ms": [round(x - y, 1) for x, y in zip(a["ms"], b["ms"], strict=True)],
            "longest_ms_so_far": a["longest_ms"]}


def ratios(run: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """This run's figures over the baseline's (below 1: better, for all of them)."""
    pairs = {"latency_p50": (run["latency_ms"]["p50"], base["latency_ms"]["p50"]),
             "latency_p95": (run["latency_ms"]["p95"], base["latency_ms"]["p95"]),
             "latency_p99": (run["latency_ms"]["p99"], base["latency_ms"]["p99"]),
             "connect_seconds": (run["connect_seconds"], base["connect_seconds"]),
             "engine_cpu_per_second": (run["engine_cpu_per_second"],
                                       base["engine_cpu_per_second"]),
             "engine_peak_rss_mb": (run["engine_peak_rss_mb"], base["engine_peak_rss_mb"]),
             "engine_rss_per_subscriber_kb": (run["engine_rss_per_subscriber_kb"],
                                              base["engine_rss_per_subscriber_kb"])}
    return {"subscribers": run["subscribers"],
            **{k: round(a / b, 2) if a is not None and b else None
               for k, (a, b) in pairs.items()}}


def print_run(run: dict[str, Any]) -> None:
    """One line per run: latency, deliveries, statements, CPU, memory, GC."""
    lat = run["latency_ms"]
    print(f"  latency p50/p95/p99 {lat['p50']}/{lat['p95']}/{lat['p99']} ms; delivered "
          f"{run['updates_delivered']}/{run['updates_written']}; final state "
          f"{run['subscribers_on_final_state']}/{run['subscribers']}; "
          f"{run['sql_statements_per_second']} statements/s "
          f"({run['statements_per_100_subscribers_per_interval']} per 100 subscribers per "
          f"interval, mean poll {run.get('mean_poll_ms')} ms); CPU/s PostgreSQL "
          f"{run['postgres_cpu_per_second']}, engine "
          f"{run['engine_cpu_per_second']}, clients {run['clients_cpu_per_second']}; engine "
          f"RSS {run['engine_peak_rss_mb']} MB (idle {run['engine_rss_idle_mb']} MB, "
          f"{run['engine_rss_per_subscriber_kb']} kB per subscriber); GC {run.get('gc')}",
          flush=True)
    if "profile" in run:
        print_summary(run["profile"])
