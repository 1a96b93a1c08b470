"""Checking a whole metadata document before it replaces ours.

The engine's own typed model (:mod:`engine.metadata.typed`) always checks it. Hasura's JSON
schema (``metadata.openapi.json``, OpenAPI 3.0 components) is an extra check, run only when
``ENGINE_METADATA_SCHEMA_PATH`` names the file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from engine.metadata.errors import parse_failed
from engine.metadata.openapi import (
    SchemaUnavailableError,
    configured_schema_path,
    metadata_validator,
    real_errors,
)
from engine.metadata.typed import first_problem

logger = logging.getLogger("engine.metadata")

_DEFINITIONS = {1: "MetadataV1", 2: "MetadataV2", 3: "MetadataV3"}


def _validator(path: Path, definition: str) -> Draft202012Validator | None:
    try:
        return metadata_validator(path, definition)
    except SchemaUnavailableError as exc:
        logger.warning("%s: replace_metadata is not checked against Hasura's schema", exc)
        return None


def check_document(document: Any, path: str, openapi_path: Path | None = None) -> None:
    """Raise parse-failed at the first place ``document`` breaks the metadata model.

    ``openapi_path`` (default: the configured one, if any) adds Hasura's JSON schema.
    """
    if not isinstance(document, dict):
        raise parse_failed("metadata must be a JSON object", path)
    version = document.get("version", 1)
    definition = _DEFINITIONS.get(version) if isinstance(version, int) else None
    if definition is None:
        raise parse_failed(f"unsupported metadata version {document.get('version')!r}", path)
    problem = first_problem(document)
    if problem is not None:
        raise parse_failed(f"Error in {problem.json_path()}: {problem.message}",
                           path + problem.json_path()[1:])
    schema_path = openapi_path or configured_schema_path()
    if schema_path is None:
        return
    validator = _validator(schema_path.resolve(), definition)
    if validator is None:
        return
    error = best_match(real_errors(validator, document))
    if error is not None:
        error = _deepest(error)
        raise parse_failed(_message(error), path + _json_path(error))


def _deepest(error: ValidationError) -> ValidationError:
    """The most specific cause of ``error``.

    For "not valid under any of the given schemas" (a oneOf of source kinds, say) that is the
    sub-error that got furthest into the document.
    """
    if not error.context:
        return error
    leaves = [_deepest(sub) for sub in error.context]
    return max(leaves, key=lambda leaf: len(leaf.absolute_path))


def _json_path(error: ValidationError) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                   for part in error.absolute_path)


def _message(error: ValidationError) -> str:
    where = "$" + _json_path(error)
    return f"Error in {where}: {error.message}"
