"""A role allowed a table but none of its columns, served as Hasura serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql, pool_with

SQL = """
CREATE TABLE article (id serial PRIMARY KEY, title text, views int,
                      published_on timestamp NOT NULL DEFAULT now());
INSERT INTO article (title, views) VALUES ('a', 1), ('b', 2), ('c', 3);
"""
_METADATA: dict[str, Any] = {"version": 3, "sources": [{
    "name": "default", "kind": "postgres", "tables": [{
        "table": {"schema": "public", "name": "article"}, "select_permissions": [
            {"role": "counter", "permission": {"columns": [], "filter": {},
                                               "allow_aggregations": True}},
            {"role": "titles", "permission": {"columns": ["id", "title"], "filter": {},
                                              "allow_aggregations": True}}],
        "delete_permissions": [{"role": "deleter", "permission": {"filter": {}}},
                               {"role": "counter",
                                "permission": {"filter": {"id": {"_eq": 1}}}}]}]}]}


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the article table."""
    async with pool_with(database_url, SQL) as created:
        yield created


async def test_no_column_access_still_counts_rows(pool: asyncpg.Pool) -> None:
    """No column access still counts rows.

    GIVEN a role allowed aggregations on a table but none of its columns WHEN it counts the
    rows, asks for a column, counts columns, or asks for max THEN the count answers (the
    schema is served although the table's type has no field); the rest are refused as
    Hasura refuses them; the schema has no distinct_on and no count columns.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    counter = "{ article_aggregate { aggregate { count } } }"
    assert await gql(engine, counter, role="counter") == {
        "data": {"article_aggregate": {"aggregate": {"count": 3}}}}
    typename = await gql(engine, role="counter", query="{ article { __typename } }")
    assert typename == {"data": {"article": [{"__typename": "article"}] * 3}}
    column = await gql(engine, role="counter", query="{ article { id } }")
    assert column["errors"][0]["message"] == "field 'id' not found in type: 'article'"
    counted = await gql(engine, "{ article_aggregate { aggregate { count(columns: [title]) } } }",
                        role="counter")
    assert counted["errors"][0]["message"] == "'count' has no argument named 'columns'"
    maximum = await gql(engine, "{ article_aggregate { aggregate { max { published_on } } } }",
                        role="counter")
    assert maximum["errors"][0]["message"] == (
        "field 'max' not found in type: 'article_aggregate_fields'")
    sdl = engine.schema_sdl("counter")
    assert "distinct_on" not in sdl
    assert "count(distinct: Boolean): Int!" in sdl


async def test_aggregate_functions_follow_the_columns_they_apply_to(pool: asyncpg.Pool) -> None:
    """Aggregate functions follow the columns they apply to.

    GIVEN a role that may select id and title WHEN it asks for sum (numeric: id) and max of
    title, and sum of title THEN the first two answer; sum of a text column is refused.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    ok = await gql(engine, "{ article_aggregate { aggregate { sum { id } max { title } } } }",
                   role="titles")
    assert ok == {"data": {"article_aggregate": {"aggregate": {"sum": {"id": 6},
                                                               "max": {"title": "c"}}}}}
    refused = await gql(engine, "{ article_aggregate { aggregate { sum { title } } } }",
                        role="titles")
    assert refused["errors"][0]["message"] == (
        "field 'title' not found in type: 'article_sum_fields'")


async def test_returning_needs_a_select_permission(pool: asyncpg.Pool) -> None:
    """Returning needs a select permission.

    GIVEN a role that may delete from a table but not select from it, and one that may select
    none of its columns WHEN each deletes asking for returning THEN the first is refused as
    Hasura refuses a field its schema lacks (nothing deleted), the second gets its rows;
    affected_rows alone works for the first (its ``where`` names no column: columns in a
    boolean expression are those the role may select).
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    returning = "mutation { delete_article(where: {}) { returning { __typename } } }"
    refused = await gql(engine, returning, role="deleter")
    assert refused["errors"][0] == {
        "message": "field 'returning' not found in type: 'article_mutation_response'",
        "extensions": {"path": "$.selectionSet.delete_article.selectionSet.returning",
                       "code": "validation-failed"}}
    assert "returning" not in engine.schema_sdl("deleter")
    returned = await gql(engine, returning, role="counter")
    assert returned == {"data": {"delete_article": {"returning": [{"__typename": "article"}]}}}
    counted = await gql(engine, "mutation { delete_article(where: {}) { affected_rows } }",
                        role="deleter")
    assert counted == {"data": {"delete_article": {"affected_rows": 2}}}


async def test_filters_and_ordering_use_selectable_columns_only(pool: asyncpg.Pool) -> None:
    """Filters and ordering use selectable columns only.

    GIVEN a role that may select id and title, not views WHEN it filters, orders, or orders
    by an aggregate on views THEN each is refused as Hasura refuses a field its schema lacks
    (nothing is learnt about views); on title they answer.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    where = await gql(engine, role="titles", query="{ article(where: {views: {_gt: 1}}) { id } }")
    assert where["errors"][0]["message"] == "field 'views' not found in type: 'article_bool_exp'"
    order = await gql(engine, role="titles", query="{ article(order_by: {views: desc}) { id } }")
    assert order["errors"][0]["message"] == "field 'views' not found in type: 'article_order_by'"
    fine = await gql(engine, '{ article(where: {title: {_neq: "a"}}, order_by: {title: desc})'
                             " { id } }", role="titles")
    assert fine == {"data": {"article": [{"id": 3}, {"id": 2}]}}


async def test_ordering_follows_the_role_schema(pool: asyncpg.Pool) -> None:
    """Ordering follows the role schema.

    GIVEN authors with articles, a role that may select articles but not authors WHEN it
    orders articles by their author's name, or authors are ordered by a sum of article titles
    THEN both are refused as fields the role's order_by types lack; by article count they are
    ordered.
    """
    async with pool.acquire() as conn:
        await conn.execute("""
            CREATE TABLE writer (id int PRIMARY KEY, name text);
            INSERT INTO writer VALUES (1, 'w1'), (2, 'w2');
            ALTER TABLE article ADD COLUMN writer_id int REFERENCES writer;
            UPDATE article SET writer_id = CASE WHEN id = 1 THEN 1 ELSE 2 END;""")
    article = {"table": {"schema": "public", "name": "article"},
               "object_relationships": [{"name": "writer",
                                         "using": {"foreign_key_constraint_on": "writer_id"}}],
               "select_permissions": [{"role": "reader", "permission": {
                   "columns": ["id", "title", "writer_id"], "filter": {}}},
                   {"role": "editor", "permission": {"columns": ["id", "title"], "filter": {}}}]}
    writer = {"table": {"schema": "public", "name": "writer"},
              "array_relationships": [{"name": "articles", "using": {"foreign_key_constraint_on": {
                  "table": "article", "column": "writer_id"}}}],
              "select_permissions": [{"role": "editor", "permission": {
                  "columns": ["id", "name"], "filter": {}}}]}
    metadata = {"version": 3, "sources": [{"name": "default", "kind": "postgres",
                                           "tables": [article, writer]}]}
    engine = await GraphQLEngine.build(pool, metadata)
    hidden = await gql(engine, "{ article(order_by: {writer: {name: asc}}) { id } }",
                       role="reader")
    assert hidden["errors"][0]["message"] == "field 'writer' not found in type: 'article_order_by'"
    summed = await gql(engine, "{ writer(order_by: {articles_aggregate: {sum: {title: asc}}})"
                               " { id } }", role="editor")
    assert summed["errors"][0]["message"] == (
        "field 'title' not found in type: 'article_sum_order_by'")
    counted = await gql(engine, "{ writer(order_by: {articles_aggregate: {count: desc}}) "
                                "{ id } }", role="editor")
    assert counted == {"data": {"writer": [{"id": 2}, {"id": 1}]}}
