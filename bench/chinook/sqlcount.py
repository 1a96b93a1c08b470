"""SQL cost as instructions: what PostgreSQL executes per statement, counted by callgrind.

``python -m bench.chinook.sqlcount [results.json] [--executions N] [--baseline older.json]``
loads the Chinook data into a fresh PostgreSQL, restarts it under valgrind's callgrind and
runs each case's captured statements (the engine's, PostGraphile's, the large result's
variants in ``sql/``, and with ``--baseline`` the engine's statements of an older results
file) as the closed-loop runs do: named prepared statements through asyncpg, on a generic
plan once PostgreSQL settles on one. Each statement runs on two connections, one executing
it 8 times and one 8 + N times; the difference of the two backends' instruction counts,
over N, is one execution, the wire protocol included.

Unlike CPU time, the count does not move with other load on the machine: timings of one SQL
text on this shared machine differ by ±30 % between runs, counts within a run by under
0.1 % (between runs on fresh clusters, by up to 2 %: compare shapes of one run). It does not
see cache misses or memory stalls, so confirm a difference in CPU time (the closed-loop
runs' ``pg:`` columns, or ``bench.chinook.sqlshape``) when the machine is quiet. Needs
``valgrind`` (``./dev setup`` installs it); writes ``results/sqlcount-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.chinook.database import DATABASE, load_chinook, start_postgres
from bench.load.sqlrunner import Statement, prepare
from devstack.ports import LOOPBACK, free_port
from devstack.process import ManagedProcess
from devstack.services.postgres import PostgresServer, pg_bindir, run_as_user

CASES = ("simple_query", "complex_query_small_result", "complex_query_large_result")
VARIANTS_DIR = Path(__file__).parent / "sql"
WARM_UP = 8
"""Executions on both connections, their cost cancelling out: PostgreSQL plans the first five
executions of a prepared statement for their values, then settles on a plan."""
_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.MULTILINE)


def _captured(report: dict[str, Any] | None, case: str, server: str) -> Statement | None:
    statements = (report or {}).get("checks", {}).get(case, {}).get(server, {}).get("statements")
    return Statement.from_json(statements[0]) if statements and len(statements) == 1 else None


def statements(report: dict[str, Any], baseline: dict[str, Any] | None = None,
               ) -> dict[str, dict[str, Statement]]:
    """Case → shape name → statement, from a results file's captured SQL.

    ``baseline`` (another results file) adds its engine statement as the shape ``baseline``:
    an older engine's SQL counted side by side with this one's.
    """
    found: dict[str, dict[str, Statement]] = {}
    for case in CASES:
        shapes = {name: statement for name, statement in (
            ("engine", _captured(report, case, "engine")),
            ("baseline", _captured(baseline, case, "engine")),
            ("postgraphile", _captured(report, case, "postgraphile"))) if statement is not None}
        if case == "complex_query_large_result" and "engine" in shapes:
            for path in sorted(VARIANTS_DIR.glob("large_result_*.sql")):
                shapes[path.stem.removeprefix("large_result_")] = Statement(
                    sql=path.read_text(), params=shapes["engine"].params)
        if shapes:
            found[case] = shapes
    return found


def _start_under_callgrind(server: PostgresServer, state: Path, out_dir: Path) -> ManagedProcess:
    """The loaded cluster's postmaster under callgrind, one output file per backend."""
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_dir}/cg.%p",
            str(pg_bindir() / "postgres"), "-D", str(server.data_dir),
            "-c", f"listen_addresses={LOOPBACK}", "-c", f"port={server.port}",
            "-c", f"unix_socket_directories={server.socket_dir}", "-c", "fsync=off",
            "-c", "autovacuum=off"]
    process = ManagedProcess("postgres-callgrind", argv, state / "callgrind.log",
                             state / "callgrind.pid", user=run_as_user())
    process.start()
    process.wait_until(server.ready, timeout=180)
    return process


async def _backend_instructions(dsn: str, statement: Statement, executions: int,
                                out_dir: Path) -> tuple[int, Any]:
    """Instructions of a backend that ran ``statement`` ``executions`` times, and its answer."""
    conn = await asyncpg.connect(dsn)
    try:
        [(stmt, args)] = await prepare(conn, [statement])
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        answer = None
        for _ in range(executions):
            answer = [tuple(row) for row in await stmt.fetch(*args)]
    finally:
        await conn.close()
    path = out_dir / f"cg.{pid}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # callgrind writes the file when the backend exits
        if path.exists() and (found := _TOTAL.search(path.read_text())):
            return int(found.group(1)), answer
        await asyncio.sleep(0.2)
    raise RuntimeError(f"callgrind wrote no count for backend {pid} in {out_dir}")


async def _count_all(dsn: str, shapes: dict[str, dict[str, Statement]], executions: int,
                     out_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    # The first backends build the relation cache's init files: not part of any statement.
    for by_shape in shapes.values():
        for statement in by_shape.values():
            await _backend_instructions(dsn, statement, 1, out_dir)
    counts: dict[str, dict[str, dict[str, Any]]] = {}
    for case, by_shape in shapes.items():
        counts[case] = {}
        reference = None
        for name, statement in by_shape.items():
            print(f"  {case} · {name}: {executions} executions under callgrind", flush=True)
            base, answer = await _backend_instructions(dsn, statement, WARM_UP, out_dir)
            more, _ = await _backend_instructions(dsn, statement, WARM_UP + executions,
                                                  out_dir)
            if name == "engine":
                reference = answer
            counts[case][name] = {
                "instructions_per_execution": (more - base) / executions,
                # PostGraphile's rows are text arrays, not the engine's JSON
                "same_answer_as_engine": None if name == "postgraphile" else _same(answer,
                                                                                   reference),
            }
    return counts


def _same(answer: Any, reference: Any) -> str:
    """``same`` (byte for byte), ``same JSON`` (other spacing) or ``differs``."""
    if answer == reference:
        return "same"
    try:
        if json.loads(answer[0][0]) == json.loads(reference[0][0]):
            return "same JSON"
    except (TypeError, IndexError, ValueError):
        pass
    return "differs"


def run(results_file: Path, executions: int = 20,
        baseline_file: Path | None = None) -> dict[str, Any]:
    """Count every case's shapes on a fresh Chinook database under callgrind."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (./dev setup installs it)")
    report = json.loads(results_file.read_text())
    baseline = json.loads(baseline_file.read_text()) if baseline_file else None
    shapes = statements(report, baseline)
    if not shapes:
        raise SystemExit(f"{results_file} holds no captured statements (run the bench first)")
    with tempfile.TemporaryDirectory(prefix="bench-sqlcount-") as tmp:
        state = Path(tmp)
        state.chmod(0o755)
        server = start_postgres(state)
        try:
            load_chinook(server)
        finally:
            server.stop()
        out_dir = state / "callgrind"
        out_dir.mkdir()
        user = run_as_user()
        if user is not None:
            shutil.chown(out_dir, user=user)
        counted = PostgresServer(server.root, free_port())
        process = _start_under_callgrind(counted, state, out_dir)
        try:
            counts = asyncio.run(_count_all(counted.url(DATABASE), shapes, executions, out_dir))
        finally:
            process.stop(timeout=60, first=signal.SIGINT)
    return {"results_file": results_file.name, "executions": executions, "cases": counts,
            "baseline_file": baseline_file.name if baseline_file else None}


def table(result: dict[str, Any]) -> str:
    """Instructions per execution, each shape against the engine's statement."""
    lines = [f"  {'case':28} {'shape':14} {'kinstr/exec':>12} {'vs engine':>10}  answer"]
    for case, by_shape in result["cases"].items():
        engine = by_shape.get("engine", {}).get("instructions_per_execution") or 1.0
        for name, row in by_shape.items():
            count = row["instructions_per_execution"]
            same = row["same_answer_as_engine"] or "-"
            lines.append(f"  {case:28} {name:14} {count / 1e3:12.1f} "
                         f"{(count / engine - 1) * 100:+9.1f}%  {same}")
    return "\n".join(lines)


def main() -> None:
    """Count the shapes of the given (or latest) results file; print and save the table."""
    from bench.chinook.run_state import RESULTS_DIR

    parser = argparse.ArgumentParser(prog="python -m bench.chinook.sqlcount")
    parser.add_argument("results", nargs="?", type=Path,
                        help="a bench.chinook results file (default: the latest)")
    parser.add_argument("--executions", type=int, default=20,
                        help="executions counted per statement (default 20)")
    parser.add_argument("--baseline", type=Path,
                        help="another results file: its engine SQL is counted as 'baseline'")
    options = parser.parse_args()
    results_file = options.results or sorted(RESULTS_DIR.glob("chinook-*.json"))[-1]
    result = run(results_file, options.executions, options.baseline)
    out = RESULTS_DIR / f"sqlcount-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"({results_file.name}; instructions per execution, callgrind)\n{table(result)}\n"
          f"results: {out}")


if __name__ == "__main__":
    main()
