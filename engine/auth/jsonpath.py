"""The small JSON-path subset Hasura accepts in JWT settings: ``$.a.b``, ``$['x.y'][0]``."""

from __future__ import annotations

import re
from typing import Any

JsonPath = tuple[str | int, ...]

_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z0-9_\-:$@]+)|\[(?P<index>\d+)\]|\[(?P<q>['"])(?P<key>.*?)(?P=q)\]"""
)

_MISSING = object()


def parse_path(text: str) -> JsonPath:
    """Parse ``text`` into its steps.

    Raises:
        ValueError: the path does not start with ``$`` or has an unreadable step.
    """
    if not text.startswith("$"):
        raise ValueError(f"JSON path {text!r} must start with '$'")
    steps: list[str | int] = []
    pos = 1
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            raise ValueError(f"cannot read JSON path {text!r} at position {pos}")
        if match.group("name") is not None:
            steps.append(match.group("name"))
        elif match.group("index") is not None:
            steps.append(int(match.group("index")))
        else:
            steps.append(match.group("key"))
        pos = match.end()
    return tuple(steps)


def lookup(document: Any, path: JsonPath) -> Any:
    """The value at ``path`` in ``document``, or :data:`MISSING`."""
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return MISSING
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return MISSING
            current = current[step]
    return current


MISSING: Any = _MISSING
"""What :func:`lookup` returns for a path that leads nowhere."""
