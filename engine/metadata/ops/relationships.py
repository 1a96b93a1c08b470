"""Object and array relationships between tracked tables."""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

_BOTH = ("metadata", "query")


async def _create(ctx: OpContext, args: Any, kind: str) -> dict[str, Any]:
    entry = ctx.table(args)
    name = args.get("name")
    if not isinstance(name, str) or not name:
        raise parse_failed("key \"name\" not found")
    using = args.get("using")
    if not isinstance(using, dict) or not (
        "foreign_key_constraint_on" in using or "manual_configuration" in using
    ):
        raise parse_failed("'using' needs foreign_key_constraint_on or manual_configuration")
    using = dict(using)
    fk = using.get("foreign_key_constraint_on")
    if isinstance(fk, dict) and "table" in fk:
        using["foreign_key_constraint_on"] = {**fk, "table": model.qualified(fk["table"])}
    manual = using.get("manual_configuration")
    if isinstance(manual, dict) and "remote_table" in manual:
        using["manual_configuration"] = {
            **manual, "remote_table": model.qualified(manual["remote_table"])}
    table_name = model.qualified(entry["table"])
    columns = (await ctx.catalog()).columns(model.key(table_name))
    if name in model.table_fields(entry) or name in columns:
        raise already_exists(
            f"field with name \"{name}\" already exists in table \"{model.show(table_name)}\"")
    rel: dict[str, Any] = {"name": name, "using": using}
    if args.get("comment") is not None:
        rel["comment"] = args["comment"]
    entry.setdefault(kind, []).append(rel)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_create_object_relationship", "create_object_relationship", apis=_BOTH)
async def create_object_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add an object relationship (by foreign key or manual column mapping)."""
    return await _create(ctx, args, "object_relationships")


@register("pg_create_array_relationship", "create_array_relationship", apis=_BOTH)
async def create_array_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add an array relationship (by a remote foreign key or manual column mapping)."""
    return await _create(ctx, args, "array_relationships")


def _find(entry: dict[str, Any], name: Any) -> tuple[str, dict[str, Any]]:
    for kind in model.RELATIONSHIP_KINDS:
        for rel in entry.get(kind, []):
            if rel.get("name") == name:
                return kind, rel
    table = model.show(model.qualified(entry["table"]))
    raise not_exists(f"relationship \"{name}\" does not exist in table \"{table}\"")


@register("pg_drop_relationship", "drop_relationship", apis=_BOTH)
async def drop_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove a relationship."""
    entry = ctx.table(args)
    kind, rel = _find(entry, args.get("relationship"))
    entry[kind] = [r for r in entry[kind] if r is not rel]
    model.drop_empty(entry, kind)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_rename_relationship", "rename_relationship", apis=_BOTH)
async def rename_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Rename a relationship."""
    entry = ctx.table(args)
    _kind, rel = _find(entry, args.get("name"))
    new_name = args.get("new_name")
    if not isinstance(new_name, str) or not new_name:
        raise parse_failed("key \"new_name\" not found")
    if new_name in model.table_fields(entry):
        raise already_exists(f"field with name \"{new_name}\" already exists")
    rel["name"] = new_name
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_set_relationship_comment", "set_relationship_comment", apis=_BOTH)
async def set_relationship_comment(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Set or clear a relationship's comment."""
    entry = ctx.table(args)
    _kind, rel = _find(entry, args.get("name"))
    if args.get("comment") is None:
        rel.pop("comment", None)
    else:
        rel["comment"] = args["comment"]
    ctx.mark_changed()
    return dict(SUCCESS)
