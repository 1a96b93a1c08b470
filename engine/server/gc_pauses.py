"""The garbage collector's pauses: measured, and made rarer for a server holding many sockets.

Each open websocket keeps a few hundred Python objects alive (protocol state, frames,
tasks, dicts). CPython's cyclic collector walks every tracked object of a generation when
that generation is collected, so with 10,000 sockets a full collection stops the event loop
for a long time, and it is triggered by allocation counts that a busy poll reaches every
few milliseconds. :func:`tune` freezes what exists once the server has started (schema,
metadata, modules: never garbage) and raises the youngest generation's threshold, so
collections run less often and walk fewer objects; :data:`PAUSES` counts what they cost
(reported by ``GET /dev/subscriptions``).
"""

from __future__ import annotations

import gc
import time
from typing import Any

YOUNG_THRESHOLD = 20_000
"""Allocations (net of frees) before a generation-0 collection (CPython's default: 700)."""


class _Pauses:
    """Collections per generation and the seconds they stopped the process."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        generation = int(info["generation"])
        self.collections[generation] += 1
        self.seconds[generation] += took
        self.longest = max(self.longest, took)

    def stats(self) -> dict[str, Any]:
        """Collections and milliseconds per generation, the longest pause."""
        return {"collections": list(self.collections),
                "ms": [round(s * 1000, 1) for s in self.seconds],
                "longest_ms": round(self.longest * 1000, 1)}


PAUSES = _Pauses()


def measure() -> None:
    """Start counting collections and their pauses (once per process)."""
    if PAUSES not in gc.callbacks:
        gc.callbacks.append(PAUSES)


def tune() -> None:
    """Freeze what exists now and collect the youngest generation less often.

    No collection first: on a loaded machine a full one delays start-up by seconds, and the
    little garbage left from start-up is not worth it.
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
