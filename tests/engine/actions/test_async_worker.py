"""The asynchronous-action worker outlives every failure of the database under it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import pytest

from engine.actions.log import LoggedCall
from engine.actions.provider import ActionsProvider


class BreakingLog:
    """An action log whose first claim meets a connection the server just terminated."""

    def __init__(self) -> None:
        self.claims = 0

    async def claim(self, limit: int = 10) -> list[LoggedCall]:
        self.claims += 1
        if self.claims == 1:
            # What asyncpg raises for a query sent between the server's FATAL and its close.
            raise asyncpg.InternalClientError(
                "cannot switch to state 12; another operation (2) is in progress")
        return []


async def test_async_worker_reports_a_broken_connection_and_polls_on(
        caplog: pytest.LogCaptureFixture) -> None:
    """Async worker reports a broken connection and polls on.

    GIVEN the worker of asynchronous actions WHEN claiming calls fails with asyncpg's
    InternalClientError (a connection the stopping server terminated) THEN the outage is
    logged as the log being unreadable, the worker keeps polling, and notes the recovery.
    """
    provider = ActionsProvider()
    log = BreakingLog()
    provider.log = log  # type: ignore[assignment]
    with caplog.at_level(logging.WARNING, logger="engine.actions"):
        worker = asyncio.create_task(provider._work())
        try:
            for _ in range(600):  # the worker polls every 0.2 s: 30 s at most
                if log.claims >= 3 or worker.done():
                    break
                await asyncio.sleep(0.05)
            assert not worker.done()
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("async actions: cannot read the log: cannot switch")
               for m in messages), messages
    assert "async actions: cannot read the log: recovered after 1 failures" in messages
