"""Insert, select, update and delete permissions per role."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.metadata_object import SUCCESS
from engine.session import ADMIN_ROLE

_BOTH = ("metadata", "query")
Handler = Callable[[OpContext, Any], Coroutine[Any, Any, dict[str, Any]]]


def _role(args: Any) -> str:
    role = args.get("role") if isinstance(args, dict) else None
    if not isinstance(role, str) or not role:
        raise parse_failed("key \"role\" not found")
    return role


def _creator(kind: str) -> Handler:
    async def create(ctx: OpContext, args: Any) -> dict[str, Any]:
        entry = ctx.table(args)
        role = _role(args)
        if role == ADMIN_ROLE:
            raise MetadataError(f"{kind} permission already defined on table "
                                f"\"{model.show(model.qualified(entry['table']))}\" "
                                "with role \"admin\"", "already-exists")
        permission = args.get("permission")
        if not isinstance(permission, dict):
            raise parse_failed("key \"permission\" not found")
        field = f"{kind}_permissions"
        if model.find_named(entry.get(field, []), "role", role) is not None:
            raise already_exists(
                f"{kind} permission already defined on table "
                f"\"{model.show(model.qualified(entry['table']))}\" with role \"{role}\"")
        perm: dict[str, Any] = {"role": role, "permission": permission}
        if args.get("comment") is not None:
            perm["comment"] = args["comment"]
        entry.setdefault(field, []).append(perm)
        ctx.mark_changed()
        return dict(SUCCESS)

    create.__doc__ = f"Add a {kind} permission for a role."
    return create


def _dropper(kind: str) -> Handler:
    async def drop(ctx: OpContext, args: Any) -> dict[str, Any]:
        entry = ctx.table(args)
        role = _role(args)
        field = f"{kind}_permissions"
        if model.find_named(entry.get(field, []), "role", role) is None:
            raise not_exists(
                f"{kind} permission does not exist on table "
                f"\"{model.show(model.qualified(entry['table']))}\" for role \"{role}\"")
        entry[field] = [p for p in entry[field] if p.get("role") != role]
        model.drop_empty(entry, field)
        ctx.mark_changed()
        return dict(SUCCESS)

    drop.__doc__ = f"Remove a role's {kind} permission."
    return drop


for _kind in model.PERMISSION_KINDS:
    register(f"pg_create_{_kind}_permission", f"create_{_kind}_permission",
             apis=_BOTH)(_creator(_kind))
    register(f"pg_drop_{_kind}_permission", f"drop_{_kind}_permission",
             apis=_BOTH)(_dropper(_kind))
