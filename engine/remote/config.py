"""A remote schema's metadata entry, read into a typed definition.

Hasura's format (``remote_schemas.yaml`` in the v3 directory, ``add_remote_schema``)::

    - name: credit_history
      definition:
        url_from_env: CREDIT_HISTORY_URL      # or url: https://...
        timeout_seconds: 10
        forward_client_headers: false
        headers: [{name: X-Api-Key, value_from_env: CREDIT_HISTORY_KEY}]
        customization: {root_fields_namespace: ..., type_names: {...}, field_names: [...]}
      permissions: [{role: user, definition: {schema: "type Query { ... }"}}]
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.actions.definitions import HeaderSpec, UnsetVariableError, resolved_headers
from engine.remote.customize import Customization

DEFAULT_TIMEOUT_SECONDS = 60.0
"""Hasura's default ``timeout_seconds`` for a remote schema."""


class RemoteSchemaConfigError(ValueError):
    """A remote schema's definition cannot be used (its message says which key)."""


@dataclass(frozen=True)
class RemoteSchemaDef:
    """One remote schema of the metadata."""

    name: str
    url: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    forward_client_headers: bool = False
    headers: tuple[HeaderSpec, ...] = ()
    customization: Customization = field(default_factory=Customization)
    permissions: Mapping[str, str] = field(default_factory=dict)
    """Role → the SDL that role may use (admin always sees the whole remote schema)."""
    entry: Mapping[str, Any] = field(default_factory=dict)
    """The metadata entry as written (reported with inconsistencies)."""

    def header_values(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The configured headers with their values (an unset variable is an error)."""
        source = os.environ if env is None else env
        try:
            return resolved_headers(self.headers, source)
        except UnsetVariableError as exc:
            raise RemoteSchemaConfigError(f"remote schema {self.name!r}: {exc}") from None


def _headers(raw: Any, name: str) -> tuple[HeaderSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RemoteSchemaConfigError(f"remote schema {name!r}: headers must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise RemoteSchemaConfigError(f"remote schema {name!r}: a header needs a name")
        out.append(HeaderSpec(item["name"], item.get("value"), item.get("value_from_env")))
    return tuple(out)


def read_remote_schema(entry: Mapping[str, Any],
                       env: Mapping[str, str] | None = None) -> RemoteSchemaDef:
    """The typed definition of one ``remote_schemas`` entry.

    Raises:
        RemoteSchemaConfigError: a required key is missing, or ``url_from_env`` names an
            unset variable.
    """
    source = os.environ if env is None else env
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise RemoteSchemaConfigError("a remote schema needs a name")
    definition = entry.get("definition")
    if not isinstance(definition, dict):
        raise RemoteSchemaConfigError(f"remote schema {name!r} has no definition")
    url = definition.get("url")
    from_env = definition.get("url_from_env")
    if url is None and from_env is None:
        raise RemoteSchemaConfigError(f"remote schema {name!r}: url or url_from_env is required")
    if url is not None and from_env is not None:
        raise RemoteSchemaConfigError(
            f"remote schema {name!r}: only one of url and url_from_env may be given")
    if from_env is not None:
        url = source.get(str(from_env))
        if not url:
            raise RemoteSchemaConfigError(
                f"environment variable {from_env!r} (url_from_env of remote schema "
                f"{name!r}) is not set")
    timeout = definition.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise RemoteSchemaConfigError(
            f"remote schema {name!r}: timeout_seconds must be a positive number")
    permissions: dict[str, str] = {}
    for perm in entry.get("permissions") or ():
        role = perm.get("role") if isinstance(perm, dict) else None
        sdl = (perm.get("definition") or {}).get("schema") if isinstance(perm, dict) else None
        if isinstance(role, str) and isinstance(sdl, str):
            permissions[role] = sdl
    return RemoteSchemaDef(
        name=name, url=str(url), timeout_seconds=float(timeout),
        forward_client_headers=bool(definition.get("forward_client_headers", False)),
        headers=_headers(definition.get("headers"), name),
        customization=Customization.from_json(definition.get("customization")),
        permissions=permissions, entry=entry)


def remote_schema_entries(metadata: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The metadata's ``remote_schemas`` list (empty when absent)."""
    found = metadata.get("remote_schemas") or []
    return [e for e in found if isinstance(e, dict)]
