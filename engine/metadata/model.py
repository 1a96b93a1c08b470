"""Helpers over the in-memory metadata: Hasura's v3 export JSON, kept as plain dicts.

The model is the JSON itself (``{"version": 3, "sources": [...], ...}``) so that export,
storage and the GraphQL schema builder all read one shape. Table and function names are
normalised to ``{"schema", "name"}`` when they enter it.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.metadata.errors import not_exists, parse_failed

DEFAULT_SOURCE = "default"
Metadata = dict[str, Any]
QualifiedName = dict[str, str]

RELATIONSHIP_KINDS = ("object_relationships", "array_relationships")
PERMISSION_KINDS = ("insert", "select", "update", "delete")


def default_source() -> dict[str, Any]:
    """The ``default`` source as Hasura exports it for a database given by environment."""
    return {
        "name": DEFAULT_SOURCE,
        "kind": "postgres",
        "tables": [],
        "configuration": {
            "connection_info": {
                "database_url": {"from_env": "HASURA_GRAPHQL_DATABASE_URL"},
                "isolation_level": "read-committed",
                "pool_settings": {
                    "connection_lifetime": 600, "idle_timeout": 180,
                    "max_connections": 50, "retries": 1,
                },
                "use_prepared_statements": True,
            }
        },
    }


def empty_metadata() -> Metadata:
    """Metadata with only the default source, nothing tracked."""
    return {"version": 3, "sources": [default_source()]}


def clone(metadata: Metadata) -> Metadata:
    """A deep copy (operations change a working copy, never the metadata in force)."""
    return copy.deepcopy(metadata)


def qualified(ref: Any, what: str = "table") -> QualifiedName:
    """``"name"`` or ``{"schema", "name"}`` as ``{"schema", "name"}`` (schema ``public``)."""
    if isinstance(ref, str):
        return {"schema": "public", "name": ref}
    if isinstance(ref, dict) and isinstance(ref.get("name"), str):
        schema = ref.get("schema", "public")
        if not isinstance(schema, str):
            raise parse_failed(f"the {what}'s schema must be a string")
        return {"schema": schema, "name": ref["name"]}
    raise parse_failed(f"expecting a {what} name or {{\"schema\", \"name\"}}")


def key(name: QualifiedName) -> tuple[str, str]:
    """A qualified name as a (schema, name) tuple."""
    return (name["schema"], name["name"])


def show(name: QualifiedName) -> str:
    """A qualified name as Hasura prints it (schema omitted when ``public``)."""
    if name["schema"] == "public":
        return name["name"]
    return f"{name['schema']}.{name['name']}"


def sources(metadata: Metadata) -> list[dict[str, Any]]:
    """The metadata's sources (creating the list if missing)."""
    found = metadata.setdefault("sources", [])
    assert isinstance(found, list)
    return found


def source(metadata: Metadata, name: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """The source called ``name``.

    Raises:
        MetadataError: not-exists.
    """
    for entry in sources(metadata):
        if entry.get("name") == name:
            return entry
    raise not_exists(f"source with name \"{name}\" does not exist")


def tables(source_entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A source's table entries."""
    found = source_entry.setdefault("tables", [])
    assert isinstance(found, list)
    return found


def find_table(source_entry: dict[str, Any], name: QualifiedName) -> dict[str, Any] | None:
    """The tracked table entry for ``name`` or None."""
    wanted = key(name)
    for entry in tables(source_entry):
        if key(qualified(entry["table"])) == wanted:
            return entry
    return None


def find_named(entries: list[dict[str, Any]], field: str, value: str) -> dict[str, Any] | None:
    """The first entry whose ``field`` equals ``value``."""
    for entry in entries:
        if entry.get(field) == value:
            return entry
    return None


def drop_empty(entry: dict[str, Any], *fields: str) -> None:
    """Remove list fields that became empty (Hasura omits empty lists in exports)."""
    for name in fields:
        if name in entry and not entry[name]:
            del entry[name]


def table_fields(entry: dict[str, Any]) -> set[str]:
    """Names of the relationships and computed fields of a table entry."""
    found = {rel["name"] for kind in RELATIONSHIP_KINDS for rel in entry.get(kind, [])}
    found |= {cf["name"] for cf in entry.get("computed_fields", [])}
    return found
