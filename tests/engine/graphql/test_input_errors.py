"""Input errors worded as Hasura words them: missing variables, update operators' columns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql, pool_with

SQL = """
CREATE TABLE author (id int PRIMARY KEY, name text, score int NOT NULL DEFAULT 0,
                     extra jsonb NOT NULL DEFAULT '{}');
INSERT INTO author (id, name) VALUES (1, 'a'), (2, 'b');
"""
_METADATA: dict[str, Any] = {"version": 3, "sources": [{
    "name": "default", "kind": "postgres",
    "tables": [{"table": {"schema": "public", "name": "author"}}]}]}


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the author table."""
    async with pool_with(database_url, SQL) as created:
        yield created


async def test_input_errors_missing_non_null_variable(pool: asyncpg.Pool) -> None:
    """Input errors missing non null variable.

    GIVEN a query declaring a non-null variable, and one with a default WHEN the value is not
    sent THEN the first is refused with Hasura's message at $; the defaulted one answers.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    missing = await gql(engine, "query($id: Int!) { author_by_pk(id: $id) { name } }")
    assert missing == {"errors": [{
        "message": 'expecting a value for non-nullable variable: "id"',
        "extensions": {"path": "$", "code": "validation-failed"}}]}
    defaulted = await gql(engine, "query($id: Int! = 2) { author_by_pk(id: $id) { name } }")
    assert defaulted == {"data": {"author_by_pk": {"name": "b"}}}


async def test_input_errors_update_operator_on_a_column_of_another_type(
        pool: asyncpg.Pool) -> None:
    """Input errors update operator on a column of another type.

    GIVEN a table with text, integer and jsonb columns WHEN _inc names the text column, or
    _append the integer one THEN each is refused as a field its input type lacks (it reached
    PostgreSQL before); _inc on the integer column updates it.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    text = await gql(engine, 'mutation { update_author(where: {}, _inc: {name: 1}) '
                              "{ affected_rows } }")
    assert text["errors"][0]["message"] == "field 'name' not found in type: 'author_inc_input'"
    json = await gql(engine, "mutation { update_author(where: {}, _append: {score: 1}) "
                              "{ affected_rows } }")
    assert json["errors"][0]["message"] == (
        "field 'score' not found in type: 'author_append_input'")
    ok = await gql(engine, "mutation { update_author(where: {id: {_eq: 1}}, _inc: {score: 5})"
                            " { returning { score } } }")
    assert ok == {"data": {"update_author": {"returning": [{"score": 5}]}}}


async def test_input_errors_variables_the_operation_does_not_use(pool: asyncpg.Pool) -> None:
    """Input errors variables the operation does not use.

    GIVEN a query using $id in a fragment WHEN sent with $id only, with an extra variable, or
    with one it declares but does not use THEN the first answers; the others are refused with
    Hasura's message naming them.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    query = ("query($id: Int!, $unused: String) { ...byId } "
             "fragment byId on query_root { author_by_pk(id: $id) { name } }")
    answered = await gql(engine, query, variables={"id": 1})
    assert answered == {"data": {"author_by_pk": {"name": "a"}}}
    for extra in ({"id": 1, "foo": 2}, {"id": 1, "unused": "x"}):
        refused = await gql(engine, query, variables=extra)
        name = next(k for k in extra if k != "id")
        assert refused == {"errors": [{
            "message": f"unexpected variables in variableValues: {name}",
            "extensions": {"path": "$", "code": "validation-failed"}}]}
