"""Function arguments passed as Hasura passes them: by position, then by name, defaults kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql, pool_with

SQL = """
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, is_admin boolean NOT NULL);
INSERT INTO users VALUES (1, 'Starke Blake', false), (2, 'Dora Black', true),
                         (3, 'Bill Blake', true);
-- "search" is named; the second argument is not (Hasura calls it arg_1), and has a default.
CREATE FUNCTION get_users(search text, boolean DEFAULT NULL) RETURNS SETOF users AS $$
    SELECT * FROM users WHERE name ILIKE '%' || search || '%' AND ($2 IS NULL OR is_admin = $2)
$$ LANGUAGE sql STABLE;
CREATE FUNCTION admins(only_admins boolean, search text DEFAULT '') RETURNS SETOF users AS $$
    SELECT * FROM users WHERE is_admin = only_admins AND name ILIKE '%' || search || '%'
$$ LANGUAGE sql STABLE;
"""

_METADATA: dict[str, Any] = {"version": 3, "sources": [{
    "name": "default", "kind": "postgres",
    "tables": [{"table": {"schema": "public", "name": "users"}}],
    "functions": [{"function": {"schema": "public", "name": "get_users"}},
                  {"function": {"schema": "public", "name": "admins"}}]}]}


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the users table and its functions."""
    async with pool_with(database_url, SQL) as created:
        yield created


async def test_function_args_pass_by_position_then_name(pool: asyncpg.Pool) -> None:
    """Function args pass by position then name.

    GIVEN a function whose second argument has no name (arg_1) and a default, and one whose
    second named argument has a default WHEN called with every argument, with the defaults
    left out, with a named argument after an omitted one, with an unnamed argument after an
    omitted one, and without a mandatory argument THEN the first three answer rows; the
    unnamed argument after an omission and the missing mandatory one are refused as Hasura
    refuses them.
    """
    engine = await GraphQLEngine.build(pool, _METADATA)
    both = await gql(engine, '{ get_users(args: {search: "Blake", arg_1: true}) { id } }')
    assert both == {"data": {"get_users": [{"id": 3}]}}
    default = await gql(engine, '{ get_users(args: {search: "Blake"}, order_by: {id: asc})'
                                 " { id } }")
    assert default == {"data": {"get_users": [{"id": 1}, {"id": 3}]}}
    named = await gql(engine, '{ admins(args: {only_admins: true, search: "Dora"}) { id } }')
    assert named == {"data": {"admins": [{"id": 2}]}}
    skipped = await gql(engine, "{ get_users(args: {arg_1: true}) { id } }")
    assert skipped == {"errors": [{"message": "Non default arguments cannot be omitted",
                                   "extensions": {"path": "$.selectionSet.get_users.args.args",
                                                  "code": "not-supported"}}]}
    missing = await gql(engine, '{ admins(args: {search: "Dora"}) { id } }')
    assert missing["errors"][0]["message"] == "Non default arguments cannot be omitted"


async def test_function_args_unnamed_after_an_omission_is_refused(pool: asyncpg.Pool) -> None:
    """Function args unnamed after an omission is refused.

    GIVEN a function whose first argument has a default and whose second has no name WHEN the
    second is given without the first THEN Hasura's positional error at the args' path.
    """
    async with pool.acquire() as conn:
        await conn.execute("""
            CREATE FUNCTION tail_flag(prefix text DEFAULT '', boolean DEFAULT true)
            RETURNS SETOF users AS $$ SELECT * FROM users WHERE is_admin = $2 $$
            LANGUAGE sql STABLE""")
    metadata = {**_METADATA, "sources": [{**_METADATA["sources"][0], "functions": [
        {"function": {"schema": "public", "name": "tail_flag"}}]}]}
    engine = await GraphQLEngine.build(pool, metadata)
    refused = await gql(engine, "{ tail_flag(args: {arg_1: false}) { id } }")
    assert refused == {"errors": [{
        "message": "Only last set of positional arguments can be omitted",
        "extensions": {"path": "$.selectionSet.tail_flag.args.args", "code": "not-supported"}}]}
    every = await gql(engine, '{ tail_flag(args: {prefix: "", arg_1: false}) { id } }')
    assert every == {"data": {"tail_flag": [{"id": 1}]}}
