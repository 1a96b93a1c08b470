"""``bulk``: several operations in one transaction, answered with the list of their results."""

from __future__ import annotations

from typing import Any

from engine.metadata.context import OpContext
from engine.metadata.errors import parse_failed
from engine.metadata.ops import register


@register("bulk", apis=("metadata", "query", "v2query"))
async def bulk(ctx: OpContext, args: Any) -> list[Any]:
    """Run each operation of ``args`` in order; the first failure fails them all.

    ``null`` is an empty list: the Hasura CLI sends it when a migration has no metadata part.
    """
    from engine.metadata.api import dispatch

    if args is None:
        return []
    if not isinstance(args, list):
        raise parse_failed("expecting a list of operations for bulk")
    base = ctx.path
    return [await dispatch(ctx, item, f"{base}[{index}]") for index, item in enumerate(args)]
