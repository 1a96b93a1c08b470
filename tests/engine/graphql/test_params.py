"""Parameter sources and binding, without a database (the compiler's bound values)."""

from __future__ import annotations

import pytest

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.params import Params, Source, bind, to_array_text, to_text, to_text_list
from engine.graphql.values import VarRef


def test_params_constant_variable_and_session_sources_are_numbered_in_order() -> None:
    """GIVEN a builder.

    WHEN a constant, a variable and a session variable are added
    THEN each gets the next placeholder and records where its value comes from.
    """
    params = Params()
    assert params.add(5) == "$1"
    assert params.add(VarRef("limit", 10)) == "$2"
    assert params.session("X-Hasura-User-Id") == "$3"
    assert [(s.kind, s.value) for s in params.sources] == [
        ("const", "5"), ("var", "limit"), ("session", "x-hasura-user-id")]


def test_params_text_casts_through_text_and_money_through_numeric() -> None:
    """GIVEN a value for a typed column WHEN it is bound THEN it is read as text, then cast."""
    params = Params()
    assert params.text(1, "int4") == "($1::text)::int4"
    assert params.text("1.5", "money") == "(($2::text)::numeric)::money"


def test_params_session_json_is_one_json_placeholder() -> None:
    """GIVEN a computed field taking the session WHEN it is bound THEN one json parameter."""
    params = Params()
    assert params.session_json() == "($1::text)::json"
    assert params.sources[0].kind == "session_json"


def test_bind_reads_variables_and_session_at_execution_time() -> None:
    """GIVEN one compiled list of sources.

    WHEN bound with two requests' values
    THEN each execution gets its own values and constants stay.
    """
    sources = [Source("const", "x"), Source("var", "id"), Source("session", "x-hasura-user-id")]
    assert bind(sources, {"id": 1}, {"x-hasura-user-id": "7"}) == ["x", "1", "7"]
    assert bind(sources, {"id": None}, {"x-hasura-user-id": "8"}) == ["x", None, "8"]


def test_bind_uses_each_sources_converter() -> None:
    """GIVEN list-valued variables WHEN bound THEN ``_in`` lists and array columns convert."""
    sources = [Source("var", "ids", to_text_list), Source("var", "tags", to_array_text)]
    assert bind(sources, {"ids": [1, True], "tags": ['a"b', None]}, {}) == [
        ["1", "true"], '{"a\\"b",NULL}']


def test_bind_session_json_holds_every_session_variable() -> None:
    """GIVEN a session_json source WHEN bound THEN the whole session as JSON text."""
    out = bind([Source("session_json", None)], {}, {"x-hasura-role": "user"})
    assert out == ['{"x-hasura-role":"user"}']


def test_bind_missing_session_variable_is_hasuras_not_found_error() -> None:
    """GIVEN a permission on X-Hasura-User-Id WHEN the session lacks it THEN not-found."""
    with pytest.raises(GraphQLFieldError) as caught:
        bind([Source("session", "x-hasura-user-id")], {}, {"x-hasura-role": "user"})
    assert caught.value.code == "not-found"
    assert caught.value.message == 'missing session variable: "x-hasura-user-id"'


@pytest.mark.parametrize(("value", "text"), [
    (None, None), (True, "true"), (3, "3"), ("s", "s"), (0.5, "0.5"), (1e-30, "1.0e-30"),
    (12345678.0, "1.2345678e7"), ({"a": 1}, '{"a":1}')])
def test_to_text_spells_values_as_postgresql_reads_them(value: object, text: str | None) -> None:
    """GIVEN a JSON value WHEN converted for a scalar column THEN PostgreSQL's spelling."""
    assert to_text(value) == text
