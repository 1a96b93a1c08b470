"""Metadata API operations for actions, their permissions and the custom types."""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS

CUSTOM_TYPE_KINDS = ("scalars", "enums", "input_objects", "objects")


def _args(args: Any) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    return args


def _name(args: dict[str, Any], key: str = "name") -> str:
    name = args.get(key)
    if not isinstance(name, str) or not name:
        raise parse_failed(f'key "{key}" not found')
    return name


def _definition(args: dict[str, Any]) -> dict[str, Any]:
    definition = args.get("definition")
    if not isinstance(definition, dict):
        raise parse_failed('key "definition" not found')
    if not isinstance(definition.get("handler"), str) or not definition["handler"]:
        raise parse_failed('key "handler" not found in the action definition')
    if not isinstance(definition.get("output_type"), str):
        raise parse_failed('key "output_type" not found in the action definition')
    return dict(definition)


def _action(ctx: OpContext, name: str) -> dict[str, Any]:
    found = model.find_named(ctx.metadata.get("actions", []), "name", name)
    if found is None:
        raise not_exists(f'action "{name}" does not exist')
    return found


@register("create_action", apis=("metadata", "query"))
async def create_action(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add ``{name, definition, comment}``."""
    args = _args(args)
    name = _name(args)
    actions = ctx.metadata.setdefault("actions", [])
    if model.find_named(actions, "name", name) is not None:
        raise already_exists(f'action "{name}" already exists')
    entry: dict[str, Any] = {"name": name, "definition": _definition(args)}
    if args.get("comment") is not None:
        entry["comment"] = args["comment"]
    actions.append(entry)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("update_action", apis=("metadata", "query"))
async def update_action(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Replace an action's definition (and comment), keeping its permissions."""
    args = _args(args)
    entry = _action(ctx, _name(args))
    entry["definition"] = _definition(args)
    if "comment" in args:
        entry["comment"] = args["comment"]
    ctx.mark_changed()
    return dict(SUCCESS)


@register("drop_action", apis=("metadata", "query"))
async def drop_action(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove an action (``clear_data`` is accepted; the log keeps past calls)."""
    name = _name(_args(args))
    _action(ctx, name)
    ctx.metadata["actions"] = [a for a in ctx.metadata["actions"] if a.get("name") != name]
    model.drop_empty(ctx.metadata, "actions")
    ctx.mark_changed()
    return dict(SUCCESS)


@register("create_action_permission", apis=("metadata", "query"))
async def create_action_permission(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Let ``role`` run ``action``."""
    args = _args(args)
    entry = _action(ctx, _name(args, "action"))
    role = _name(args, "role")
    permissions = entry.setdefault("permissions", [])
    if model.find_named(permissions, "role", role) is not None:
        raise already_exists(f'permission for role "{role}" is already defined on '
                             f'"{entry["name"]}"')
    permission: dict[str, Any] = {"role": role}
    if args.get("comment") is not None:
        permission["comment"] = args["comment"]
    permissions.append(permission)
    ctx.mark_changed()
    return dict(SUCCESS)


@register("drop_action_permission", apis=("metadata", "query"))
async def drop_action_permission(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Stop ``role`` from running ``action``."""
    args = _args(args)
    entry = _action(ctx, _name(args, "action"))
    role = _name(args, "role")
    permissions = entry.get("permissions", [])
    if model.find_named(permissions, "role", role) is None:
        raise not_exists(f'permission for role "{role}" does not exist on "{entry["name"]}"')
    entry["permissions"] = [p for p in permissions if p.get("role") != role]
    model.drop_empty(entry, "permissions")
    ctx.mark_changed()
    return dict(SUCCESS)


@register("set_custom_types", apis=("metadata", "query"))
async def set_custom_types(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Replace every custom type (scalars, enums, input objects, objects)."""
    args = _args(args)
    custom: dict[str, Any] = {}
    for kind in CUSTOM_TYPE_KINDS:
        value = args.get(kind) or []
        if not isinstance(value, list):
            raise parse_failed(f'"{kind}" must be a list')
        if value:
            custom[kind] = value
    ctx.metadata["custom_types"] = custom
    model.drop_empty(ctx.metadata, "custom_types")
    ctx.mark_changed()
    return dict(SUCCESS)
