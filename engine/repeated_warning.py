"""A failure that repeats (a poller while the database is down) logged once, then summarised.

A loop that polls every 200 ms would otherwise write five identical warnings a second for
as long as the outage lasts, burying everything else in the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

SUMMARY_INTERVAL = 60.0
"""Seconds between two summaries of a failure that goes on."""


class RepeatedWarning:
    """Warns on the first failure, then every ``interval`` seconds with a count; notes recovery."""

    def __init__(self, logger: logging.Logger, what: str, *,
                 interval: float = SUMMARY_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.what = what
        self.interval = interval
        self.clock = clock
        self.failures = 0
        self._unreported = 0
        self._reported_at = 0.0

    def failed(self, detail: object) -> None:
        """Record one failure (logged if it is the first, or a summary is due)."""
        now = self.clock()
        self.failures += 1
        if self.failures == 1:
            self.logger.warning("%s: %s", self.what, detail)
            self._reported_at = now
            return
        self._unreported += 1
        if now - self._reported_at >= self.interval:
            self.logger.warning("%s: still failing (%d more times in %.0f s): %s", self.what,
                                self._unreported, now - self._reported_at, detail)
            self._unreported = 0
            self._reported_at = now

    def succeeded(self) -> None:
        """Record a success: after failures, log once that it recovered."""
        if self.failures:
            self.logger.warning("%s: recovered after %d failures", self.what, self.failures)
        self.failures = 0
        self._unreported = 0
