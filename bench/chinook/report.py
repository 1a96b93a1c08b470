"""The short tables printed at the end of a run (the JSON file holds everything)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

TARGETS = ("engine", "engine_workers", "http_floor", "floor", "floor_busy", "engine_cached",
           "postgraphile", "postgraphile_sql")
SHORT = {"engine": "engine", "engine_workers": "eng-w", "http_floor": "h-floor",
         "floor": "floor", "floor_busy": "floor-b", "engine_cached": "cached",
         "postgraphile": "pgl", "postgraphile_sql": "pgl-sql"}
OPTIONAL = ("http_floor", "floor_busy")
"""Targets shown only in results that ran them."""
SERVERS = ("engine", "engine_workers", "http_floor", "engine_cached", "postgraphile")
"""Targets whose server's own CPU the CPU table shows."""


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    rows = list(rows)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) if i else cell.ljust(width)
                       for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _closed_index(runs: list[dict[str, Any]]) -> dict[tuple[str, float], dict[str, Any]]:
    index: dict[tuple[str, float], dict[str, Any]] = {}
    for run in runs:
        if run["mode"] == "closed":
            index.setdefault((run["case"], run["level"]), {})[run["target"]] = run
    return index


def closed_tables(report: dict[str, Any]) -> str:
    """Throughput, p50 and CPU per request for every case and concurrency."""
    index = _closed_index(report.get("runs", []))
    shown = [t for t in TARGETS
             if t not in OPTIONAL or any(t in by_target for by_target in index.values())]
    servers = [t for t in SERVERS if t not in OPTIONAL or t in shown]
    ceiling = "http_floor" in shown
    throughput, latency, cpu, backends = [], [], [], []
    for (case, level), by_target in index.items():
        tput = {t: by_target[t]["result"]["throughput"] for t in by_target}
        p50 = {t: by_target[t]["result"]["latency"]["p50_ms"] for t in by_target}
        label = [case, f"{level:g}"]
        split = [_fmt(_ratio(tput.get("engine"), tput.get("http_floor")), 2),
                 _fmt(_ratio(tput.get("http_floor"), tput.get("floor")), 2)] if ceiling else []
        throughput.append(label + [_fmt(tput.get(t)) for t in shown] + [
            _fmt(_ratio(tput.get("engine"), tput.get("floor")), 2),
            _fmt(_ratio(tput.get("engine_workers"), tput.get("floor")), 2),
            *split,
            _fmt(_ratio(tput.get("engine"), tput.get("postgraphile")), 2),
            str(sum(r["result"]["errors"] for r in by_target.values()))])
        split = [_fmt(_ratio(p50.get("engine"), p50.get("http_floor")), 2),
                 _fmt(_ratio(p50.get("http_floor"), p50.get("floor")), 2)] if ceiling else []
        latency.append(label + [_fmt(p50.get(t), 2) for t in shown] + [
            _fmt(_ratio(p50.get("engine"), p50.get("floor")), 2), *split,
            _fmt(_ratio(p50.get("engine"), p50.get("postgraphile")), 2)])
        other = max(r["cpu"]["other_cores"] for r in by_target.values())
        gen = max(r["generator_cores"] for r in by_target.values())
        cpu.append(label + [_fmt(by_target[t]["pg_cpu_ms_per_request"], 3) if t in by_target
                            else "-" for t in shown]
                   + [_fmt(by_target[t]["server_cpu_ms_per_request"], 3) if t in by_target
                      else "-" for t in servers]
                   + [_fmt(gen, 2), _fmt(other, 2)])
        backends.append(label + [_backends(by_target.get(t)) for t in shown])
    names = [SHORT[t] for t in shown]
    split = ["eng/h-floor", "h-floor/floor"] if ceiling else []
    tables = [
        "Closed loop: throughput (successful req/s)\n" + _table(
            ["case", "conc", *names, "eng/floor", "eng-w/floor", *split, "eng/pgl", "errors"],
            throughput),
        "Closed loop: p50 latency (ms)\n" + _table(
            ["case", "conc", *names, "eng/floor", *split, "eng/pgl"], latency),
        "Closed loop: CPU per request (ms) — PostgreSQL for each SQL, then each server's own "
        "process; generator cores (wrk, or the asyncpg runner of the SQL targets) and other "
        "load on the machine (cores), both the max over the row's runs\n"
        + _table(["case", "conc", *[f"pg:{n}" for n in names],
                  *[f"srv:{SHORT[t]}" for t in servers],
                  "gen cores", "other cores"], cpu),
    ]
    if any(cell != "-" for row in backends for cell in row[2:]):  # older results lack them
        tables.append(
            "Closed loop: PostgreSQL backends — how many were busy / their sleeps (voluntary "
            "context switches) per request, and preemptions per request\n"
            + _table(["case", "conc", *names], backends))
    return "\n\n".join(tables)


def _backends(run: dict[str, Any] | None) -> str:
    found = (run or {}).get("pg_backends") or {}
    if not found:
        return "-"
    return (f"{found['busy']:g} / {found['voluntary_switches_per_request']:.2f}, "
            f"{found['involuntary_switches_per_request']:.2f}")


def open_table(report: dict[str, Any]) -> str:
    """Constant-arrival-rate runs."""
    rows = []
    for run in report.get("runs", []):
        if run["mode"] != "open":
            continue
        result = run["result"]
        rows.append([run["entry"], SHORT[run["target"]], f"{run['level']:g}",
                     _fmt(result["throughput"], 1), _fmt(result["latency"]["p50_ms"], 2),
                     _fmt(result["latency"]["p90_ms"], 2), _fmt(result["latency"]["p99_ms"], 2),
                     str(result["errors"]), str(result["dropped"]),
                     _fmt(run["generator_cores"], 2), _fmt(run["cpu"]["other_cores"], 2)])
    skipped = [f"  skipped {s['entry']} on {SHORT[s['target']]}: closed-loop capacity "
               f"{s['capacity']:.0f} req/s" for s in report.get("skipped", [])]
    return "\n".join(["Open loop (constant arrival rate; latency from the scheduled time)",
                      _table(["entry", "target", "rate", "req/s", "p50", "p90", "p99",
                              "errors", "dropped", "gen cores", "other cores"], rows),
                      *skipped])


def targets_summary(report: dict[str, Any]) -> str:
    """The issue's targets, measured."""
    index = _closed_index(report.get("runs", []))
    lines = ["Targets"]
    for (case, level), by_target in index.items():
        tput = {t: r["result"]["throughput"] for t, r in by_target.items()}
        if level in (8, 32):
            ratio = _ratio(tput.get("engine"), tput.get("postgraphile"))
            if ratio is not None:
                verdict = "met" if ratio >= 1.2 else f"short by {1.2 / ratio:.2f}x"
                lines.append(f"  throughput engine/pgl >= 1.2  {case} c={level:g}: "
                             f"{ratio:.2f} ({verdict})")
        if level in (8, 32) and all(t in tput for t in ("engine", "http_floor", "floor")):
            lines.append(
                f"  engine/floor = (engine/http_floor) x (http_floor/floor)  {case} "
                f"c={level:g}: {tput['engine'] / tput['floor']:.2f} = "
                f"{tput['engine'] / tput['http_floor']:.2f} x "
                f"{tput['http_floor'] / tput['floor']:.2f} (the engine x its HTTP path "
                "and load generator)")
        if "floor" in by_target and "postgraphile_sql" in by_target and level == 8:
            ours = by_target["floor"]["pg_cpu_ms_per_request"]
            theirs = by_target["postgraphile_sql"]["pg_cpu_ms_per_request"]
            lines.append(f"  PG CPU engine SQL <= pgl SQL  {case} c=8: {ours:.3f} vs "
                         f"{theirs:.3f} ms/req, {(ours / theirs - 1) * 100:+.0f}% "
                         f"({'met' if ours <= theirs else 'not met'})")
        if "large" in case and "engine" in by_target and "floor" in by_target:
            ratio = _ratio(by_target["engine"]["result"]["latency"]["p50_ms"],
                           by_target["floor"]["result"]["latency"]["p50_ms"])
            if ratio is not None:
                lines.append(f"  p50 engine/floor <= 1.5       {case} c={level:g}: {ratio:.2f} "
                             f"({'met' if ratio <= 1.5 else 'not met'})")
    return "\n".join(lines)


def checks_table(report: dict[str, Any]) -> str:
    """Answer sizes, statement counts and result equivalence per case."""
    rows = []
    for case, entry in report.get("checks", {}).items():
        for server in ("engine", "http_floor", "postgraphile"):
            if server not in entry:
                continue
            check = entry[server]
            eq = entry.get("equivalence", {})
            if server == "http_floor":  # compared with the engine's answer, byte for byte
                results = "same bytes" if check["same_bytes_as_engine"] else "DIFFER"
                statements = "1"
            else:
                results = "-" if not eq else ("same" if eq["same_values"] else "same count"
                                              if eq["same_leaf_count"] else "DIFFER")
                statements = str(len(check.get("statements", [])))
            rows.append([case, SHORT[server], str(check["status"]),
                         "yes" if check["errors"] else "no", str(check["body_bytes"]),
                         str(check["leaf_count"]), statements, results])
    return "Answers\n" + _table(["case", "server", "status", "errors", "bytes", "scalars",
                                 "statements", "results"], rows)


def http_layer(report: dict[str, Any]) -> str:
    """What serving over HTTP adds to the engine's in-process CPU per request."""
    in_process = report.get("profile", {}).get("warm_cpu_ms_per_request")
    case = report.get("profile", {}).get("case")
    lines = []
    for run in report.get("runs", []):
        # concurrency 1 only: sequential requests, like the in-process loop
        if (run["target"], run["case"], run["mode"], run["level"]) == (
                "engine", case, "closed", 1) and in_process:
            served = run["server_cpu_ms_per_request"]
            extra = served - in_process
            layer = (f"HTTP, session and response writing ~{extra:.2f} ms" if extra > 0.02
                     else "no measurable HTTP cost")
            lines.append(f"  concurrency 1: engine process {served:.2f} ms CPU per request "
                         f"over HTTP vs {in_process:.2f} in-process: {layer}")
    return "\n" + "\n".join(lines) if lines else ""


def render(report: dict[str, Any]) -> str:
    """Everything printed at the end of a run."""
    parts = [checks_table(report), closed_tables(report), targets_summary(report)]
    if any(run["mode"] == "open" for run in report.get("runs", [])):
        parts.append(open_table(report))
    if report.get("profile"):
        parts.append("Engine profile (complex query, large result)\n"
                     + str(report["profile"].get("summary", "")) + http_layer(report))
    if report.get("sql_shape"):
        from bench.chinook.sqlshape import table

        parts.append("SQL shape of the large-result statement, PostgreSQL alone (median over "
                     "interleaved rounds)\n" + table(report["sql_shape"]))
    for name, error in report.get("errors", {}).items():
        parts.append(f"{name}: {error.strip().splitlines()[-1]}")
    return "\n\n".join(parts)
