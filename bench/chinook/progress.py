"""Progress inside a phase of the benchmark: which case, target and concurrency, time left.

A phase (the closed loop, the open loop) is planned up front as a list of timed runs, so
each run can say how much of the phase remains: a 14-minute benchmark is never silent for
more than one run.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def duration(seconds: float) -> str:
    """``75`` → ``1m15s``; ``9.5`` → ``10s``."""
    whole = round(max(seconds, 0.0))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


class PhaseProgress:
    """Log one line per run of a phase whose runs add up to ``planned_s`` seconds."""

    def __init__(self, phase: str, planned_s: float, log: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.phase = phase
        self.planned_s = planned_s
        self.log = log
        self.clock = clock
        self.started = clock()
        self.done_s = 0.0

    def run(self, seconds: float, *, case: str, target: str, concurrency: str,
            note: str = "") -> None:
        """Announce a run of ``seconds`` (before it starts), with what remains after it."""
        left = max(self.planned_s - self.done_s, seconds)
        elapsed = self.clock() - self.started
        extra = f" {note}" if note else ""
        self.log(f"  [{self.phase} {duration(elapsed)}] {case} · {target} · "
                 f"concurrency {concurrency}{extra}: {duration(seconds)} run, "
                 f"~{duration(left)} left in this phase")
        self.done_s += seconds

    def skip(self, seconds: float) -> None:
        """A planned run that will not happen (its time no longer counts as left)."""
        self.planned_s -= seconds
