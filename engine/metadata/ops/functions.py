"""Tracking SQL functions as root fields."""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

_BOTH = ("metadata", "query")


def _function_name(args: Any) -> model.QualifiedName:
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    if "function" in args:
        return model.qualified(args["function"], "function")
    return model.qualified({"schema": args.get("schema", "public"), "name": args.get("name")},
                           "function")


@register("pg_track_function", "track_function", apis=_BOTH)
async def track_function(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Track a function (``{function, configuration?}`` or v1 ``{schema, name}``)."""
    name = _function_name(args)
    source = ctx.source(args)
    functions = source.setdefault("functions", [])
    if any(model.qualified(f["function"], "function") == name for f in functions):
        raise MetadataError(f"function already tracked: \"{model.show(name)}\"",
                            "already-tracked")
    if model.key(name) not in (await ctx.catalog()).functions:
        raise not_exists(f"no such function exists: \"{model.show(name)}\"")
    if model.find_table(source, name) is not None:
        raise MetadataError(f"table with name \"{model.show(name)}\" already exists",
                            "not-supported", path="$.args")
    entry: dict[str, Any] = {"function": name}
    if isinstance(args.get("configuration"), dict) and args["configuration"]:
        entry["configuration"] = args["configuration"]
    functions.append(entry)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_untrack_function", "untrack_function", apis=_BOTH)
async def untrack_function(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Stop tracking a function."""
    name = _function_name(args)
    source = ctx.source(args)
    functions = source.get("functions", [])
    kept = [f for f in functions if model.qualified(f["function"], "function") != name]
    if len(kept) == len(functions):
        raise not_exists(f"function not tracked: \"{model.show(name)}\"")
    source["functions"] = kept
    model.drop_empty(source, "functions")
    ctx.mark_changed()
    return dict(SUCCESS)
