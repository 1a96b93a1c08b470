"""Tracking tables and customising how they appear in the GraphQL schema."""

from __future__ import annotations

from typing import Any

from engine.metadata import consistency, model
from engine.metadata.context import OpContext
from engine.metadata.convert import normalise_configuration
from engine.metadata.dbcatalog import DbCatalog
from engine.metadata.errors import MetadataError, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

_BOTH = ("metadata", "query")


@register("pg_track_table", "track_table", "add_existing_table_or_view", apis=_BOTH)
async def track_table(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Track a table or view (``{table, configuration?, is_enum?}`` or v1 ``{schema, name}``)."""
    name = ctx.table_name(args)
    source = ctx.source(args)
    if isinstance(args, str):
        args = {"table": args}
    if model.find_table(source, name) is not None:
        raise MetadataError(f"view/table already tracked: \"{model.show(name)}\"",
                            "already-tracked")
    if any(model.qualified(f["function"], "function") == name
           for f in source.get("functions") or []):
        raise MetadataError(f"function with name \"{model.show(name)}\" already exists",
                            "not-supported", path="$.args")
    if not (await ctx.catalog()).has_table(model.key(name)):
        raise not_exists(f"no such table/view exists in source: \"{model.show(name)}\"")
    entry: dict[str, Any] = {"table": name}
    configuration = args.get("configuration")
    if isinstance(configuration, dict) and configuration:
        entry["configuration"] = normalise_configuration(configuration)
    if args.get("is_enum"):
        entry["is_enum"] = True
    model.tables(source).append(entry)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("pg_untrack_table", "untrack_table", apis=_BOTH)
async def untrack_table(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Stop tracking a table; ``cascade`` also drops relationships other tables have to it."""
    name = ctx.table_name(args)
    source = ctx.source(args)
    entry = model.find_table(source, name)
    if entry is None:
        raise MetadataError(f"view/table already untracked: \"{model.show(name)}\"",
                            "already-untracked", path="$.args")
    source_name = source.get("name", model.DEFAULT_SOURCE)
    catalog = await ctx.catalog()
    dependents = consistency.dependents_of_tables(ctx.metadata, {model.key(name)}, catalog)
    if dependents and not args.get("cascade"):
        raise MetadataError(
            "cannot drop due to the following dependent objects: "
            + ", ".join(f'{d} in source "{source_name}"' for d in dependents),
            "dependency-error", path="$.args")
    source["tables"] = [t for t in model.tables(source) if t is not entry]
    if dependents:
        _drop_relationships_to(ctx.metadata, {model.key(name)}, catalog)
    ctx.mark_changed()
    return dict(SUCCESS)


def _drop_relationships_to(metadata: model.Metadata, gone: set[tuple[str, str]],
                           catalog: DbCatalog) -> None:
    for source in model.sources(metadata):
        for table in model.tables(source):
            qn = model.qualified(table["table"])
            for kind in model.RELATIONSHIP_KINDS:
                kept = [rel for rel in table.get(kind, [])
                        if consistency.relationship_target(qn, rel, catalog) not in gone]
                if kind in table:
                    table[kind] = kept
                    model.drop_empty(table, kind)


@register("pg_set_table_customization", "set_table_customization", apis=_BOTH)
async def set_table_customization(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Replace a table's ``configuration`` (custom name, root fields, column names)."""
    entry = ctx.table(args)
    configuration = args.get("configuration", {})
    if not isinstance(configuration, dict):
        raise parse_failed("'configuration' must be an object")
    _set_configuration(entry, configuration)
    ctx.whole_table = True
    ctx.mark_changed()
    return dict(SUCCESS)


@register("set_table_custom_fields", "pg_set_table_custom_fields", apis=_BOTH)
async def set_table_custom_fields(ctx: OpContext, args: Any) -> dict[str, Any]:
    """The v1 form: ``custom_root_fields`` and ``custom_column_names``."""
    entry = ctx.table(args)
    configuration = dict(entry.get("configuration") or {})
    configuration["custom_root_fields"] = args.get("custom_root_fields") or {}
    configuration["custom_column_names"] = args.get("custom_column_names") or {}
    configuration.pop("column_config", None)
    _set_configuration(entry, configuration)
    ctx.whole_table = True
    ctx.mark_changed()
    return dict(SUCCESS)


def _set_configuration(entry: dict[str, Any], configuration: dict[str, Any]) -> None:
    """Replace the table's configuration (callers mark the context ``whole_table``)."""
    normalised = normalise_configuration(configuration)
    if any(normalised.values()):
        entry["configuration"] = normalised
    else:
        entry.pop("configuration", None)


@register("pg_set_table_is_enum", "set_table_is_enum", apis=_BOTH)
async def set_table_is_enum(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Mark a table as an enum table (its rows become a GraphQL enum) or unmark it."""
    entry = ctx.table(args)
    is_enum = args.get("is_enum")
    if not isinstance(is_enum, bool):
        raise parse_failed("'is_enum' must be a boolean")
    if is_enum:
        entry["is_enum"] = True
    else:
        entry.pop("is_enum", None)
    ctx.mark_changed()
    return dict(SUCCESS)
