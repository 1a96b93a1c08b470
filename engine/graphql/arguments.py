"""Reading a root field's scalar arguments the way Hasura validates them."""

from __future__ import annotations

from typing import Any

from engine.graphql.errors import validation
from engine.graphql.values import Values


def int_arg(values: Values, args: dict[str, Any], name: str, path: str) -> int | None:
    """A non-negative 32-bit Int argument (``limit``, ``offset``, ``batch_size``)."""
    raw = args.get(name)
    value = values.concrete(raw)
    if value is None:
        return None
    if name == "offset" and isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # Hasura reads a numeric string as an offset
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a string" if isinstance(value, str) else "a value"
        raise validation(
            f"expected a non-negative 32-bit integer for type 'Int', but found {kind}",
            f"{path}.args.{name}")
    if value < 0 or value > 2**31 - 1:
        raise validation(
            "expected a non-negative 32-bit integer for type 'Int', but found an integer",
            f"{path}.args.{name}")
    return int(value)
