"""Fixtures: a database with a small blog schema and an engine built over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import pytest

from engine.graphql import EngineOptions, GraphQLEngine

BLOG_SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE NOT NULL, bio text,
                     secret text, created_at timestamptz DEFAULT now());
CREATE TABLE article (id serial PRIMARY KEY, title text NOT NULL, content text,
                      author_id int NOT NULL REFERENCES author(id), is_published boolean
                      DEFAULT false, views bigint DEFAULT 0, rating numeric, tags jsonb);
INSERT INTO author (name, bio, secret) VALUES ('Alice', 'a', 's1'), ('Bob', NULL, 's2');
INSERT INTO article (title, content, author_id, is_published, views, rating, tags) VALUES
  ('A1', 'c1', 1, true, 10, 1.5, '{"k": 1}'), ('A2', 'c2', 1, false, 20, 2.5, '{"j": 2}'),
  ('B1', 'c3', 2, true, 30, NULL, NULL);
"""


def blog_metadata() -> dict[str, Any]:
    """v3 metadata for the blog schema with ``user`` and ``anonymous`` permissions."""
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": "author"},
         "array_relationships": [{"name": "articles", "using": {"foreign_key_constraint_on": {
             "table": {"schema": "public", "name": "article"}, "column": "author_id"}}}],
         "select_permissions": [
             {"role": "user", "permission": {"columns": ["id", "name", "bio"], "filter": {},
                                             "allow_aggregations": True}},
             {"role": "anonymous", "permission": {"columns": ["id", "name"], "filter": {}}}],
         "update_permissions": [{"role": "user", "permission": {
             "columns": ["bio"], "filter": {"id": {"_eq": "X-Hasura-User-Id"}}, "check": {}}}]},
        {"table": {"schema": "public", "name": "article"},
         "object_relationships": [{"name": "author", "using": {
             "foreign_key_constraint_on": "author_id"}}],
         "select_permissions": [
             {"role": "user", "permission": {"columns": "*", "filter": {"_or": [
                 {"is_published": {"_eq": True}},
                 {"author_id": {"_eq": "X-Hasura-User-Id"}}]}}},
             {"role": "anonymous", "permission": {
                 "columns": ["id", "title"], "filter": {"is_published": {"_eq": True}},
                 "limit": 1}}],
         "insert_permissions": [{"role": "user", "permission": {
             "columns": ["title", "content"], "set": {"author_id": "X-Hasura-User-Id"},
             "check": {"author_id": {"_eq": "X-Hasura-User-Id"}}}}],
         "delete_permissions": [{"role": "user", "permission": {
             "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}}}}]},
    ]}]}


@asynccontextmanager
async def pool_with(database_url: str, sql: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on ``database_url`` after running ``sql`` there (closed on exit)."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            await conn.execute(sql)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def blog_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the blog schema."""
    async with pool_with(database_url, BLOG_SQL) as pool:
        yield pool


@pytest.fixture
async def blog_engine(blog_pool: asyncpg.Pool) -> GraphQLEngine:
    """An engine over the blog schema (numeric types stringified, as Hasura's tests run)."""
    return await GraphQLEngine.build(blog_pool, blog_metadata(),
                                     EngineOptions(stringify_numeric_types=True))


async def gql(engine: GraphQLEngine, query: str, *, role: str = "admin",
              variables: dict[str, Any] | None = None, user_id: str | None = None,
              operation: str | None = None) -> dict[str, Any]:
    """Run one request as ``role`` and return the parsed response (asserting HTTP 200)."""
    from engine.session import Session

    session_vars = {"x-hasura-role": role}
    if user_id is not None:
        session_vars["x-hasura-user-id"] = user_id
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if operation is not None:
        payload["operationName"] = operation
    body = await engine.execute(payload, Session(role, session_vars, role == "admin"), {})
    result: dict[str, Any] = orjson.loads(body)
    return result
