"""Schema features from metadata: custom names, enum tables, inherited roles, providers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson
from graphql import GraphQLArgument, GraphQLField, GraphQLNonNull, GraphQLString

from engine.graphql import FieldCall, GraphQLEngine, ProvidedField
from tests.engine.graphql.conftest import gql

SQL = """
CREATE TABLE status (value text PRIMARY KEY, comment text);
INSERT INTO status VALUES ('open', 'being worked on'), ('closed', 'done');
CREATE TABLE ticket (id serial PRIMARY KEY, title text NOT NULL,
                     state text NOT NULL REFERENCES status(value), owner text);
INSERT INTO ticket (title, state, owner) VALUES ('a', 'open', 'u1'), ('b', 'closed', 'u2');
"""


def _metadata() -> dict[str, Any]:
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": "status"}, "is_enum": True},
        {"table": {"schema": "public", "name": "ticket"},
         "configuration": {"custom_name": "Ticket",
                           "custom_root_fields": {"select": "tickets", "select_by_pk": "ticket"},
                           "column_config": {"title": {"custom_name": "headline"}}},
         "select_permissions": [
             {"role": "mine", "permission": {"columns": ["id", "title"],
                                             "filter": {"owner": {"_eq": "X-Hasura-User-Id"}}}},
             {"role": "open", "permission": {"columns": ["id", "state"],
                                             "filter": {"state": {"_eq": "open"}}}}]},
        {"table": {"schema": "public", "name": "missing_table"}},
    ]}], "inherited_roles": [{"role_name": "both", "role_set": ["mine", "open"]}]}


async def _engine(url: str, providers: Sequence[Any] = ()) -> tuple[GraphQLEngine, Any]:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(SQL)
    return await GraphQLEngine.build(pool, _metadata(), providers=providers), pool


async def test_custom_names_and_enum_tables(database_url: str) -> None:
    """GIVEN custom root fields, a custom type and column name, and an enum table.

    WHEN querying through the custom names and filtering on the enum
    THEN the renamed fields answer and the enum is a GraphQL enum with the table's values.
    """
    engine, pool = await _engine(database_url)
    try:
        result = await gql(engine, "{ tickets(where: {state: {_eq: open}}) { headline state } "
                                   "ticket(id: 2) { __typename headline } }")
        assert result == {"data": {"tickets": [{"headline": "a", "state": "open"}],
                                   "ticket": {"__typename": "Ticket", "headline": "b"}}}
        sdl = engine.schema_sdl("admin")
        assert "enum status_enum" in sdl
        assert '"""being worked on"""\n  open' in sdl
        assert [i["type"] for i in engine.inconsistencies] == ["table"]
    finally:
        await pool.close()


async def test_inherited_role_sees_the_union_of_its_parents(database_url: str) -> None:
    """GIVEN role "both" inherits "mine" (own tickets, title) and "open" (open tickets, state).

    WHEN it selects tickets
    THEN rows allowed by either parent come back.
    """
    engine, pool = await _engine(database_url)
    try:
        result = await gql(engine, "{ tickets(order_by: {id: asc}) { id } }", role="both",
                           user_id="u2")
        assert result == {"data": {"tickets": [{"id": 1}, {"id": 2}]}}
        assert "both" in engine.roles()
    finally:
        await pool.close()


class EchoProvider:
    """A root field provider answering ``echo(text)`` for role ``mine`` only."""

    def fields_for_role(self, role: str, metadata: Mapping[str, Any]) -> Sequence[ProvidedField]:
        if role not in ("mine", "admin"):
            return []

        async def resolve(call: FieldCall) -> bytes:
            return orjson.dumps(f"{call.arguments['text']}:{call.session.get('x-hasura-user-id')}")

        field = GraphQLField(GraphQLNonNull(GraphQLString),
                             args={"text": GraphQLArgument(GraphQLNonNull(GraphQLString))})
        return [ProvidedField("query", "echo", field, resolve)]


async def test_provider_fields_are_resolved_next_to_table_fields(database_url: str) -> None:
    """GIVEN a provider contributing a query field for one role.

    WHEN that role asks for it with a variable next to a table field, and another role asks
    THEN the provider's bytes are spliced in; the other role does not have the field.
    """
    engine, pool = await _engine(database_url, [EchoProvider()])
    try:
        ok = await gql(engine, "query($t: String!) { echo(text: $t) tickets { id } }",
                       role="mine", user_id="u1", variables={"t": "hi"})
        other = await gql(engine, '{ echo(text: "x") }', role="open")
        assert ok == {"data": {"echo": "hi:u1", "tickets": [{"id": 1}]}}
        assert other["errors"][0]["message"] == "field 'echo' not found in type: 'query_root'"
    finally:
        await pool.close()
