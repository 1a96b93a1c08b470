"""Integer and uuid comparison values bound typed: read, and refused, as PostgreSQL does."""

from __future__ import annotations

import asyncpg
import orjson
import pytest

from engine.graphql import GraphQLEngine
from engine.graphql.params import INTEGER_CONVERTERS, TYPED_CONVERTERS, ParameterError, Params
from engine.session import Session

TEXTS = ["7", " +7 ", "-0", "\t42\n", "abc", "", "1.0", "1e3", "1_000", "0x1F", "٣", "- 1",
         "32767", "32768", "-32769", "2147483648", "-2147483648", "9223372036854775807",
         "9223372036854775808", "99999999999999999999"]


async def test_integer_parameters_read_and_refuse_text_as_postgresql(database_url: str) -> None:
    """GIVEN texts PostgreSQL reads as integers or refuses (syntax, range, other digits).

    WHEN each is converted for an int2, int4 and int8 parameter
    THEN the value is PostgreSQL's, or the error message is PostgreSQL's, word for word.
    """
    conn = await asyncpg.connect(database_url)
    try:
        for sql_type, convert in INTEGER_CONVERTERS.items():
            for text in TEXTS:
                try:
                    theirs: object = await conn.fetchval(f"SELECT ($1::text)::{sql_type}", text)
                except asyncpg.PostgresError as exc:
                    theirs = ("22P02" if "syntax" in exc.message else "22003", exc.sqlstate,
                              exc.message)
                try:
                    ours: object = convert(text)
                except ParameterError as exc:
                    expected = "22P02" if "syntax" in str(exc.message) else "22003"
                    ours = (expected, expected if exc.code == "data-exception" else exc.code,
                            exc.message)
                assert ours == theirs, (sql_type, text)
    finally:
        await conn.close()


def test_integer_parameters_take_ints_as_their_text() -> None:
    """GIVEN Python ints in and out of each integer type's range (and booleans).

    WHEN each is converted for an int2, int4 and int8 parameter
    THEN the result (or the refusal) is the one of its text.
    """
    values: list[object] = [0, 1, -1, True, False]
    for bits in (16, 32, 64):
        values += [(1 << (bits - 1)) - 1, 1 << (bits - 1), -(1 << (bits - 1)),
                   -(1 << (bits - 1)) - 1]
    for convert in INTEGER_CONVERTERS.values():
        for value in values:
            text = "true" if value is True else "false" if value is False else str(value)
            outcomes = []
            for given in (value, text):
                try:
                    outcomes.append(("value", convert(given)))
                except ParameterError as exc:
                    outcomes.append(("refused", exc.message))
            assert outcomes[0] == outcomes[1], (convert, value)


UUIDS = ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
         "A0EEBC999C0B4EF8BB6D6BB9BD380A11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
         "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11", "{a0eebc999c0b4ef8bb6d6bb9bd380a11",
         "a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
         "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
         "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
         "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-", ""]


async def test_uuid_parameters_read_and_refuse_text_as_postgresql(database_url: str) -> None:
    """GIVEN texts PostgreSQL reads as uuids (hyphens, braces, case) or refuses.

    WHEN each is converted for a uuid parameter
    THEN the value is PostgreSQL's, or the error message is PostgreSQL's, word for word.
    """
    conn = await asyncpg.connect(database_url)
    try:
        for text in UUIDS:
            try:
                theirs: object = await conn.fetchval("SELECT ($1::text)::uuid", text)
            except asyncpg.InvalidTextRepresentationError as exc:
                theirs = exc.message
            try:
                ours: object = TYPED_CONVERTERS["uuid"](text)
            except ParameterError as exc:
                ours = exc.message
            assert ours == theirs, text
    finally:
        await conn.close()


def test_integer_comparands_are_typed_unless_turned_off() -> None:
    """GIVEN a builder WHEN an int or uuid value is compared THEN typed; off, the text cast."""
    params = Params()
    assert params.comparand(1, "int4") == "$1::int4"
    assert params.session_comparand("x-hasura-user-id", "int8") == "$2::int8"
    assert params.comparand(1, "numeric") == "($3::text)::numeric"
    assert params.comparand("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "uuid") == "$4::uuid"
    params.typed_values = False
    assert params.comparand(1, "int4") == "($5::text)::int4"
    assert params.session_comparand("x-hasura-user-id", "uuid") == "($6::text)::uuid"


@pytest.mark.parametrize("user_id", ["abc", "99999999999"])
async def test_bad_session_integer_is_refused_with_postgresql_message(
        blog_engine: GraphQLEngine, user_id: str) -> None:
    """GIVEN the user role's filter ``author_id = X-Hasura-User-Id`` (an int4 column).

    WHEN the session's user id is not an integer PostgreSQL reads
    THEN the answer is PostgreSQL's data exception, as before the value was typed.
    """
    session = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": user_id})
    body = orjson.loads(await blog_engine.execute({"query": "{ article { id } }"}, session, {}))
    assert "data" not in body
    name = "integer"
    message = f'invalid input syntax for type {name}: "{user_id}"' if user_id == "abc" \
        else f'value "{user_id}" is out of range for type {name}'
    assert body["errors"] == [{"message": message,
                               "extensions": {"path": "$", "code": "data-exception"}}]
