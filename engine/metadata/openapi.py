"""Hasura's metadata JSON schema (``metadata.openapi.json``) as a jsonschema validator.

The OpenAPI document's ``components/schemas`` hold ``Metadata`` (V1, V2, V3) and everything
they reference; the document is registered as one resource so every ``$ref`` resolves through
``referencing``. The file is not part of the project: the engine (``replace_metadata``) and
``devstack metadata validate`` use it as an extra check only where ``SCHEMA_PATH_SETTING``
names it. The engine's own typed model (:mod:`engine.metadata.typed`) always runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_PATH_SETTING = "ENGINE_METADATA_SCHEMA_PATH"
"""The setting naming Hasura's ``metadata.openapi.json`` (unset: no JSON-schema check)."""
_RESOURCE_URI = "urn:hasura:metadata.openapi.json"


class SchemaUnavailableError(Exception):
    """The schema file is missing, unreadable, or lacks the definition asked for."""


def configured_schema_path(env: Mapping[str, str] | None = None) -> Path | None:
    """The path ``ENGINE_METADATA_SCHEMA_PATH`` names, or None when it is unset."""
    raw = (os.environ if env is None else env).get(SCHEMA_PATH_SETTING, "").strip()
    return Path(raw).expanduser() if raw else None


@lru_cache(maxsize=8)
def metadata_validator(openapi_path: Path, definition: str) -> Draft202012Validator:
    """A validator for ``components/schemas/<definition>`` (e.g. ``MetadataV3``).

    Raises:
        SchemaUnavailableError: with a message saying what is wrong with the file.
    """
    try:
        document = json.loads(openapi_path.read_text())
        schemas = document["components"]["schemas"]
    except FileNotFoundError as exc:
        raise SchemaUnavailableError(f"Hasura's metadata schema {openapi_path} is missing") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaUnavailableError(
            f"Hasura's metadata schema {openapi_path} is unreadable ({exc!r})") from exc
    if definition not in schemas:
        raise SchemaUnavailableError(f"{openapi_path} has no components/schemas/{definition}")
    repair_remote_schemas(document)
    registry: Registry[Any] = Registry().with_resource(
        _RESOURCE_URI,
        Resource.from_contents(nullable_to_json_schema(document),
                               default_specification=DRAFT202012),
    )
    return Draft202012Validator(
        {"$ref": f"{_RESOURCE_URI}#/components/schemas/{definition}"}, registry=registry
    )


def repair_remote_schemas(document: dict[str, Any]) -> None:
    """Give ``MetadataV3.remote_schemas`` the shape of a remote schema entry (in place).

    The published document types its items as ``RemoteSchemaMetadata_RemoteRelationship
    Definition``, which holds a remote schema's *type relationships* (``type_name``,
    ``relationships``): two Haskell types share one generated name. Hasura reads (and the CLI
    writes) ``{name, definition, comment, permissions, remote_relationships}``; the items are
    checked against that, built from the document's own components.
    """
    schemas = document["components"]["schemas"]
    v3 = schemas.get("MetadataV3", {}).get("properties", {}).get("remote_schemas")
    if not isinstance(v3, dict) or "RemoteSchemaDef" not in schemas:
        return
    ref = "#/components/schemas/"
    v3["items"] = {"type": "object", "required": ["name", "definition"], "properties": {
        "name": {"type": "string"},
        "definition": {"$ref": f"{ref}RemoteSchemaDef"},
        "comment": {"type": "string"},
        "permissions": {"type": "array",
                        "items": {"$ref": f"{ref}RemoteSchemaPermissionMetadata"}},
        "remote_relationships": {
            "type": "array",
            "items": {"$ref": f"{ref}RemoteSchemaMetadata_RemoteRelationshipDefinition"}},
    }}


def nullable_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` in JSON Schema terms (a null is allowed too)."""
    if isinstance(node, list):
        return [nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: nullable_to_json_schema(v) for k, v in node.items()}
    if converted.pop("nullable", False):
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        elif "oneOf" in converted:
            converted["oneOf"] = [*converted["oneOf"], {"type": "null"}]
    return converted


def real_errors(validator: Draft202012Validator, document: Any) -> Iterator[ValidationError]:
    """The validator's errors, without ``oneOf`` matches that are only ambiguous.

    Hasura's schema lists some source kinds whose shapes overlap: an empty postgres source is
    "valid under each of" two branches, which is not a mistake in the metadata.
    """
    for error in validator.iter_errors(document):
        if error.validator == "oneOf" and not error.context:
            continue
        yield error
