"""Where a GraphQL request's time goes: parse, validate, compile, SQL, on a cache miss and hit.

Starts a throw-away PostgreSQL (devstack's ``PostgresServer``), loads a small blog schema
(100 authors, 2,000 articles), builds a ``GraphQLEngine`` and times, for a nested query with
arguments, variables and a fragment:

- ``parse`` / ``validate``: graphql-core on the role's schema;
- ``compile``: document to SQL + parameter sources;
- ``sql``: the statement alone through asyncpg (prepared, cached by asyncpg);
- ``miss``: ``GraphQLEngine.execute`` with empty document and plan caches;
- ``hit``: ``GraphQLEngine.execute`` with both caches warm (variables still bound per request);
- ``hit_python_cpu_us`` / ``sql_only_python_cpu_us``: this process's CPU per request (PostgreSQL
  runs elsewhere), so their difference is the engine's own work on a cache hit.

    .venv/bin/python -m bench.engine.pipeline [--iterations 300] [--out bench/results/x.json]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from graphql import parse, validate

from bench.engine.database import DATABASE, throwaway_postgres
from devstack.paths import REPO_ROOT
from engine.graphql import EngineOptions, GraphQLEngine
from engine.graphql.params import bind
from engine.graphql.roots import SqlRoot
from engine.session import Session

SCHEMA = """
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL, bio text);
CREATE TABLE article (id serial PRIMARY KEY, title text NOT NULL, body text,
  author_id int NOT NULL REFERENCES author(id), published boolean NOT NULL DEFAULT true,
  views bigint NOT NULL DEFAULT 0);
CREATE TABLE comment (id serial PRIMARY KEY, article_id int NOT NULL REFERENCES article(id),
  author_id int NOT NULL REFERENCES author(id), text text NOT NULL);
INSERT INTO author (name, bio) SELECT 'author ' || i, 'bio ' || i FROM generate_series(1, 100) i;
INSERT INTO article (title, body, author_id, published, views)
  SELECT 'title ' || i, repeat('x', 200), 1 + i % 100, i % 3 <> 0, i * 7
  FROM generate_series(1, 2000) i;
INSERT INTO comment (article_id, author_id, text)
  SELECT 1 + i % 2000, 1 + i % 100, 'comment ' || i FROM generate_series(1, 6000) i;
CREATE INDEX ON article (author_id);
CREATE INDEX ON comment (article_id);
ANALYZE;
"""

QUERY = """
query Feed($minViews: bigint!, $limit: Int!) {
  author(where: {articles: {views: {_gte: $minViews}}}, order_by: {name: asc}, limit: $limit) {
    id name
    articles(where: {published: {_eq: true}}, order_by: {views: desc}, limit: 3) {
      ...Art
      comments(limit: 2) { text author { name } }
    }
    articles_aggregate { aggregate { count sum { views } } }
  }
}
fragment Art on article { id title views author { name } }
"""


def _metadata() -> dict[str, Any]:
    def table(name: str, objects: list[tuple[str, str]], arrays: list[tuple[str, str, str]]
              ) -> dict[str, Any]:
        return {
            "table": {"schema": "public", "name": name},
            "object_relationships": [{"name": n, "using": {"foreign_key_constraint_on": c}}
                                     for n, c in objects],
            "array_relationships": [{"name": n, "using": {"foreign_key_constraint_on": {
                "table": {"schema": "public", "name": t}, "column": c}}}
                for n, t, c in arrays],
            "select_permissions": [{"role": "reader", "permission": {
                "columns": "*", "filter": {}, "allow_aggregations": True}}],
        }

    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        table("author", [], [("articles", "article", "author_id")]),
        table("article", [("author", "author_id")], [("comments", "comment", "article_id")]),
        table("comment", [("author", "author_id")], []),
    ]}]}


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_us": round(statistics.median(ordered) * 1e6, 1),
            "p90_us": round(ordered[int(len(ordered) * 0.9)] * 1e6, 1),
            "mean_us": round(statistics.fmean(ordered) * 1e6, 1)}


async def _time(n: int, fn: Callable[[], Awaitable[Any]]) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
    return out


async def measure(url: str, iterations: int) -> dict[str, Any]:
    """Run every measurement against the database at ``url``."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)
    engine = await GraphQLEngine.build(pool, _metadata(), EngineOptions(True))
    session = Session("reader", {"x-hasura-role": "reader"})
    payload = {"query": QUERY, "variables": {"minViews": "5000", "limit": 10}}
    body = await engine.execute(payload, session, {})
    assert b'"errors"' not in body, body
    schema = engine.schema("reader")

    async def do_parse() -> None:
        parse(QUERY)

    document = parse(QUERY)

    async def do_validate() -> None:
        validate(schema, document)

    state = engine._role("reader")
    doc = engine._document("reader", state, QUERY)
    op = next(iter(doc.operations.values()))
    variables = {"minViews": "5000", "limit": 10}

    async def do_compile() -> None:
        engine._compile(state, doc, op, variables)

    plan, _ = engine._compile(state, doc, op, variables)
    root = plan.roots[0]
    assert isinstance(root, SqlRoot)
    args = bind(root.sources, variables, session.variables)

    async def do_sql() -> None:
        async with pool.acquire() as conn:
            await conn.fetchval(root.sql, *args)

    async def do_miss() -> None:
        engine.forget_operations()
        await engine.execute(payload, session, {})

    async def do_hit() -> None:
        await engine.execute(payload, session, {})

    results: dict[str, Any] = {}
    for name, fn in (("parse", do_parse), ("validate", do_validate), ("compile", do_compile),
                     ("sql", do_sql), ("miss", do_miss), ("hit", do_hit)):
        await _time(max(10, iterations // 10), fn)  # warm-up
        results[name] = _stats(await _time(iterations, fn))
    start = time.process_time()
    for _ in range(iterations):
        await do_hit()
    results["hit_python_cpu_us"] = round((time.process_time() - start) / iterations * 1e6, 1)
    start = time.process_time()
    for _ in range(iterations):
        await do_sql()
    results["sql_only_python_cpu_us"] = round((time.process_time() - start) / iterations * 1e6, 1)
    results["response_bytes"] = len(body)
    results["sql_chars"] = len(root.sql)
    await pool.close()
    return results


def main(argv: list[str] | None = None) -> int:
    """Start PostgreSQL, measure, print and write the JSON result."""
    parser = argparse.ArgumentParser(prog="python -m bench.engine.pipeline")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or REPO_ROOT / "bench" / "results" / f"engine-pipeline-{stamp}.json"
    with throwaway_postgres("bench-pipeline-") as (pg, _):
        results = asyncio.run(measure(pg.url(DATABASE), args.iterations))
    report = {"started_at": stamp, "iterations": args.iterations, "query": QUERY.strip(),
              "results": results}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    for name, value in results.items():
        print(f"{name:>15}: {value}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
