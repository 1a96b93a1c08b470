"""Checking a whole metadata document against Hasura's JSON schema before it replaces ours.

The schema is ``metadata.openapi.json`` (OpenAPI 3.0 components) from the shared reference
folder; without that file the check is skipped (the consistency check still runs).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from engine.metadata.errors import parse_failed
from engine.metadata.openapi import OPENAPI_PATH, SchemaUnavailable, metadata_validator

logger = logging.getLogger("engine.metadata")

_DEFINITIONS = {1: "MetadataV1", 2: "MetadataV2", 3: "MetadataV3"}


def _validator(path: Path, definition: str) -> Draft202012Validator | None:
    try:
        return metadata_validator(path, definition)
    except SchemaUnavailable as exc:
        logger.warning("%s: replace_metadata is not schema-checked", exc)
        return None


def check_document(document: Any, path: str, openapi_path: Path = OPENAPI_PATH) -> None:
    """Raise parse-failed at the first place ``document`` breaks Hasura's metadata schema."""
    if not isinstance(document, dict):
        raise parse_failed("metadata must be a JSON object", path)
    version = document.get("version", 1)
    definition = _DEFINITIONS.get(version) if isinstance(version, int) else None
    if definition is None:
        raise parse_failed(f"unsupported metadata version {document.get('version')!r}", path)
    validator = _validator(openapi_path.resolve(), definition)
    if validator is None:
        return
    error = best_match(validator.iter_errors(document))
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
