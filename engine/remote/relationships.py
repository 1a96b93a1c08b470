"""Remote relationships from tables to remote schema fields, read from the metadata.

Hasura's v3 format on a table (``remote_relationships``)::

    - name: credit_history
      definition:
        to_remote_schema:
          remote_schema: credit_history
          lhs_fields: [national_id]
          remote_field:
            credit_history:               # the remote's own field names
              arguments: {national_id: $national_id}

The older form (``definition: {remote_schema, hasura_fields, remote_field}``) is read too.
``remote_field`` may nest (``{a: {arguments: {}, field: {b: {arguments: {...}}}}}``); the
relationship's value is the innermost field's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.graphql.model import qualified


class RemoteRelationshipError(ValueError):
    """A remote relationship's definition cannot be used."""


@dataclass(frozen=True)
class RemoteRelationship:
    """One table → remote schema relationship."""

    name: str
    table: tuple[str, str]
    remote_schema: str
    lhs_fields: tuple[str, ...]
    path: tuple[tuple[str, Mapping[str, Any]], ...]
    """(remote field name, its arguments) from the remote's root to the joined field."""
    entry: Mapping[str, Any]

    def arguments(self, depth: int, row: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of the field at ``depth`` for a row (``$column`` replaced)."""
        return {k: _substitute(v, row) for k, v in self.path[depth][1].items()}


def _substitute(value: Any, row: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:] in row:
        return row[value[1:]]
    if isinstance(value, dict):
        return {k: _substitute(v, row) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, row) for v in value]
    return value


def _path(remote_field: Any, name: str) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    current = remote_field
    while current:
        if not isinstance(current, dict) or len(current) != 1:
            raise RemoteRelationshipError(
                f"remote relationship {name!r}: remote_field must name exactly one field")
        fname, spec = next(iter(current.items()))
        spec = spec or {}
        out.append((str(fname), dict(spec.get("arguments") or {})))
        current = spec.get("field")
    if not out:
        raise RemoteRelationshipError(f"remote relationship {name!r}: remote_field is empty")
    return tuple(out)


def read_relationship(table: tuple[str, str], entry: Mapping[str, Any]) -> RemoteRelationship:
    """The typed form of one ``remote_relationships`` entry of ``table``.

    Raises:
        RemoteRelationshipError: the entry is not a remote-schema relationship Hasura reads.
    """
    name = str(entry.get("name") or "")
    definition = entry.get("definition") or {}
    target = definition.get("to_remote_schema")
    if target is not None:
        lhs = target.get("lhs_fields") or []
    else:
        target, lhs = definition, definition.get("hasura_fields") or []
    schema = target.get("remote_schema")
    if not name or not isinstance(schema, str) or not lhs:
        raise RemoteRelationshipError(
            f"remote relationship {name!r} on {table[1]}: remote_schema and lhs_fields are "
            "required (only relationships to remote schemas are supported)")
    return RemoteRelationship(name, table, schema, tuple(str(c) for c in lhs),
                              _path(target.get("remote_field"), name), entry)


def table_relationships(metadata: Mapping[str, Any]) -> Iterator[
        tuple[tuple[str, str], Mapping[str, Any]]]:
    """Every (table, remote relationship entry) of the metadata's ``default``-style sources."""
    for source in metadata.get("sources") or ():
        for table in source.get("tables") or ():
            for entry in table.get("remote_relationships") or ():
                yield qualified(table.get("table")), entry
