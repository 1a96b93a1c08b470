"""Validate metadata JSON against Hasura's own JSON schema (``metadata.openapi.json``).

The OpenAPI document's ``components/schemas`` hold ``Metadata`` (one of V1, V2, V3) and
everything it references; the document is registered as one resource so every ``$ref``
resolves through ``referencing``. The file is not part of the project: this check runs only
where a path to it is given (``--schema`` or ``ENGINE_METADATA_SCHEMA_PATH``); the engine's
typed model (:mod:`devstack.hasura_project.metadata_model`) always runs.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from devstack.errors import StackError
from devstack.hasura_project.metadata_dir import MetadataDocument
from devstack.hasura_project.problems import Problem
from engine.metadata.openapi import SchemaUnavailableError, metadata_validator, real_errors


def _validator(openapi_path: Path, definition: str) -> Draft202012Validator:
    try:
        return metadata_validator(openapi_path, definition)
    except SchemaUnavailableError as exc:
        raise StackError(f"{exc}; schema validation not run") from exc


def validate(document: MetadataDocument, openapi_path: Path) -> list[Problem]:
    """Every place where the metadata breaks Hasura's schema (``MetadataV3`` for version 3).

    Raises:
        StackError: the schema file is missing or unreadable.
    """
    version = document.metadata.get("version")
    definition = "MetadataV3" if version == 3 else "Metadata"
    validator = _validator(openapi_path.resolve(), definition)
    problems = []
    for error in real_errors(validator, document.metadata):
        for leaf in _leaves(error):
            file, inner = document.locate(tuple(leaf.absolute_path))
            problem = Problem(file, inner, _message(leaf), "schema")
            if problem not in problems:
                problems.append(problem)
    return sorted(problems, key=lambda p: (str(p.file), [str(part) for part in p.path]))


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The concrete errors under a ``oneOf``/``anyOf`` failure, in the branch meant.

    The branch meant is the one whose discriminating values (an ``enum``/``const`` directly
    on the object, e.g. a source's ``kind``) match; then the one that got deepest. All its
    errors are reported, so one bad source yields every problem in it, not a single vague
    "not valid under any of the given schemas".
    """
    if not error.context:
        return [error]
    depth = len(error.absolute_path)
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)

    def score(errors: list[ValidationError]) -> tuple[int, int, int]:
        wrong_kind = sum(
            1 for e in errors
            if e.validator in ("enum", "const") and len(e.absolute_path) <= depth + 1
        )
        return wrong_kind, -max(len(e.absolute_path) for e in errors), len(errors)

    chosen = min(branches.values(), key=score)
    return [leaf for sub in chosen for leaf in _leaves(sub)]


def _message(error: ValidationError) -> str:
    message = error.message
    if len(message) > 300:
        message = message[:300] + " ..."
    return f"{message} (schema: {'/'.join(map(str, error.relative_schema_path))})"
