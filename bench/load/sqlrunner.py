"""The floor: captured SQL executed bare through asyncpg, closed loop, run as a process.

``python -m bench.load.sqlrunner`` reads a JSON spec on the first line of stdin (a DSN, the
statements one GraphQL request ran with their parameters as logged, a concurrency and a
duration) and prints a JSON :class:`~bench.load.stats.LoadResult`. Each worker owns one
connection and runs the request's statements in order as prepared statements, as the engine
does; one pass over them is one "request".

With ``"window": true`` in the spec, the runner marks its measured part for the caller: it
prints ``start`` once its connections are open and its statements prepared and planned, and
``stop`` when the loop ends, before it closes them, and after each mark waits for a line on
stdin. Opening, preparing and closing cost PostgreSQL about 5-7 ms of CPU per connection
(a backend starts, loads its caches and exits): a caller that samples PostgreSQL's CPU at
the marks charges the loop only, as it does for a server whose pooled connections are open
before its run starts.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import uvloop

from bench.load.stats import Latency, LoadResult


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its parameters as PostgreSQL logged them (text or NULL)."""

    sql: str
    params: tuple[str | None, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statement:
        """Read a captured statement."""
        return cls(data["sql"], tuple(data.get("params", ())))


def _bool(text: str) -> bool:
    return text.lower() in {"t", "true", "on", "1", "yes", "y"}


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "int2": int, "int4": int, "int8": int, "oid": int,
    "float4": float, "float8": float, "numeric": Decimal,
    "bool": _bool, "uuid": uuid.UUID,
    "text": str, "varchar": str, "bpchar": str, "name": str, "citext": str,
    "json": str, "jsonb": str, "unknown": str,
}


async def _text_codec(conn: asyncpg.Connection, type_name: str, schema: str) -> None:
    """Let a type without a converter above take its parameter as text, as logged."""
    await conn.set_type_codec(type_name, schema=schema, encoder=str, decoder=str,
                              format="text")


async def prepare(conn: asyncpg.Connection,
                  statements: Sequence[Statement]) -> list[tuple[Any, tuple[Any, ...]]]:
    """Prepare each statement on ``conn`` and convert its logged parameters to its types."""
    prepared = []
    for statement in statements:
        stmt = await conn.prepare(statement.sql)
        args: list[Any] = []
        needs_codec = False
        for param_type, text in zip(stmt.get_parameters(), statement.params, strict=True):
            if text is None:
                args.append(None)
            elif param_type.name in _CONVERTERS:
                args.append(_CONVERTERS[param_type.name](text))
            else:
                await _text_codec(conn, param_type.name, param_type.schema)
                needs_codec = True
                args.append(text)
        if needs_codec:  # a codec change invalidates statements prepared before it
            stmt = await conn.prepare(statement.sql)
        prepared.append((stmt, tuple(args)))
    return prepared


async def run_sql_loop(dsn: str, statements: Sequence[Statement], concurrency: int,
                       duration_s: float,
                       mark: Callable[[str], Awaitable[None]] | None = None,
                       client_work_us: float = 0.0) -> LoadResult:
    """Run the statements as one request, ``concurrency`` workers, for ``duration_s``.

    ``mark`` is awaited with ``start`` right before the timed loop (connections open,
    statements prepared and planned) and with ``stop`` right after it.
    ``client_work_us``: CPU each request spends in the event loop after its statements,
    holding it as a busy server's request handling does (0: none, the bare floor).
    """
    # Default statement cache: with it disabled, asyncpg prepares unnamed statements and
    # PostgreSQL plans every execution again (2-3x the CPU on the complex query).
    conns = [await asyncpg.connect(dsn) for _ in range(concurrency)]
    latencies: list[float] = []
    counters = {"errors": 0, "rows": 0}
    try:
        plans = [await prepare(conn, statements) for conn in conns]
        for stmt, args in plans[0]:  # one untimed pass: first executions plan the query
            counters["rows"] += len(await stmt.fetch(*args))
        rows_per_request = counters["rows"]
        if mark is not None:
            await mark("start")
        cpu_before = _cpu()
        start = time.perf_counter()
        stop_at = start + duration_s

        work_s = client_work_us / 1e6

        async def worker(plan: list[tuple[Any, tuple[Any, ...]]]) -> None:
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                try:
                    for stmt, args in plan:
                        await stmt.fetch(*args)
                except asyncpg.PostgresError:
                    counters["errors"] += 1
                if work_s:
                    busy_until = time.perf_counter() + work_s
                    while time.perf_counter() < busy_until:
                        pass
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(worker(plan) for plan in plans))
        elapsed = time.perf_counter() - start
        cpu = _cpu() - cpu_before
        if mark is not None:
            await mark("stop")
        plan_counts = await conns[0].fetch(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement = ANY($1::text[])", [s.sql for s in statements])
    finally:
        for conn in conns:
            await conn.close()
    return LoadResult(
        requests=len(latencies), errors=counters["errors"], duration_s=elapsed,
        latency=Latency.of_seconds(latencies), generator_cpu_s=cpu,
        detail={"tool": "asyncpg", "connections": concurrency,
                "statements_per_request": len(statements),
                "rows_per_request": rows_per_request,
                "client_work_us": client_work_us,
                # generic plans skip planning; PostgreSQL picks them after 5 custom ones
                "generic_plans": sum(int(r["generic_plans"]) for r in plan_counts),
                "custom_plans": sum(int(r["custom_plans"]) for r in plan_counts)},
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _stdio_mark(name: str) -> None:
    """Tell the caller on stdout, then wait for its go-ahead line on stdin.

    Blocking on purpose: nothing else runs on the loop at either mark.
    """
    sys.stdout.write(name + "\n")
    sys.stdout.flush()
    sys.stdin.readline()


def main() -> None:
    """Read the spec from stdin's first line, run, print the result as JSON."""
    spec = json.loads(sys.stdin.readline())
    statements = [Statement.from_json(item) for item in spec["statements"]]
    mark = _stdio_mark if spec.get("window") else None
    result = uvloop.run(run_sql_loop(spec["dsn"], statements, int(spec["concurrency"]),
                                     float(spec["duration_s"]), mark,
                                     float(spec.get("client_work_us", 0.0))))
    json.dump(result.to_json(), sys.stdout)


if __name__ == "__main__":
    main()
