"""Operations on the metadata as a whole: replace, export, reload, clear, inconsistencies."""

from __future__ import annotations

from typing import Any

from engine.metadata import consistency, enum_tables, inherited_conflicts, model
from engine.metadata.context import OpContext
from engine.metadata.convert import to_v3
from engine.metadata.errors import parse_failed
from engine.metadata.ops import register
from engine.metadata.schema import check_document

_BOTH = ("metadata", "query")
SUCCESS = {"message": "success"}


@register("replace_metadata", apis=_BOTH)
async def replace_metadata(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Replace everything with ``args`` (v1/v2/v3 export JSON), or ``args.metadata`` (v2 form)."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for replace_metadata")
    wrapped = "metadata" in args and (
        "allow_inconsistent_metadata" in args or "version" not in args
    )
    document = args["metadata"] if wrapped else args
    allow = bool(args.get("allow_inconsistent_metadata", False)) if wrapped else False
    check_document(document, f"{ctx.path}.metadata" if wrapped else ctx.path)
    new = to_v3(document)
    ctx.metadata.clear()
    ctx.metadata.update(new)
    ctx.mark_changed()
    ctx.allow_inconsistent = allow
    ctx.replaced = True
    # Everything is new: any inconsistency counts, not only those added since.
    ctx.inconsistencies = []
    if not wrapped:
        return dict(SUCCESS)
    found = consistency.check(ctx.metadata, await ctx.catalog())
    return {"is_consistent": not found,
            "inconsistent_objects": [item.to_json() for item in found]}


@register("export_metadata", apis=_BOTH)
async def export_metadata(ctx: OpContext, args: Any) -> Any:
    """The metadata in force (v2 requests get it with its resource version)."""
    exported = model.clone(ctx.metadata)
    if ctx.request_version == 2:
        return {"resource_version": ctx.resource_version, "metadata": exported}
    return exported


async def _inconsistent(ctx: OpContext) -> list[consistency.Inconsistency]:
    """What is inconsistent now.

    Enum tables whose rows cannot be enum values and inherited roles whose parents' mutation
    permissions differ included.
    """
    found = consistency.check(ctx.metadata, await ctx.catalog(),
                              await enum_tables.problems(ctx.conn, ctx.metadata))
    return found + inherited_conflicts.check(ctx.metadata)


@register("reload_metadata", apis=_BOTH)
async def reload_metadata(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Re-read the database and rebuild the schema from the stored metadata.

    What the reload finds inconsistent (enum tables whose rows changed included) is reported,
    not refused: Hasura answers ``is_consistent: false`` and keeps the metadata.
    """
    ctx.reload_requested = True
    ctx.mark_database_changed()
    found = await _inconsistent(ctx)
    ctx.inconsistencies = [item.to_json() for item in found]
    result: dict[str, Any] = {"message": "success", "is_consistent": not found}
    if found:
        result["inconsistent_objects"] = [item.to_json() for item in found]
    return result


@register("clear_metadata", apis=_BOTH)
async def clear_metadata(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Forget every tracked object (the default source stays)."""
    ctx.metadata.clear()
    ctx.metadata.update(model.empty_metadata())
    ctx.mark_changed()
    ctx.replaced = True
    return dict(SUCCESS)


@register("get_inconsistent_metadata", apis=_BOTH)
async def get_inconsistent_metadata(ctx: OpContext, args: Any) -> dict[str, Any]:
    """The inconsistent objects found when the metadata was last loaded."""
    return {"is_consistent": not ctx.inconsistencies,
            "inconsistent_objects": list(ctx.inconsistencies)}


@register("drop_inconsistent_metadata", apis=_BOTH)
async def drop_inconsistent_metadata(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove every inconsistent object from the metadata."""
    found = await _inconsistent(ctx)
    if found:
        consistency.drop_all(ctx.metadata, found)
        ctx.mark_changed()
    ctx.inconsistencies = []
    return dict(SUCCESS)
