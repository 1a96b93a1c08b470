"""Metadata API operations of remote schemas, their permissions and remote relationships.

``add_remote_schema`` and ``update_remote_schema`` introspect the remote first and fail
(``remote-schema-error``) when it does not answer; a remote that goes away later is
reported in the metadata's inconsistencies instead, and the rest of the schema is served.
"""

from __future__ import annotations

from typing import Any

from engine.graphql.errors import GraphQLFieldError
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, already_exists, not_exists, parse_failed
from engine.metadata.ops import register
from engine.remote.client import introspect_remote
from engine.remote.config import RemoteSchemaConfigError, read_remote_schema
from engine.remote.permissions import RemotePermissionError, parse_role_schema
from engine.remote.relationships import RemoteRelationshipError, read_relationship

SUCCESS = {"message": "success"}


def _provider() -> Any:
    from engine.remote import PROVIDER  # the package registers this module: import late

    return PROVIDER


def _name(args: Any, key: str = "name") -> str:
    if not isinstance(args, dict) or not isinstance(args.get(key), str):
        raise parse_failed(f"key \"{key}\" not found")
    return str(args[key])


def _schemas(ctx: OpContext) -> list[dict[str, Any]]:
    found = ctx.metadata.setdefault("remote_schemas", [])
    assert isinstance(found, list)
    return found


def _find(ctx: OpContext, name: str) -> dict[str, Any]:
    for entry in _schemas(ctx):
        if entry.get("name") == name:
            return entry
    raise not_exists(f"remote schema with name \"{name}\" does not exist")


async def _introspect(entry: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    try:
        definition = read_remote_schema(entry)
        return await introspect_remote(_provider().http(), definition)
    except RemoteSchemaConfigError as exc:
        raise MetadataError(str(exc), "invalid-params") from None
    except GraphQLFieldError as exc:
        raise MetadataError(exc.message, "remote-schema-error") from None


@register("add_remote_schema")
async def add_remote_schema(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add a remote schema (its server must answer introspection now)."""
    name = _name(args)
    if any(e.get("name") == name for e in _schemas(ctx)):
        raise already_exists(f"remote schema with name \"{name}\" already exists")
    entry = {k: args[k] for k in ("name", "definition", "comment") if args.get(k) is not None}
    await _introspect(entry)
    _provider().stale.add(name)
    _schemas(ctx).append(entry)
    ctx.mark_changed()
    return SUCCESS


@register("update_remote_schema")
async def update_remote_schema(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Change a remote schema's definition (its permissions and relationships stay)."""
    entry = _find(ctx, _name(args))
    updated = {**entry, "definition": args.get("definition") or {}}
    if args.get("comment") is not None:
        updated["comment"] = args["comment"]
    await _introspect(updated)
    entry.clear()
    entry.update(updated)
    _provider().stale.add(entry["name"])
    ctx.mark_changed()
    return SUCCESS


@register("remove_remote_schema")
async def remove_remote_schema(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove a remote schema (refused while a remote relationship uses it)."""
    name = _name(args)
    entry = _find(ctx, name)
    for source in ctx.metadata.get("sources") or ():
        for table in source.get("tables") or ():
            for rel in table.get("remote_relationships") or ():
                definition = rel.get("definition") or {}
                target = definition.get("to_remote_schema") or definition
                if target.get("remote_schema") == name:
                    raise MetadataError(
                        f"cannot drop due to the following dependent objects : remote "
                        f"relationship {rel.get('name')}", "dependency-error")
    _schemas(ctx).remove(entry)
    if not _schemas(ctx):
        del ctx.metadata["remote_schemas"]
    ctx.mark_changed()
    return SUCCESS


@register("reload_remote_schema")
async def reload_remote_schema(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Introspect a remote schema again (its server's schema changed)."""
    name = _name(args)
    _find(ctx, name)
    _provider().stale.add(name)
    ctx.invalidated_remote_schemas.add(name)
    ctx.reload_requested = True
    return SUCCESS


@register("introspect_remote_schema")
async def introspect_remote_schema(ctx: OpContext, args: Any) -> dict[str, Any]:
    """The remote's introspection answer, as its server gives it now."""
    _, answer = await _introspect(_find(ctx, _name(args)))
    return {"data": answer}


@register("add_remote_schema_permissions")
async def add_remote_schema_permissions(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Give a role a part of a remote schema (SDL, with ``@preset`` arguments)."""
    entry = _find(ctx, _name(args, "remote_schema"))
    role = _name(args, "role")
    sdl = (args.get("definition") or {}).get("schema")
    if not isinstance(sdl, str):
        raise parse_failed("key \"schema\" not found in definition")
    perms = entry.setdefault("permissions", [])
    if any(p.get("role") == role for p in perms):
        raise already_exists(f"permissions for role \"{role}\" already exist on the remote "
                             f"schema \"{entry['name']}\"")
    schema, _ = await _introspect(entry)
    try:
        parse_role_schema(sdl, schema)
    except RemotePermissionError as exc:
        raise MetadataError(str(exc), "validation-failed") from None
    perm: dict[str, Any] = {"role": role, "definition": {"schema": sdl}}
    if args.get("comment") is not None:
        perm["comment"] = args["comment"]
    perms.append(perm)
    ctx.mark_changed()
    return SUCCESS


@register("drop_remote_schema_permissions")
async def drop_remote_schema_permissions(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Take a role's permission on a remote schema away."""
    entry = _find(ctx, _name(args, "remote_schema"))
    role = _name(args, "role")
    perms = [p for p in entry.get("permissions") or () if p.get("role") != role]
    if len(perms) == len(entry.get("permissions") or ()):
        raise not_exists(f"permissions for role \"{role}\" do not exist on the remote schema "
                         f"\"{entry['name']}\"")
    if perms:
        entry["permissions"] = perms
    else:
        entry.pop("permissions", None)
    ctx.mark_changed()
    return SUCCESS


def _relationship_entry(args: dict[str, Any]) -> dict[str, Any]:
    """The stored form: ``{name, definition: {to_remote_schema: {...}}}``."""
    definition = args.get("definition")
    if definition is None:
        definition = {"to_remote_schema": {"remote_schema": args.get("remote_schema"),
                                           "lhs_fields": args.get("hasura_fields"),
                                           "remote_field": args.get("remote_field")}}
    return {"name": args.get("name"), "definition": definition}


@register("create_remote_relationship", "pg_create_remote_relationship")
async def create_remote_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add a relationship from a table's columns to a remote schema field."""
    table = ctx.table(args)
    entry = _relationship_entry(args)
    rels = table.setdefault("remote_relationships", [])
    if any(r.get("name") == entry["name"] for r in rels):
        raise already_exists(f"remote relationship \"{entry['name']}\" already exists")
    _check_relationship(ctx, table, entry)
    rels.append(entry)
    ctx.mark_changed()
    return SUCCESS


@register("update_remote_relationship", "pg_update_remote_relationship")
async def update_remote_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Redefine a remote relationship."""
    table = ctx.table(args)
    entry = _relationship_entry(args)
    rels = table.get("remote_relationships") or []
    index = next((i for i, r in enumerate(rels) if r.get("name") == entry["name"]), None)
    if index is None:
        raise not_exists(f"remote relationship \"{entry['name']}\" does not exist")
    _check_relationship(ctx, table, entry)
    rels[index] = entry
    ctx.mark_changed()
    return SUCCESS


@register("delete_remote_relationship", "pg_delete_remote_relationship")
async def delete_remote_relationship(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove a remote relationship."""
    table = ctx.table(args)
    name = _name(args)
    rels = [r for r in table.get("remote_relationships") or () if r.get("name") != name]
    if len(rels) == len(table.get("remote_relationships") or ()):
        raise not_exists(f"remote relationship \"{name}\" does not exist")
    if rels:
        table["remote_relationships"] = rels
    else:
        table.pop("remote_relationships", None)
    ctx.mark_changed()
    return SUCCESS


def _check_relationship(ctx: OpContext, table: dict[str, Any], entry: dict[str, Any]) -> None:
    try:
        rel = read_relationship(("public", "t"), entry)
    except RemoteRelationshipError as exc:
        raise MetadataError(str(exc), "invalid-params") from None
    _find(ctx, rel.remote_schema)
