"""``set_api_limits`` and ``remove_api_limits``: the metadata's ``api_limits`` object."""

from __future__ import annotations

from typing import Any

from engine.metadata.context import OpContext
from engine.metadata.errors import parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

_LIMITS = ("depth_limit", "node_limit", "time_limit", "batch_limit")


def _check(args: dict[str, Any]) -> None:
    """Hasura's shape: each limit has a ``global`` value, counts are non-negative numbers."""
    for kind in (*_LIMITS, "rate_limit"):
        limit = args.get(kind)
        if limit is None:
            continue
        if not isinstance(limit, dict) or "global" not in limit:
            raise parse_failed(f"key \"global\" not found in {kind}", f"$.args.{kind}")
        per_role = limit.get("per_role", {})
        if not isinstance(per_role, dict):
            raise parse_failed("per_role must be an object", f"$.args.{kind}.per_role")
        for role, value in [("global", limit["global"]), *per_role.items()]:
            where = f"$.args.{kind}" + (".global" if role == "global" else f".per_role.{role}")
            if kind == "rate_limit":
                if not isinstance(value, dict) or not _count(value.get("max_reqs_per_min")):
                    raise parse_failed("expecting {max_reqs_per_min, unique_params}", where)
            elif not _count(value):
                raise parse_failed("expecting a non-negative number", where)


def _count(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


@register("set_api_limits", apis=("metadata",))
async def set_api_limits(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Replace the ``api_limits`` object."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    _check(args)
    ctx.metadata["api_limits"] = {k: v for k, v in args.items() if v is not None}
    ctx.mark_changed()
    return dict(SUCCESS)


@register("remove_api_limits", apis=("metadata",))
async def remove_api_limits(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove every API limit."""
    ctx.metadata.pop("api_limits", None)
    ctx.mark_changed()
    return dict(SUCCESS)
