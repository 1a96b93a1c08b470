"""Inherited roles: a role whose permissions are the union of other roles'."""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS


@register("add_inherited_role", apis=("metadata",))
async def add_inherited_role(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add ``{role_name, role_set}``."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    name = args.get("role_name")
    role_set = args.get("role_set")
    if not isinstance(name, str) or not name:
        raise parse_failed("key \"role_name\" not found")
    if not isinstance(role_set, list) or not role_set or not all(
        isinstance(r, str) for r in role_set
    ):
        raise parse_failed("'role_set' must be a non-empty list of role names")
    if name in role_set:
        raise parse_failed(f"role \"{name}\" cannot inherit from itself")
    roles = ctx.metadata.setdefault("inherited_roles", [])
    if model.find_named(roles, "role_name", name) is not None:
        raise already_exists(f"an inherited role with name \"{name}\" already exists")
    roles.append({"role_name": name, "role_set": list(role_set)})
    ctx.mark_changed()
    return dict(SUCCESS)


@register("drop_inherited_role", apis=("metadata",))
async def drop_inherited_role(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove an inherited role."""
    name = args.get("role_name") if isinstance(args, dict) else None
    if not isinstance(name, str):
        raise parse_failed("key \"role_name\" not found")
    roles = ctx.metadata.get("inherited_roles", [])
    if model.find_named(roles, "role_name", name) is None:
        raise not_exists(f"inherited role \"{name}\" does not exist")
    ctx.metadata["inherited_roles"] = [r for r in roles if r.get("role_name") != name]
    model.drop_empty(ctx.metadata, "inherited_roles")
    ctx.mark_changed()
    return dict(SUCCESS)
