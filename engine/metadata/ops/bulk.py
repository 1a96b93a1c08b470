"""``bulk``: several operations in one transaction, answered with the list of their results."""

from __future__ import annotations

from typing import Any

from engine.metadata import enum_tables
from engine.metadata.context import OpContext
from engine.metadata.errors import parse_failed
from engine.metadata.ops import register


@register("bulk", apis=("metadata", "query", "v2query"))
async def bulk(ctx: OpContext, args: Any) -> list[Any]:
    """Run each operation of ``args`` in order; the first failure fails them all.

    ``null`` is an empty list: the Hasura CLI sends it when a migration has no metadata part.

    Hasura rebuilds its schema cache after each operation that changes the metadata or the
    database schema, reading the enum tables' rows then; a later data-only ``run_sql`` (an
    INSERT into an enum table) does not rebuild it, so a value it adds is only judged at the
    next rebuild (``reload_metadata``). The enum tables are read after each such operation
    followed by others, and the request's consistency check uses what the last rebuild read.
    """
    from engine.metadata.api import dispatch

    if args is None:
        return []
    if not isinstance(args, list):
        raise parse_failed("expecting a list of operations for bulk")
    base = ctx.path
    results = []
    for index, item in enumerate(args):
        before = ctx.rebuilds
        results.append(await dispatch(ctx, item, f"{base}[{index}]"))
        if ctx.rebuilds != before and index < len(args) - 1:
            ctx.enum_problems = (ctx.rebuilds,
                                 await enum_tables.problems(ctx.conn, ctx.metadata))
    return results
