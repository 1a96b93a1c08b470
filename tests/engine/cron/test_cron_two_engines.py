"""A cron trigger created through one engine runs in every engine on the database, once a time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from devstack.services.engine import EngineHandle
from tests.engine.events.recorder import WebhookRecorder

DEADLINE_S = 60.0


def _call(engine: EngineHandle, kind: str, args: dict[str, Any]) -> Any:
    answer = engine.metadata({"type": kind, "args": args})
    return answer.status_code, answer.json()


def _lists(engine: EngineHandle, name: str) -> bool:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        status, answer = _call(engine, "get_cron_triggers", {})
        if status == 200 and name in [t["name"] for t in answer["cron_triggers"]]:
            return True
        time.sleep(0.05)
    return False


async def test_cron_created_through_one_engine_runs_once_per_time_in_both(
    start_engine: Callable[..., EngineHandle], database_url: str,
) -> None:
    """Cron created through one engine runs once per time in both.

    GIVEN two engines on one database WHEN an every-second cron trigger is created through
    the first THEN the second takes it in, no scheduled time is delivered twice while both
    run, and the second keeps delivering once the first is stopped.
    """
    fast = {"HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200"}
    async with WebhookRecorder() as hook:
        first = await asyncio.to_thread(start_engine, database_url, extra_env=fast)
        second = await asyncio.to_thread(start_engine, database_url, extra_env=fast)
        created = await asyncio.to_thread(_call, first, "create_cron_trigger", {
            "name": "beat", "webhook": hook.url + "/beat", "schedule": "* * * * * *",
            "payload": {}, "include_in_metadata": True})
        assert created == (200, {"message": "success"})
        assert await asyncio.to_thread(_lists, second, "beat")
        both = len(await hook.wait_for(len(hook.received) + 3, timeout=DEADLINE_S))
        await asyncio.to_thread(first.server.stop)
        await hook.wait_for(both + 3, timeout=DEADLINE_S)

    scheduled = [r.json()["scheduled_time"] for r in hook.received]
    assert len(scheduled) == len(set(scheduled)), sorted(scheduled)
