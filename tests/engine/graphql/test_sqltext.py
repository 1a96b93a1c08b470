"""JSON text built by concatenation: same values as json_build_object, keys escaped, no NULLs."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import orjson

from engine.graphql import EngineOptions, GraphQLEngine
from engine.graphql.sqltext import (
    PLAIN_JSON_TYPES,
    Concatenation,
    json_array,
    json_count,
    json_object,
    json_objects,
    json_string,
    json_value,
    or_null,
    split_object,
)
from engine.session import Session
from tests.engine.graphql.conftest import blog_metadata

# Values whose JSON rendering is easy to get subtly wrong: float digits, special floats,
# time zones, jsonb spacing, escapes, arrays, records, NULL.
SCALARS = [
    "1e20::float8", "0.1::float8", "'NaN'::float8", "'-Infinity'::float4", "1.50::numeric",
    "9007199254740993::bigint", "true", "NULL::int",
    "'2024-02-29 23:59:59.123456+05:30'::timestamptz", "'2024-02-29'::date",
    "'12:30'::time", "'1 day 2 hours'::interval", "'ok'::text",
    "E'q\"uo\\\\te\\n\\u0001 é ''x'''::text", """'{"b": [1, 2.50, null], "a": "x"}'::jsonb""",
    """'{ "b" : 1,  "a":2 }'::json""", "ARRAY[1, NULL, 3]", "ARRAY['a', NULL]::text[]",
    "ROW(1, 'x')", "'\\x00ff'::bytea", "'7c9e6679-7425-40de-944b-e07fc1f90ae7'::uuid",
]


async def test_json_value_renders_scalars_as_json_build_object_does(database_url: str) -> None:
    """GIVEN SQL values of many types, NULL included.

    WHEN each is rendered with ``json_value`` and with ``json_build_object``
    THEN the value's JSON text is byte for byte the same.
    """
    conn = await asyncpg.connect(database_url)
    try:
        for expr in SCALARS:
            row = await conn.fetchrow(
                f"SELECT {json_value(expr)}, json_build_object('v', {expr})::text")
            assert row is not None
            ours, theirs = row[0], row[1]
            assert theirs == '{"v" : ' + ours + "}", expr
    finally:
        await conn.close()


PLAIN_VALUES = {
    "int2": ["-32768", "0", "32767", "NULL"],
    "int4": ["-2147483648", "7", "2147483647", "NULL"],
    "int8": ["-9223372036854775808", "9007199254740993", "9223372036854775807", "NULL"],
    "bool": ["true", "false", "NULL"],
}


async def test_json_value_of_a_plain_type_skips_to_json_with_the_same_text(
        database_url: str) -> None:
    """GIVEN integers at their limits, booleans and NULLs, with their SQL type known.

    WHEN each is rendered with ``json_value(expr, type)``
    THEN the SQL casts to text instead of calling ``to_json``, and the JSON is byte for byte
    what ``to_json`` writes.
    """
    assert set(PLAIN_VALUES) == PLAIN_JSON_TYPES
    conn = await asyncpg.connect(database_url)
    try:
        for sql_type, values in PLAIN_VALUES.items():
            for value in values:
                expr = f"({value})::{sql_type}"
                assert "to_json" not in json_value(expr, sql_type)
                row = await conn.fetchrow(
                    f"SELECT {json_value(expr, sql_type)}, {json_value(expr)}")
                assert row is not None
                assert row[0] == row[1], (sql_type, value)
        counted = await conn.fetchval(
            f"SELECT {json_count('count(*)')} FROM generate_series(1, 3)")  # noqa: S608
        assert counted == "3"
    finally:
        await conn.close()


async def test_json_value_of_other_types_keeps_to_json(database_url: str) -> None:
    """GIVEN floats, numeric and oid (``to_json`` quotes NaN, infinities and oids).

    WHEN rendered with their type named THEN ``to_json`` still renders them.
    """
    conn = await asyncpg.connect(database_url)
    try:
        for expr, sql_type, expected in [("'NaN'::float8", "float8", '"NaN"'),
                                         ("'Infinity'::numeric", "numeric", '"Infinity"'),
                                         ("26::oid", "oid", '"26"')]:
            assert await conn.fetchval(f"SELECT {json_value(expr, sql_type)}") == expected
    finally:
        await conn.close()


async def test_nested_objects_are_spliced_into_one_concatenation(database_url: str) -> None:
    """GIVEN an object holding an object holding an object, and one behind a NULL test.

    WHEN the outer object is built
    THEN its SQL is one ``||`` chain through the nesting (the guarded object stays whole
    inside its CASE), and PostgreSQL returns the nested JSON.
    """
    inner = json_object([("n", json_value("'x\"y'::text")), ("i", json_value("1", "int4"))])
    middle = json_object([("inner", inner), ("t", json_string("T"))])
    guarded = or_null(f"(SELECT {json_object([('g', json_value('2', 'int4'))])} WHERE false)")
    outer = json_object([("middle", middle), ("guarded", guarded),
                         ("last", json_value("NULL::text"))])
    assert isinstance(outer, Concatenation)
    assert not any(isinstance(part, Concatenation) for part in outer.parts)
    assert """'{"middle":{"inner":{"n":'""" in outer
    assert """'},"t":"T"},"guarded":'""" in outer
    assert "|| ('{" not in outer  # no nested chain left
    conn = await asyncpg.connect(database_url)
    try:
        text = await conn.fetchval(f"SELECT {outer}")
    finally:
        await conn.close()
    assert text == '{"middle":{"inner":{"n":"x\\"y","i":1},"t":"T"},"guarded":null,"last":null}'


async def test_json_objects_leave_constant_ends_to_the_delimiter(database_url: str) -> None:
    """GIVEN objects with constant ends (quotes, backslashes), and objects of one constant.

    Row sets of zero, one and three rows.
    WHEN aggregated with ``json_objects`` (ordered, and through a subquery with
    ``split_object``)
    THEN each row's SQL leaves the constant ends out, and the arrays are the objects' JSON,
    in order, ``[]`` when there is no row.
    """
    obj = json_object([("it's \\", json_value("v.s")), ("n", json_value("v.n", "int4")),
                       ("t", json_string("T"))])
    lead, row, trail = split_object(obj)
    assert (lead, trail) == ('{"it\'s \\\\":', ',"t":"T"}')
    assert row.startswith("(coalesce(")
    assert row.endswith("'null'))")
    constant = json_object([("t", json_string("T"))])
    assert split_object(constant) == ("", constant, "")
    values = "(VALUES (2, 'b\"'), (1, NULL), (3, 'c')) v(n, s)"
    conn = await asyncpg.connect(database_url)
    try:
        cases: list[tuple[str, list[tuple[int, str | None]]]] = [
            ("false", []), ("v.n = 1", [(1, None)]), ("true", [(1, None), (2, 'b"'), (3, "c")])]
        for where, expected in cases:
            ordered = await conn.fetchval(
                f"SELECT {json_objects(obj, ' ORDER BY v.n')} "  # noqa: S608
                f"FROM {values} WHERE {where}")
            nested = await conn.fetchval(
                f"SELECT {json_array('_s.j', lead=lead, trail=trail)} FROM ("  # noqa: S608
                f"SELECT {row} AS j FROM {values} WHERE {where} ORDER BY v.n) _s")
            constants = await conn.fetchval(
                f"SELECT {json_objects(constant)} FROM {values} WHERE {where}")  # noqa: S608
            objects = [{"it's \\": text, "n": n, "t": "T"} for n, text in expected]
            assert json.loads(ordered) == json.loads(nested) == objects
            assert ordered == nested
            assert json.loads(constants) == [{"t": "T"}] * len(expected)
    finally:
        await conn.close()


async def test_json_object_escapes_keys_as_json_and_sql(database_url: str) -> None:
    """GIVEN keys holding quotes, backslashes, control and non-ASCII characters.

    WHEN objects with those keys are built, with standard_conforming_strings on and off
    THEN PostgreSQL returns valid JSON with exactly those keys and values, in order.
    """
    keys = ["plain", "it's", 'say "hi"', "back\\slash", "new\nline", "tab\t", "é€😀",
            "\\'); DROP TABLE x; --"]
    pairs: list[tuple[str, Any]] = [(k, json_value(f"{i}")) for i, k in enumerate(keys)]
    pairs.append(("__typename", json_string("it's \\ \"t\"")))
    sql = f"SELECT {json_object(pairs)}"
    conn = await asyncpg.connect(database_url)
    try:
        for setting in ("on", "off"):
            await conn.execute(f"SET standard_conforming_strings = {setting}")
            text = await conn.fetchval(sql)
            assert list(json.loads(text).items()) == [
                *((k, i) for i, k in enumerate(keys)), ("__typename", "it's \\ \"t\"")]
    finally:
        await conn.close()


async def test_json_object_and_array_are_never_null(database_url: str) -> None:
    """GIVEN an object of NULL values and an aggregate over no rows.

    WHEN both are rendered
    THEN the object holds JSON nulls, the array is ``[]``, the empty object ``{}``.
    """
    conn = await asyncpg.connect(database_url)
    try:
        nulls = json_object([("a", json_value("NULL::text")), ("b", json_value("NULL::int"))])
        obj = await conn.fetchval(f"SELECT {nulls}")
        empty = await conn.fetchval(
            f"SELECT {json_array('x::text')} FROM generate_series(1, 0) x")  # noqa: S608
        assert (obj, empty, await conn.fetchval(f"SELECT {json_object([])}")) == (
            '{"a":null,"b":null}', "[]", "{}")
    finally:
        await conn.close()


async def test_response_json_is_compact_and_keeps_selection_order(
        blog_pool: asyncpg.Pool) -> None:
    """GIVEN the blog schema.

    WHEN a query selects columns, jsonb, timestamps, relationships and aggregates
    THEN the response body is compact JSON whose keys follow the selection order.
    """
    engine = await GraphQLEngine.build(blog_pool, blog_metadata(),
                                       EngineOptions(stringify_numeric_types=True))
    query = """{ article(order_by: {id: asc}, limit: 2) { views tags __typename id
        author { name __typename articles_aggregate { aggregate { count sum { views } } } }
        } author(where: {id: {_eq: 2}}) { articles(where: {id: {_eq: 99}}) { id } } }"""
    body = await engine.execute({"query": query},
                                        Session("admin", {"x-hasura-role": "admin"}, True), {})
    author = '{"name":"Alice","__typename":"author","articles_aggregate":{"aggregate":' \
        '{"count":2,"sum":{"views":"30"}}}}'
    assert body.decode() == (
        '{"data":{"article":['
        '{"views":"10","tags":{"k": 1},"__typename":"article","id":1,"author":' + author + '},'
        '{"views":"20","tags":{"j": 2},"__typename":"article","id":2,"author":' + author + '}'
        '],"author":[{"articles":[]}]}}')
    assert orjson.loads(body)["data"]["article"][0]["author"]["name"] == "Alice"


async def test_objects_past_one_hundred_arguments_keep_selection_order(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN a selection of 120 aliased fields (more than one SQL function call can take).

    WHEN it is queried
    THEN every field comes back, in the order selected.
    """
    aliases = [f"f{119 - i}" for i in range(120)]
    query = "{ author_by_pk(id: 1) { " + " ".join(f"{a}: name" for a in aliases) + " } }"
    body = await blog_engine.execute(
        {"query": query}, Session("admin", {"x-hasura-role": "admin"}, True), {})
    assert list(orjson.loads(body)["data"]["author_by_pk"].items()) == [
        (a, "Alice") for a in aliases]
