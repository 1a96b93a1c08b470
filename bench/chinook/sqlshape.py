"""SQL shape: the same large result built different ways, timed in PostgreSQL alone.

``python -m bench.chinook.sqlshape [results.json]`` starts its own PostgreSQL with the
Chinook data and times, on one connection, as named prepared statements, interleaved in
rounds: the engine's captured statement for the large-result query, PostGraphile's, and the
hand-written variants in ``sql/`` (the engine's statement with another way of building the
JSON). Each variant's JSON must equal the engine's. The minimum over rounds is the least
disturbed by other load on the machine; the median says how stable that is.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.chinook.database import load_chinook, start_postgres

CASE = "complex_query_large_result"
VARIANTS_DIR = Path(__file__).parent / "sql"


async def _time_all(dsn: str, report: dict[str, Any], rounds: int,
                    per_round: int) -> dict[str, dict[str, float]]:
    engine = report["checks"][CASE]["engine"]["statements"][0]
    theirs = report["checks"][CASE]["postgraphile"]["statements"][0]
    params = tuple(engine["params"])
    candidates: dict[str, tuple[str, tuple[Any, ...]]] = {
        "engine": (engine["sql"], params),
        "postgraphile": (theirs["sql"], tuple(theirs["params"])),
    }
    for path in sorted(VARIANTS_DIR.glob("large_result_*.sql")):
        candidates[path.stem.removeprefix("large_result_")] = (path.read_text(), params)
    conn = await asyncpg.connect(dsn)
    try:
        prepared = {name: (await conn.prepare(sql), args)
                    for name, (sql, args) in candidates.items()}
        reference = json.loads(await prepared["engine"][0].fetchval(*params))
        for name, (stmt, args) in prepared.items():
            if name != "postgraphile" and json.loads(await stmt.fetchval(*args)) != reference:
                raise RuntimeError(f"variant {name!r} does not return the engine's JSON")
        samples: dict[str, list[float]] = {name: [] for name in prepared}
        for _ in range(rounds):
            for name, (stmt, args) in prepared.items():
                for _ in range(3):
                    await stmt.fetch(*args)
                began = time.perf_counter()
                for _ in range(per_round):
                    await stmt.fetch(*args)
                samples[name].append((time.perf_counter() - began) / per_round * 1e3)
        # PostGraphile's statement returns rows of text arrays, not one JSON text
        sizes = {name: 0 if name == "postgraphile" else len(str(await stmt.fetchval(*args)))
                 for name, (stmt, args) in prepared.items()}
    finally:
        await conn.close()
    return {name: {"min_ms": min(values), "median_ms": sorted(values)[len(values) // 2],
                   "bytes": sizes[name]} for name, values in samples.items()}


def time_shapes(dsn: str, report: dict[str, Any], rounds: int = 15,
                per_round: int = 40) -> dict[str, dict[str, float]]:
    """Time every shape on ``dsn`` (a loaded Chinook database) with ``report``'s statements."""
    return asyncio.run(_time_all(dsn, report, rounds, per_round))


def run(results_file: Path, rounds: int = 15, per_round: int = 40) -> dict[str, Any]:
    """Time every shape against a fresh Chinook database; returns name → timings."""
    report = json.loads(results_file.read_text())
    with tempfile.TemporaryDirectory(prefix="bench-sqlshape-") as tmp:
        state = Path(tmp)
        state.chmod(0o755)
        server = start_postgres(state)
        try:
            dsn = load_chinook(server)
            return time_shapes(dsn, report, rounds, per_round)
        finally:
            server.stop()


def main() -> None:
    """Print the timings for the given (or latest) results file."""
    if len(sys.argv) > 1:
        results_file = Path(sys.argv[1])
    else:
        from bench.chinook.run_state import RESULTS_DIR

        results_file = sorted(RESULTS_DIR.glob("chinook-*.json"))[-1]
    timings = run(results_file)
    print(f"({results_file.name})\n{table(timings)}")


def table(timings: dict[str, dict[str, float]]) -> str:
    """The timings as a small table, with each shape's cost relative to the engine's."""
    engine = timings.get("engine", {}).get("median_ms") or 1.0
    lines = [f"  {'shape':14} {'min ms':>8} {'median ms':>10} {'vs engine':>10} {'bytes':>7}"]
    for name, row in timings.items():
        size = f"{row['bytes']:7.0f}" if row["bytes"] else "      -"
        lines.append(f"  {name:14} {row['min_ms']:8.3f} {row['median_ms']:10.3f} "
                     f"{(row['median_ms'] / engine - 1) * 100:+9.0f}% {size}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
