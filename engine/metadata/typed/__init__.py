"""The engine's own typed model of Hasura metadata: every document is checked with it.

It types what the engine reads (sources, tables, relationships, permissions, event and cron
triggers, actions, custom types) and rejects what Hasura rejects (a misspelt key in a table
entry, a permission without a role, a relationship with two ``using`` kinds). Each problem
carries the JSON path of the offending key, which ``devstack metadata validate`` turns into
a file and key of the ``metadata/`` folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.metadata.typed.document import MetadataV1V2, MetadataV3

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One place where a document breaks the model."""

    path: Path
    message: str

    def json_path(self) -> str:
        """``$.sources[0].tables[2].select_permissions[0].role`` style."""
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)


def problems(document: Any) -> list[Problem]:
    """Every problem in ``document`` (any version), in document order, each path once."""
    if not isinstance(document, dict):
        return [Problem((), "metadata must be a JSON object")]
    version = document.get("version", 1)
    model: type[BaseModel]
    if version == 3:
        model = MetadataV3
    elif version in (1, 2):
        model = MetadataV1V2
    else:
        return [Problem(("version",), f"unsupported metadata version {version!r}")]
    try:
        model.model_validate(document)
    except ValidationError as exc:
        return _located(document, exc)
    return []


def first_problem(document: Any) -> Problem | None:
    """The first problem in ``document``, or None when the model accepts it."""
    found = problems(document)
    return found[0] if found else None


def _located(document: Any, exc: ValidationError) -> list[Problem]:
    found: dict[Path, Problem] = {}
    for error in exc.errors(include_url=False):
        path = _document_path(document, error["loc"])
        if path not in found:
            found[path] = Problem(path, _message(error))
    return list(found.values())


def _document_path(document: Any, loc: tuple[Any, ...]) -> Path:
    """``loc`` without pydantic's own steps (union branch and validator names).

    A step is kept when it indexes the document, or when it is the last one (a missing key).
    """
    node = document
    path: list[str | int] = []
    for index, step in enumerate(loc):
        if _indexes(node, step):
            node = node[step]
            path.append(step)
        elif index == len(loc) - 1 and isinstance(node, dict) and isinstance(step, str):
            path.append(step)
    return tuple(path)


def _indexes(node: Any, step: Any) -> bool:
    """Whether ``step`` is a key of the dict or an index of the list ``node``."""
    if isinstance(node, list):
        return isinstance(step, int) and 0 <= step < len(node)
    return isinstance(node, dict) and isinstance(step, str) and step in node


def _message(error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "missing":
        return f"key {loc[-1]!r} is required"
    if kind == "extra_forbidden":
        return f"unexpected key {loc[-1]!r}"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")
