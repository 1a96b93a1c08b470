"""Reference material kept outside the checkout: only tests and benchmarks read it.

Hasura's recorded conformance cases, its metadata JSON schema and the Chinook benchmark set
are too large (or not ours) to copy into the repository. One setting says where they are:
``REFERENCE_DIR`` (environment, then ``.env``), by default ``../shared`` beside the checkout.
Nothing the stack or the engine runs needs it; what needs it says so in one line when it is
absent (tests skip, benchmarks stop).
"""

from __future__ import annotations

import os
from pathlib import Path

from devstack.paths import REPO_ROOT
from devstack.settings import dotenv

SETTING = "REFERENCE_DIR"
"""The one setting naming the reference folder."""
DEFAULT = REPO_ROOT.parent / "shared"


class ReferenceMissingError(Exception):
    """A piece of reference material is not there; the message is one line naming the setting."""


def reference_dir() -> Path:
    """The reference folder (which may not exist)."""
    raw = os.environ.get(SETTING) or dotenv(REPO_ROOT / ".env").get(SETTING)
    return Path(raw).expanduser().resolve() if raw else DEFAULT


def reference_path(*parts: str) -> Path:
    """``<reference folder>/<parts...>`` (which may not exist)."""
    return reference_dir().joinpath(*parts)


def missing_reason(*parts: str) -> str | None:
    """Why ``parts`` cannot be used (one line naming the setting), or None when present."""
    path = reference_path(*parts)
    if path.exists():
        return None
    return (f"reference material {path} is absent "
            f"(set {SETTING} to the reference folder; default ../shared beside the checkout)")


def require(*parts: str) -> Path:
    """The path of ``parts`` under the reference folder.

    Raises:
        ReferenceMissingError: it does not exist (the message names the setting).
    """
    reason = missing_reason(*parts)
    if reason is not None:
        raise ReferenceMissingError(reason)
    return reference_path(*parts)
