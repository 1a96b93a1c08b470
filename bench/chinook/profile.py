"""Where the engine spends a request's time on the complex query (filled in below)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.chinook.workload import Workload


def profile_engine(dsn: str, workload: Workload, state: Path) -> dict[str, Any]:
    """Profile the engine in-process on the complex query."""
    raise NotImplementedError("engine profile not wired yet")
