"""Validate the metadata folder with the engine's own typed model (always available).

Each problem names the file it is in and the key inside that file.
"""

from __future__ import annotations

from devstack.hasura_project.metadata_dir import MetadataDocument
from devstack.hasura_project.problems import Problem
from engine.metadata import typed


def validate(document: MetadataDocument) -> list[Problem]:
    """Every place where the folder's metadata breaks the engine's metadata model."""
    found = []
    for problem in typed.problems(document.metadata):
        file, inner = document.locate(problem.path)
        found.append(Problem(file, inner, problem.message, "model"))
    return sorted(found, key=lambda p: (str(p.file), [str(part) for part in p.path]))
