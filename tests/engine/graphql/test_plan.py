"""Plan cache keys and plan kinds, without a database."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.plan import variables_key
from engine.graphql.roots import LiteralRoot, SqlRoot
from engine.graphql.selection import used_variables
from engine.session import Session
from tests.engine.graphql.blog_catalog import blog_engine_offline

USER = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": "1"})


def test_variables_key_depends_only_on_structural_variables_and_nulls() -> None:
    """GIVEN ``limit`` shapes the SQL and ``id`` is only bound.

    WHEN keys are computed
    THEN another ``id`` shares the key, another ``limit`` does not, and a variable turning
    null changes it (null can change the SQL).
    """
    structural = frozenset({"limit"})
    base = variables_key(structural, {"limit": 1, "id": 1})
    assert variables_key(structural, {"limit": 1, "id": 2}) == base
    assert variables_key(structural, {"limit": 2, "id": 1}) != base
    assert variables_key(structural, {"limit": 1, "id": None}) != base


def test_variables_key_ignores_object_key_order() -> None:
    """GIVEN a structural object variable WHEN its keys come in another order THEN same key."""
    structural = frozenset({"where"})
    assert variables_key(structural, {"where": {"a": 1, "b": 2}}) == variables_key(
        structural, {"where": {"b": 2, "a": 1}})


def test_prepare_reuses_the_plan_for_other_bound_values() -> None:
    """GIVEN a query whose variable is only bound.

    WHEN prepared with two values
    THEN one plan serves both.
    """
    engine = blog_engine_offline()
    query = "query($id: Int!) { article(where: {id: {_eq: $id}}) { id } }"
    first = engine.prepare({"query": query, "variables": {"id": 1}}, USER, {})
    second = engine.prepare({"query": query, "variables": {"id": 2}}, USER, {})
    assert first.plan is second.plan
    assert second.variables == {"id": 2}


def test_prepare_compiles_again_when_a_structural_variable_changes() -> None:
    """GIVEN ``limit`` from a variable WHEN prepared with two limits THEN two plans."""
    engine = blog_engine_offline()
    query = "query($n: Int) { article(limit: $n) { id } }"
    one = engine.prepare({"query": query, "variables": {"n": 1}}, USER, {})
    two = engine.prepare({"query": query, "variables": {"n": 2}}, USER, {})
    assert one.plan is not two.plan
    first, second = one.plan.roots[0], two.plan.roots[0]
    assert isinstance(first, SqlRoot)
    assert isinstance(second, SqlRoot)
    assert first.sql.endswith("LIMIT 1) _s")
    assert second.sql.endswith("LIMIT 2) _s")


def test_prepare_root_typename_needs_no_database() -> None:
    """GIVEN only ``__typename`` WHEN prepared THEN a literal root and no database needed."""
    engine = blog_engine_offline()
    prepared = engine.prepare({"query": "{ __typename }"}, USER, {})
    root = prepared.plan.roots[0]
    assert isinstance(root, LiteralRoot)
    assert root.value == b'"query_root"'
    assert not prepared.plan.needs_database


def test_prepare_walks_an_operations_variables_once_per_document(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a cached document of two operations.

    WHEN each is prepared several times, once with a variable it does not use
    THEN each operation's syntax is walked once, and the stray variable is still refused.
    """
    walked: list[str | None] = []

    def counting(op: OperationDefinitionNode, fragments: Any) -> frozenset[str]:
        walked.append(op.name.value if op.name else None)
        return used_variables(op, fragments)

    monkeypatch.setattr("engine.graphql.engine.used_variables", counting)
    engine = blog_engine_offline()
    query = ("query One($id: Int!) { article(where: {id: {_eq: $id}}) { id } } "
             "query Two { article { id } }")
    for _ in range(3):
        engine.prepare({"query": query, "operationName": "One", "variables": {"id": 1}},
                       USER, {})
        engine.prepare({"query": query, "operationName": "Two"}, USER, {})
    with pytest.raises(GraphQLFieldError, match="unexpected variables in variableValues: id"):
        engine.prepare({"query": query, "operationName": "Two", "variables": {"id": 1}},
                       USER, {})
    assert walked == ["One", "Two"]
