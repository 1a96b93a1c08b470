"""A problem found in the metadata, located by file and by path inside that file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devstack.paths import REPO_ROOT


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the metadata."""

    file: Path
    path: tuple[str | int, ...]
    message: str
    check: str
    """Which validation found it: ``model`` (the engine's typed model), ``schema`` (Hasura's
    JSON schema) or ``database``."""

    def __str__(self) -> str:
        try:
            shown = self.file.relative_to(REPO_ROOT)
        except ValueError:
            shown = self.file
        return f"{shown}: {format_path(self.path) or '(top)'}: {self.message}"


def format_path(path: tuple[str | int, ...]) -> str:
    """``select_permissions[0].permission.columns[2]`` style."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
