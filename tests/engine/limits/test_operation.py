"""Depth and node counting on the syntax tree, and the checks built on them (no database)."""

from __future__ import annotations

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from engine.graphql.errors import GraphQLFieldError
from engine.limits import ApiLimits, RoleLimits, measure_operation
from engine.limits.operation import check_batch, check_operation


def _measure(query: str) -> tuple[int, int]:
    document = parse(query)
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    frags = {d.name.value: d for d in document.definitions
             if isinstance(d, FragmentDefinitionNode)}
    return measure_operation(ops[0], frags)


@pytest.mark.parametrize(("query", "expected"), [
    ("{ crypto_assets { symbol } }", (1, 1)),
    ("{ crypto_assets { symbol prices { price asset { symbol } } } }", (3, 3)),
    ("{ a: crypto_assets { symbol } b: crypto_assets { symbol } }", (1, 2)),
    ("{ __typename }", (0, 0)),
    ("{ __schema { types { fields { type { ofType { name } } } } } }", (0, 0)),
    ("{ crypto_assets { ...F } } fragment F on crypto_assets { prices { price } }", (2, 2)),
    ("{ crypto_assets { ... on crypto_assets { prices { price } } } }", (2, 2)),
])
def test_measure_operation_counts_depth_and_nodes(query: str, expected: tuple[int, int]) -> None:
    """Measure operation counts depth and nodes.

    GIVEN an operation WHEN measured THEN depth counts nested selection sets and nodes the
    fields that have one (introspection fields not counted).
    """
    assert _measure(query) == expected


def test_measure_operation_is_linear_in_a_fragment_bomb() -> None:
    """Measure operation is linear in a fragment bomb.

    GIVEN fragments that each spread the next one twice, 30 levels deep WHEN measured THEN
    the node count is the full expansion (about 2**31) and measuring stays instant (memoised),
    so the node limit refuses it.
    """
    parts = ["query { crypto_assets { ...F0 } }"]
    for i in range(30):
        parts.append(f"fragment F{i} on crypto_prices {{ a: asset {{ ...F{i + 1} }} "
                     f"b: asset {{ ...F{i + 1} }} }}")
    parts.append("fragment F30 on crypto_assets { symbol }")
    depth, nodes = _measure("\n".join(parts))
    assert depth == 31
    assert nodes > 2**30


def _op(query: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    document = parse(query)
    op = document.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op, {}


def test_check_operation_refuses_past_the_depth_limit() -> None:
    """Check operation refuses past the depth limit.

    GIVEN depth limit 2 WHEN an operation of depth 3 is checked THEN validation-failed
    naming both numbers; depth 2 passes.
    """
    limits = RoleLimits("anonymous", depth=2)
    check_operation(limits, *_op("{ crypto_assets { prices { price } } }"))
    with pytest.raises(GraphQLFieldError) as caught:
        check_operation(limits, *_op("{ crypto_assets { prices { asset { symbol } } } }"))
    assert caught.value.code == "validation-failed"
    assert "depth (3)" in caught.value.message
    assert "limit (2)" in caught.value.message


def test_check_operation_refuses_past_the_node_limit() -> None:
    """GIVEN node limit 2 WHEN three aliased object fields are asked THEN refused."""
    limits = RoleLimits("anonymous", nodes=2)
    with pytest.raises(GraphQLFieldError) as caught:
        check_operation(limits, *_op("{ a: crypto_assets { symbol } b: crypto_assets { symbol }"
                                     " c: crypto_assets { symbol } }"))
    assert "node count (3)" in caught.value.message


def test_check_batch_refuses_past_the_batch_limit() -> None:
    """GIVEN batch limit 2 WHEN a batch of 3 is checked THEN refused; 2 passes."""
    limits = RoleLimits("anonymous", batch=2)
    check_batch(limits, 2)
    with pytest.raises(GraphQLFieldError):
        check_batch(limits, 3)


def test_api_limits_use_the_role_value_then_global_and_never_limit_admin() -> None:
    """Api limits use the role value then global and never limit admin.

    GIVEN Hasura's api_limits shape WHEN limits are read per role THEN a role's own value
    wins, others get global, admin and a disabled set get none.
    """
    document = {
        "depth_limit": {"global": 6, "per_role": {"anonymous": 4}},
        "time_limit": {"global": 10, "per_role": {"anonymous": 0.5}},
        "rate_limit": {"global": {"max_reqs_per_min": 100, "unique_params": ["X-Hasura-User-Id"]},
                       "per_role": {"anonymous": {"max_reqs_per_min": 5, "unique_params": "ip"}}},
    }
    limits = ApiLimits(document)
    anonymous, user = limits.for_role("anonymous"), limits.for_role("user")
    assert (anonymous.depth, anonymous.time_ms) == (4, 500)
    assert anonymous.rate is not None
    assert anonymous.rate.by_ip
    assert (user.depth, user.time_ms) == (6, 10000)
    assert user.rate is not None
    assert user.rate.unique_params == ("x-hasura-user-id",)
    assert limits.for_role("admin").unlimited
    assert ApiLimits({**document, "disabled": True}).for_role("anonymous").unlimited
