"""Computed fields: SQL functions of a table row, shown as fields of the table's type."""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

_BOTH = ("metadata", "query")


@register("pg_add_computed_field", "add_computed_field", apis=_BOTH)
async def add_computed_field(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add ``{name, definition: {function, table_argument?, session_argument?}}`` to a table."""
    entry = ctx.table(args)
    name = args.get("name")
    definition = args.get("definition")
    if not isinstance(name, str) or not name:
        raise parse_failed("key \"name\" not found")
    if not isinstance(definition, dict) or "function" not in definition:
        raise parse_failed("'definition' needs a 'function'")
    table_name = model.qualified(entry["table"])
    if name in model.table_fields(entry) or name in (await ctx.catalog()).columns(
        model.key(table_name)
    ):
        raise already_exists(
            f"field with name \"{name}\" already exists in table \"{model.show(table_name)}\"")
    function = model.qualified(definition["function"], "function")
    if model.key(function) not in (await ctx.catalog()).functions:
        raise not_exists(f"no such function exists: \"{model.show(function)}\"")
    field: dict[str, Any] = {"name": name, "definition": {**definition, "function": function}}
    if args.get("comment") is not None:
        field["comment"] = args["comment"]
    entry.setdefault("computed_fields", []).append(field)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_drop_computed_field", "drop_computed_field", apis=_BOTH)
async def drop_computed_field(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove a computed field."""
    entry = ctx.table(args)
    name = args.get("name")
    if model.find_named(entry.get("computed_fields", []), "name", name) is None:
        raise not_exists(f"computed field \"{name}\" does not exist")
    entry["computed_fields"] = [f for f in entry["computed_fields"] if f.get("name") != name]
    model.drop_empty(entry, "computed_fields")
    ctx.mark_changed()
    return dict(SUCCESS)
