"""``@skip`` / ``@include``: their arguments are validated and coerced like any argument."""

from __future__ import annotations

import pytest

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql

BAD_DIRECTIVES = [
    '{ author { id name @include(if: "true OR 1=1") } }',
    '{ author { id name @skip(if: "false") } }',
    "{ author { id name @include(if: 1) } }",
    "{ author { id name @include(if: null) } }",
    "{ author { id name @include(if: [true]) } }",
    "{ author { id name @include(if: {a: true}) } }",
    "{ author { id name @include(if: TRUE) } }",
    '{ author { id ... on author @include(if: "yes") { name } } }',
    '{ author { id ...N @skip(if: "no") } } fragment N on author { name }',
    '{ author @include(if: "x") { id } }',
    '{ author(where: {id: {_eq: 1}}) @include(if: 0.5) { id } }',
    "{ author { id name @include } }",
    "{ author { id name @include(if: true, unless: false) } }",
    "{ author { id name @unknown(if: true) } }",
    'query @include(if: "x") { author { id } }',
    "query($v: String!) { author { id name @include(if: $v) } }",
]


@pytest.mark.parametrize("query", BAD_DIRECTIVES)
async def test_directive_with_an_invalid_argument_is_refused(
        blog_engine: GraphQLEngine, query: str) -> None:
    """GIVEN a directive whose argument is not a Boolean, is missing, unknown or misplaced.

    WHEN the document is sent (as admin and as a user)
    THEN validation refuses it with Hasura's code and no data is answered.
    """
    for role in ("admin", "user"):
        result = await gql(blog_engine, query, role=role, user_id="1", variables={"v": "true"})
        assert "data" not in result, (role, query, result)
        assert result["errors"][0]["extensions"]["code"] == "validation-failed", result


async def test_directive_with_an_invalid_literal_gets_a_hasura_message(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN ``@include(if: "true OR 1=1")`` on a column.

    WHEN the document is sent
    THEN the error names the Boolean type and what was found, at the field's path.
    """
    result = await gql(blog_engine, '{ author { id name @include(if: "true OR 1=1") } }')
    assert result == {"errors": [{
        "message": "expected a boolean for type 'Boolean', but found a string",
        "extensions": {"path": "$.selectionSet.author.selectionSet.name",
                       "code": "validation-failed"}}]}


async def test_directives_with_booleans_include_and_skip_fields(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN literal and variable conditions on fields, fragment spreads and inline fragments.

    WHEN the same document runs with the variable true, then false (plan cached in between)
    THEN exactly the included fields are answered each time.
    """
    query = """query($on: Boolean!) { author(order_by: {id: asc}, limit: 1) {
        id @skip(if: false) name @include(if: false) bio @include(if: $on)
        ... on author @skip(if: $on) { secret_free: id } ...F @include(if: $on) } }
        fragment F on author { articles_aggregate { aggregate { count } } }"""
    on = await gql(blog_engine, query, variables={"on": True})
    off = await gql(blog_engine, query, variables={"on": False})
    again = await gql(blog_engine, query, variables={"on": True})
    assert on == again == {"data": {"author": [
        {"id": 1, "bio": "a", "articles_aggregate": {"aggregate": {"count": 2}}}]}}
    assert off == {"data": {"author": [{"id": 1, "secret_free": 1}]}}
