"""Where the project and its local state live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository checkout this package was loaded from."""

HASURA_DIR = REPO_ROOT / "hasura"
"""The Hasura CLI project (config.yaml, metadata/, migrations/, seeds/)."""


def state_dir() -> Path:
    """The one ignored folder that holds data directories, logs and pid files.

    ``DEVSTACK_STATE_DIR`` moves it (tests give each run its own).
    """
    return Path(os.environ.get("DEVSTACK_STATE_DIR", REPO_ROOT / ".state")).resolve()
