"""Where a producer run stopped: the last legacy id whose record the broker acknowledged.

Written atomically (temporary file, then rename) after each acknowledged batch, so a run
that dies resumes after the last batch that certainly arrived; at worst it sends one batch
again, which the loader's versioned writes make harmless.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Checkpoint:
    """Resume point for one (database, topic) pair."""

    source: str
    """Which database and topic this is for (a different pair starts from the beginning)."""
    last_id: int = 0


def load(path: Path, source: str) -> Checkpoint:
    """The checkpoint at ``path`` for ``source``, or a fresh one."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return Checkpoint(source)
    except (OSError, ValueError) as exc:
        raise ValueError(f"checkpoint {path} is unreadable ({exc}); delete it or pass "
                         "--from-start") from exc
    if raw.get("source") != source:
        return Checkpoint(source)
    return Checkpoint(source, int(raw.get("last_id", 0)))


def save(path: Path, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint at ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(asdict(checkpoint)))
    os.replace(tmp, path)
