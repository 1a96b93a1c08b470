"""A run's answers phase: each server's answers checked and its SQL captured.

Then the HTTP floor is started on the engine's statements and checked to answer the
engine's bytes.
"""

from __future__ import annotations

import contextlib
import traceback
from typing import Any

import httpx

from bench.chinook import checks
from bench.chinook.database import log_path
from bench.chinook.httpfloor import CannotServeError, CaseSpec, servable
from bench.chinook.run_state import Bench
from bench.chinook.servers import start_http_floor
from bench.chinook.workload import Case


def check_and_capture(bench: Bench, pg: Any) -> None:
    """Each case through each server: its answer checked, its SQL captured (``checks``)."""
    headers = bench.workload.headers
    report: dict[str, Any] = {}
    bench.log("checking answers and capturing each server's SQL")
    with checks.StatementLogging(pg):
        for case in bench.cases():
            entry: dict[str, Any] = {}
            data: dict[str, Any] = {}
            for name in bench.servers:
                url, body = bench.request(name, case)
                response = checks.post(url, body, headers)
                if name == "engine":
                    bench.answers[case.name] = response
                entry[name] = checks.check_response(response)
                data[name] = response.json().get("data")
                if case.hits_database and not entry[name]["errors"]:
                    statements = checks.capture_sql(pg, log_path(bench.state), url, body, headers)
                    bench.sql.setdefault(name, {})[case.name] = statements
                    entry[name]["statements"] = [
                        {"sql": s.sql, "params": list(s.params)} for s in statements]
            if {"engine", "postgraphile"} <= data.keys() and case.hits_database:
                entry["equivalence"] = checks.compare(data["engine"], data["postgraphile"])
            if bench.redis is not None and "engine" in data:
                entry["engine_cached"] = _check_cached(bench, case, data["engine"])
            report[case.name] = entry
    bench.report["checks"] = report


_ENGINE_OWN_HEADERS = frozenset({"date", "content-type", "content-length", "connection"})
"""Response headers the HTTP floor writes itself; it copies the engine's others."""


def start_checked_http_floor(bench: Bench, stack: contextlib.ExitStack) -> None:
    """Start the HTTP floor on the cases it can serve and check it answers as the engine.

    A case it cannot serve (not one statement, or no single root field) is logged and
    recorded under ``errors`` as ``http_floor:<case>``, and left out of its runs.
    """
    cases: list[CaseSpec] = []
    for case in bench.cases():
        answer = bench.answers.get(case.name)
        statements = bench.sql.get("engine", {}).get(case.name, [])
        if answer is None:  # the engine did not answer it: nothing to serve or compare
            continue
        try:
            cases.append(servable(case.name, statements, answer.content))
        except CannotServeError as exc:
            bench.log(f"http_floor cannot serve {exc}")
            bench.report["errors"][f"http_floor:{case.name}"] = f"CannotServeError: {exc}"
    if not cases:
        return
    answer = bench.answers[cases[0].name]
    headers = [(name, value) for name, value in answer.headers.items()
               if name.lower() not in _ENGINE_OWN_HEADERS]
    bench.log(f"starting the HTTP floor ({bench.options.pool_size} connections) on "
              + ", ".join(case.name for case in cases))
    try:
        server = start_http_floor(bench.state, bench.dsn, cases, headers,
                                  bench.options.pool_size, bench.options.http_floor_busy_us)
    except Exception as exc:
        bench.log(f"http_floor unavailable: {exc}")
        bench.report["errors"]["http_floor"] = traceback.format_exc(limit=3)
        return
    stack.callback(server.stop)
    bench.servers["http_floor"] = server
    for spec in cases:
        case = next(c for c in bench.cases() if c.name == spec.name)
        url, body = bench.request("http_floor", case)
        response = checks.post(url, body, bench.workload.headers)
        entry = checks.check_response(response)
        entry["same_bytes_as_engine"] = response.content == bench.answers[case.name].content
        entry["head_bytes"] = _head_size(response)
        entry["engine_head_bytes"] = _head_size(bench.answers[case.name])
        if not entry["same_bytes_as_engine"]:
            bench.log(f"http_floor: its answer to {case.name} differs from the engine's")
            entry["errors"] = entry.get("errors") or 1
        bench.report["checks"][case.name]["http_floor"] = entry


def _head_size(response: httpx.Response) -> int:
    """Bytes of the response's header lines (as sent: names and values as received)."""
    return sum(len(name) + len(value) + 4 for name, value in response.headers.raw)


def _check_cached(bench: Bench, case: Case, fresh: Any) -> dict[str, Any]:
    """The ``@cached`` query twice (stored, then from Redis): both must be the fresh answer."""
    url, body = bench.request("engine_cached", case)
    first = checks.post(url, body, bench.workload.headers)
    second = checks.post(url, body, bench.workload.headers)
    entry = checks.check_response(second)
    same = first.json().get("data") == fresh and second.json().get("data") == fresh
    entry["same_as_engine"] = same
    entry["cache_key"] = second.headers.get("x-hasura-query-cache-key")
    if not same or entry["cache_key"] is None:
        entry["errors"] = entry.get("errors") or 1
    return entry
