"""Where the engine spends a request's time on the complex query, measured in-process.

The engine's ``GraphQLEngine.execute`` runs sequentially in a loop, first bare (wall and
CPU per request), then under pyinstrument. Each sample goes to one phase: parse, validate,
variables (graphql-core's coercion), compile, bind, asyncpg (driver work: protocol and
decoding), waiting for PostgreSQL (the request suspended), or the engine's other code
(serialising included: orjson is C and shows as its caller). Two profiles: warm (document
and plan caches hit, the steady state) and cold (caches emptied before each request).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop
from pyinstrument import Profiler

from bench.chinook.workload import Case, Workload, replace_metadata

PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parse", ("graphql/language/parser", "graphql/language/lexer")),
    ("validate", ("graphql/validation",)),
    ("variables", ("graphql/execution/values", "graphql/utilities")),
    ("compile", ("engine/graphql/compiler", "engine/graphql/selection", "_compile",
                 "engine/graphql/boolexp", "engine/graphql/nested")),
    ("bind", ("engine/graphql/params",)),
    ("asyncpg", ("asyncpg",)),
)
ENGINE_FILE = "engine/graphql/engine.py"
PROFILED_CASE = "complex_query_large_result"


def phase_of(stack: list[str]) -> str:
    """The phase of one sample, from the outermost frame below the engine's entry that names one.

    pyinstrument's frames read function, file and line joined by NUL bytes; a stack ending in
    ``[await]`` is the request suspended on an await: waiting for PostgreSQL's answer.
    """
    inside = [i for i, frame in enumerate(stack)
              if frame.startswith("execute\x00") and ENGINE_FILE in frame]
    if not inside:
        return "event loop"
    if stack[-1] == "[await]":
        return "waiting for PostgreSQL"
    for frame in stack[inside[0]:]:
        for phase, markers in PHASES:
            if any(marker in frame for marker in markers):
                return phase
    return "engine (other)"


def phases(profiler: Profiler, wall_ms: float) -> dict[str, float]:
    """Milliseconds per request in each phase: each phase's share of samples times ``wall_ms``."""
    session = profiler.last_session
    if session is None:
        return {}
    totals: dict[str, float] = {}
    for stack, seconds in session.frame_records:
        phase = phase_of(list(stack))
        totals[phase] = totals.get(phase, 0.0) + seconds
    whole = sum(totals.values()) or 1.0
    return {phase: round(total / whole * wall_ms, 3) for phase, total in sorted(totals.items())}


async def _loop(run: Callable[[], Any], requests: int,
                before: Callable[[], None]) -> tuple[float, float]:
    """Wall and CPU milliseconds per request of ``requests`` sequential requests."""
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        before()
        await run()
    return ((time.perf_counter() - began) / requests * 1e3,
            (time.process_time() - cpu) / requests * 1e3)


async def _profile(dsn: str, case: Case, headers: dict[str, str], requests: int,
                   profile: bool) -> dict[str, Any]:
    """Wall and CPU per request, warm and cold; with ``profile``, the phase split too."""
    from engine.graphql import GraphQLEngine
    from engine.graphql.options import EngineOptions
    from engine.metadata.convert import to_v3
    from engine.server.database import create_pool
    from engine.session import Session

    pool = await create_pool(dsn, 4)
    try:
        engine = await GraphQLEngine.build(pool, to_v3(replace_metadata()["args"]),
                                           EngineOptions())
        lowered = {name.lower(): value for name, value in headers.items()
                   if name.lower().startswith("x-hasura-") and "secret" not in name.lower()}
        session = Session(lowered.get("x-hasura-role", "admin"), lowered, is_admin_secret=True)
        payload = {"query": case.query, "variables": case.variables}

        async def run() -> Any:
            body = await engine.execute(payload, session, headers)
            if b'"errors"' in body[:20]:
                raise RuntimeError(f"engine answered: {body[:300]!r}")
            return body

        def empty_caches() -> None:
            engine.forget_operations()

        def nothing() -> None:
            return None

        await _loop(run, 20, nothing)  # warm the pool, the plan and PostgreSQL
        results: dict[str, Any] = {"case": case.name, "requests": requests}
        for label, before in (("warm", nothing), ("cold", empty_caches)):
            wall, cpu = await _loop(run, requests, before)
            results[f"{label}_wall_ms_per_request"] = wall
            results[f"{label}_cpu_ms_per_request"] = cpu
            if not profile:
                continue
            profiler = Profiler(interval=0.0002, async_mode="enabled")
            profiler.start()
            await _loop(run, requests, before)
            profiler.stop()
            results[f"{label}_phases_ms_per_request"] = phases(profiler, wall)
            if label == "warm":
                results["warm_text"] = profiler.output_text(unicode=False, color=False,
                                                           show_all=False)[:6000]
    finally:
        await pool.close()
    return results


def summary(results: dict[str, Any]) -> str:
    """Two lines: per-phase milliseconds per request, warm and cold."""
    lines = []
    for label in ("warm", "cold"):
        split = results.get(f"{label}_phases_ms_per_request", {})
        parts = ", ".join(f"{phase} {ms:.2f}" for phase, ms in
                          sorted(split.items(), key=lambda item: -item[1]))
        lines.append(f"  {label} (caches {'hit' if label == 'warm' else 'emptied'}): "
                     f"{results.get(f'{label}_wall_ms_per_request', 0):.2f} ms/request wall, "
                     f"{results.get(f'{label}_cpu_ms_per_request', 0):.2f} ms engine CPU "
                     f"(uvloop); profiled wall "
                     f"{results.get(f'{label}_profiled_wall_ms_per_request', 0):.2f} ms split: "
                     f"{parts}")
    return "\n".join(lines)


def profile_engine(dsn: str, workload: Workload, state: Path,
                   requests: int = 200) -> dict[str, Any]:
    """Profile ``GraphQLEngine.execute`` on the large-result complex query."""
    case = next(case for case in workload.cases if case.name == PROFILED_CASE)
    del state  # the profile keeps nothing on disk; the text goes into the results JSON
    # Timings under uvloop, as the server runs; the profile under stdlib asyncio, where
    # pyinstrument attributes awaits to their coroutine (its wall and CPU come out higher).
    result: dict[str, Any] = uvloop.run(_profile(dsn, case, workload.headers, requests, False))
    profiled = asyncio.run(_profile(dsn, case, workload.headers, requests, True))
    for label in ("warm", "cold"):
        result[f"{label}_phases_ms_per_request"] = profiled[f"{label}_phases_ms_per_request"]
        result[f"{label}_profiled_wall_ms_per_request"] = profiled[f"{label}_wall_ms_per_request"]
    result["warm_text"] = profiled.get("warm_text", "")
    result["summary"] = summary(result)
    return result


def _main() -> None:  # pragma: no cover - manual use: python -m bench.chinook.profile DSN
    import json
    import sys

    from bench.chinook.workload import load_workload

    print(json.dumps(profile_engine(sys.argv[1], load_workload(), Path()), indent=1))


if __name__ == "__main__":  # pragma: no cover
    _main()
