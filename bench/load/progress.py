"""One line of progress on stderr, for benchmarks whose stdout carries the JSON report."""

from __future__ import annotations

import sys
from collections.abc import Callable


def stderr_progress(name: str) -> Callable[[str], None]:
    """A ``progress(message)`` that prints ``[name] message`` on stderr at once."""

    def progress(message: str) -> None:
        print(f"[{name}] {message}", file=sys.stderr, flush=True)

    return progress
