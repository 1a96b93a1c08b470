"""Inherited roles as Hasura derives them: per-row column redaction, mutations, nesting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest

from engine.graphql import GraphQLEngine
from engine.session import Session
from tests.engine.graphql.conftest import pool_with

SQL = """
CREATE TABLE staff (id int PRIMARY KEY, name text NOT NULL, salary int NOT NULL,
                    remarks text, manager_id int NOT NULL);
INSERT INTO staff VALUES (1, 'ann', 100, 'good', 10), (2, 'bob', 200, 'late', 20),
                         (3, 'cid', 300, 'fine', 20);
CREATE FUNCTION staff_yearly(s staff) RETURNS int AS 'SELECT s.salary * 12' LANGUAGE sql STABLE;
"""

_TABLE = {"schema": "public", "name": "staff"}


def _select(columns: list[str], filter_: Any, **more: Any) -> dict[str, Any]:
    return {"columns": columns, "filter": filter_, **more}


def _metadata(*, differing_updates: bool = False) -> dict[str, Any]:
    insert = {"columns": ["id", "name", "salary", "manager_id"], "check": {}}
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": _TABLE,
         "computed_fields": [{"name": "yearly", "definition": {"function": "staff_yearly"}}],
         "select_permissions": [
             # "self" sees its own row with the salary; "boss" sees its team without it.
             {"role": "self", "permission": _select(
                 ["id", "name", "salary"], {"id": {"_eq": "X-Hasura-User-Id"}},
                 computed_fields=["yearly"])},
             {"role": "boss", "permission": _select(
                 ["id", "name", "remarks"], {"manager_id": {"_eq": "X-Hasura-Manager-Id"}},
                 allow_aggregations=True, limit=1)},
             {"role": "auditor", "permission": _select(["id", "manager_id"], {})}],
         "insert_permissions": [{"role": "self", "permission": insert},
                                {"role": "boss", "permission": insert}],
         "update_permissions": [
             {"role": "self", "permission": {"columns": ["name"], "filter": {}, "check": {}}},
             {"role": "boss", "permission": {
                 "columns": ["remarks" if differing_updates else "name"], "filter": {},
                 "check": {}}}]}]}],
        "inherited_roles": [{"role_name": "both", "role_set": ["self", "boss"]},
                            {"role_name": "everyone", "role_set": ["both", "auditor"]}]}


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the staff table."""
    async with pool_with(database_url, SQL) as created:
        yield created


async def _run(engine: GraphQLEngine, query: str, role: str = "both") -> dict[str, Any]:
    """One request as ``role`` with user 1, manager 20."""
    session_vars = {"x-hasura-role": role, "x-hasura-user-id": "1", "x-hasura-manager-id": "20"}
    body = await engine.execute({"query": query}, Session(role, session_vars, False), {})
    result: dict[str, Any] = orjson.loads(body)
    return result


async def test_inherited_role_nulls_columns_per_row(pool: asyncpg.Pool) -> None:
    """GIVEN "both" inherits "self" (row 1 with salary) and "boss" (rows 2-3 with remarks).

    WHEN it selects every column, filters and orders on a partly visible one
    THEN each value shows only in rows a parent allowing it may see, null elsewhere.
    """
    engine = await GraphQLEngine.build(pool, _metadata())
    rows = await _run(engine, "{ staff(order_by: {id: asc}) { id name salary remarks yearly } }")
    assert rows == {"data": {"staff": [
        {"id": 1, "name": "ann", "salary": 100, "remarks": None, "yearly": 1200},
        {"id": 2, "name": "bob", "salary": None, "remarks": "late", "yearly": None},
        {"id": 3, "name": "cid", "salary": None, "remarks": "fine", "yearly": None}]}}
    # A filter on a redacted column compares the value the role sees.
    filtered = await _run(engine, "{ staff(where: {salary: {_gt: 150}}) { id } }")
    assert filtered == {"data": {"staff": []}}
    ordered = await _run(engine, "{ staff(order_by: [{salary: desc_nulls_last}, {id: desc}])"
                                 " { id } }")
    assert [r["id"] for r in ordered["data"]["staff"]] == [1, 3, 2]
    # Columns no row guarantees become nullable in the role's schema.
    sdl = engine.schema_sdl("both")
    assert "  salary: Int\n" in sdl
    assert "  name: String!\n" in sdl


async def test_inherited_role_aggregates_visible_values(pool: asyncpg.Pool) -> None:
    """GIVEN "both", allowed aggregations through "boss" (limit 1; "self" has none).

    WHEN "both" and "boss" aggregate the table
    THEN count covers every visible row, sums skip hidden values, and only nodes are limited.
    """
    engine = await GraphQLEngine.build(pool, _metadata())
    result = await _run(engine, "{ staff_aggregate { aggregate { count sum { salary } } "
                                "nodes { id } } }")
    assert result == {"data": {"staff_aggregate": {
        "aggregate": {"count": 3, "sum": {"salary": 100}},
        "nodes": [{"id": 1}, {"id": 2}, {"id": 3}]}}}
    boss = await _run(engine, "{ staff_aggregate { aggregate { count } nodes { id } } }",
                      role="boss")
    assert boss == {"data": {"staff_aggregate": {"aggregate": {"count": 2},
                                                 "nodes": [{"id": 2}]}}}


async def test_inherited_role_of_an_inherited_role(pool: asyncpg.Pool) -> None:
    """GIVEN "everyone" inherits "both" (itself inherited) and "auditor" (all rows, no salary).

    WHEN it selects
    THEN the nested redaction holds: salary only in the row "self" sees.
    """
    engine = await GraphQLEngine.build(pool, _metadata())
    rows = await _run(engine, "{ staff(order_by: {id: asc}) { id salary manager_id } }",
                      role="everyone")
    assert rows == {"data": {"staff": [{"id": 1, "salary": 100, "manager_id": 10},
                                       {"id": 2, "salary": None, "manager_id": 20},
                                       {"id": 3, "salary": None, "manager_id": 20}]}}


async def test_inherited_role_mutations_need_agreeing_parents(pool: asyncpg.Pool) -> None:
    """GIVEN parents with identical insert permissions, and update permissions that agree or not.

    WHEN the inherited role mutates
    THEN it inserts; it updates only when the parents' update permissions are the same.
    """
    engine = await GraphQLEngine.build(pool, _metadata())
    inserted = await _run(engine, 'mutation { insert_staff(objects: [{id: 4, name: "dan", '
                                  "salary: 1, manager_id: 10}]) { affected_rows } "
                                  'update_staff(where: {id: {_eq: 4}}, _set: {name: "d"}) '
                                  "{ affected_rows } }")
    assert inserted == {"data": {"insert_staff": {"affected_rows": 1},
                                 "update_staff": {"affected_rows": 1}}}
    differing = await GraphQLEngine.build(pool, _metadata(differing_updates=True))
    refused = await _run(differing, 'mutation { update_staff(where: {}, _set: {name: "x"}) '
                                    "{ affected_rows } }")
    assert refused["errors"][0]["message"] == \
        "field 'update_staff' not found in type: 'mutation_root'"
