"""Bad input never becomes a 500 or a leak: malformed documents, variables and injections."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
import pytest

from engine.graphql import GraphQLEngine
from engine.session import Session
from tests.engine.graphql.conftest import gql

INJECTIONS = [
    "'; DROP TABLE author; --",
    "1 OR 1=1",
    "\" OR \"\"=\"",
    "x') UNION SELECT secret FROM author --",
    "$1",
]


async def _tables_intact(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM author") == 2
        assert await conn.fetchval("SELECT count(*) FROM article") == 3


@pytest.mark.parametrize("payload", INJECTIONS)
async def test_injection_in_every_argument_position_is_inert(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool, payload: str) -> None:
    """GIVEN SQL fragments as values.

    WHEN they are sent as where values, variables, _in lists, jsonb keys, by-pk keys,
    limit, mutation values and a json path
    THEN each is a plain value: no 500, no extra rows, the tables untouched.
    """
    text = orjson.dumps(payload).decode()
    queries: list[tuple[str, dict[str, Any] | None]] = [
        (f"{{ author(where: {{name: {{_eq: {text}}}}}) {{ id }} }}", None),
        ("query($v: String) { author(where: {name: {_like: $v}}) { id } }", {"v": payload}),
        ("query($v: [String!]) { author(where: {name: {_in: $v}}) { id } }", {"v": [payload]}),
        (f"{{ article(where: {{tags: {{_has_key: {text}}}}}) {{ id }} }}", None),
        ("query($v: Int!) { author_by_pk(id: $v) { id } }", {"v": payload}),
        (f"{{ author(limit: {text}) {{ id }} }}", None),
        (f"{{ article {{ tags(path: {text}) }} }}", None),
        (f'mutation {{ update_author(where: {{name: {{_eq: {text}}}}}, _set: {{bio: {text}}})'
         " { affected_rows } }", None),
    ]
    for query, variables in queries:
        result = await gql(blog_engine, query, role="user", user_id="1", variables=variables)
        if "data" in result:
            rows = next(iter(result["data"].values()))
            assert rows in ([], None, {"affected_rows": 0}) or all(
                r.get("tags") is None for r in rows), (query, result)
        else:
            assert result["errors"][0]["extensions"]["code"] != "unexpected", (query, result)
    await _tables_intact(blog_pool)


async def test_injection_in_order_by_and_distinct_on_enums_is_refused(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN SQL text where only enum values are allowed.

    WHEN it is sent as an order_by direction variable and a distinct_on column
    THEN validation refuses it with Hasura's code.
    """
    bad_direction = await gql(blog_engine, "query($d: order_by) { author(order_by: {id: $d}) "
                              "{ id } }", variables={"d": "asc; DROP TABLE author"})
    bad_column = await gql(blog_engine, '{ author(distinct_on: ["id; DROP TABLE author"]) '
                           "{ id } }")
    assert bad_direction["errors"][0]["extensions"]["code"] == "validation-failed"
    assert bad_column["errors"][0]["extensions"]["code"] == "validation-failed"
    await _tables_intact(blog_pool)


@pytest.mark.parametrize(("payload", "code"), [
    ({"query": "{ author { id "}, "validation-failed"),
    ({"query": "{ author(where: {id: {_unexpected: 2}}) { id } }"}, "validation-failed"),
    ({"query": "query($x: Int!) { author_by_pk(id: $x) { id } }"}, "validation-failed"),
    ({"query": "query($x: Int!) { author_by_pk(id: $x) { id } }", "variables": {"x": "a"}},
     "validation-failed"),
    ({"query": "{ author { id } }", "variables": [1]}, "parse-failed"),
    ({"query": 42}, "parse-failed"),
    ("not an object", "parse-failed"),
    ({"query": "query A { author { id } } query B { author { id } }"}, "validation-failed"),
    ({"query": "{ author { id } }", "operationName": "Nope"}, "validation-failed"),
    # Hasura: "subscriptions are not supported over HTTP, use websockets instead".
    ({"query": "subscription { author { id } }"}, "unexpected-payload"),
    ({"query": "{ author { id } }", "extensions": {"persistedQuery": {"version": 1}}},
     "not-supported"),
    ({"query": "{ article(where: {title: {_like: \"\\\\\"}}) { id } }"}, "bad-request"),
    ({"query": 'mutation { insert_article(objects: [{title: "t", author_id: 99}]) '
               "{ affected_rows } }"}, "constraint-violation"),
    ({"query": "mutation { insert_article(objects: [{title: \"t\", author_id: 1, "
               "rating: \"abc\"}]) { affected_rows } }"}, "data-exception"),
])
async def test_malformed_requests_get_hasura_error_codes(
        blog_engine: GraphQLEngine, payload: Any, code: str) -> None:
    """GIVEN a malformed or failing request.

    WHEN the engine answers it
    THEN the single error carries Hasura's code.
    """
    body = await blog_engine.execute(
        payload, Session("admin", {"x-hasura-role": "admin"}, True), {})
    answer = orjson.loads(body)
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code, answer


async def test_fragment_cycle_is_reported_with_its_path(blog_engine: GraphQLEngine) -> None:
    """GIVEN two fragments spreading each other.

    WHEN the document is sent
    THEN Hasura's cycle message comes back instead of a recursion error.
    """
    result = await gql(blog_engine, """{ author { ...A } }
        fragment A on author { articles { ...B } }
        fragment B on article { author { ...A } }""")
    assert result["errors"][0]["message"] == "the fragment definition(s) A and B form a cycle"


async def test_null_comparison_is_an_error_not_a_dropped_filter(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN a where clause comparing with null (literal or variable).

    WHEN the user runs it
    THEN a validation error answers instead of every row.
    """
    literal = await gql(blog_engine, "{ author(where: {id: {_eq: null}}) { id } }")
    variable = await gql(blog_engine, "query($v: Int) { author(where: {id: {_eq: $v}}) { id } }",
                         variables={"v": None})
    for result in (literal, variable):
        assert result["errors"][0]["extensions"] == {
            "path": "$.selectionSet.author.args.where.id._eq", "code": "validation-failed"}


@pytest.mark.parametrize("query", [
    "mutation { delete_article(where: null) { affected_rows } }",
    'mutation { update_article(where: null, _set: {title: "x"}) { affected_rows } }',
    'mutation { update_article_by_pk(pk_columns: {}, _set: {title: "x"}) { id } }',
    "mutation { delete_article_by_pk(id: null) { id } }",
    "mutation { insert_article(objects: null) { affected_rows } }",
    "mutation { insert_article(objects: [null]) { affected_rows } }",
    "mutation { insert_author(objects: [{name: \"n\"}], on_conflict: {update_columns: [bio]}) "
    "{ affected_rows } }",
    "{ article_by_pk(id: null) { id } }",
    "{ article(where: {_and: [null]}) { id } }",
])
async def test_null_or_missing_required_value_is_refused(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool, query: str) -> None:
    """GIVEN null for a required argument or input field, or a required input field left out.

    WHEN the admin sends it
    THEN validation refuses it (never "no filter": no row is deleted or changed).
    """
    result = await gql(blog_engine, query)
    assert "data" not in result, result
    assert result["errors"][0]["extensions"]["code"] == "validation-failed", result
    await _tables_intact(blog_pool)
    async with blog_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM article WHERE title = 'x'") == 0


async def test_null_where_is_reported_at_its_path(blog_engine: GraphQLEngine) -> None:
    """GIVEN ``where: null`` on a delete and on an entry of update_article_many.

    WHEN the admin sends them
    THEN the error names the filter's type, at the argument's path.
    """
    delete = await gql(blog_engine, "mutation { delete_article(where: null) { affected_rows } }")
    many = await gql(blog_engine, 'mutation { update_article_many(updates: [{where: {}, _set: '
                     '{title: "x"}}, {where: null, _set: {title: "x"}}]) { affected_rows } }')
    assert delete["errors"] == [{
        "message": 'unexpected null value for type "article_bool_exp"',
        "extensions": {"path": "$.selectionSet.delete_article.args.where",
                       "code": "validation-failed"}}]
    assert many["errors"][0]["extensions"]["path"] == \
        "$.selectionSet.update_article_many.args.updates[1].where"
