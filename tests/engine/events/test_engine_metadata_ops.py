"""The metadata API operations of event and cron triggers, on a running engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from devstack.services.engine import EngineHandle
from tests.engine.events.conftest import ACCOUNTS_DDL
from tests.engine.events.recorder import WebhookRecorder


def call(engine: EngineHandle, kind: str, args: dict[str, Any]) -> Any:
    answer = engine.metadata({"type": kind, "args": args})
    return answer.status_code, answer.json()


async def test_engine_event_trigger_ops_create_invoke_redeliver_delete(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str]
) -> None:
    """GIVEN an engine tracking ``accounts``.

    WHEN an event trigger is created through /v1/metadata, invoked by hand, an event is
    redelivered, then the trigger is deleted
    THEN an insert and the manual call are delivered, a duplicate name is refused, the
    redelivered event arrives again (an unknown event id is refused), and after the delete
    an insert is no longer delivered.
    """
    async with WebhookRecorder() as hook:
        engine = await asyncio.to_thread(
            start_engine, create_database("event_ops"),
            extra_env={"HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200", "HOOK": hook.url},
        )
        await asyncio.to_thread(engine.run_sql, ACCOUNTS_DDL)
        assert (await asyncio.to_thread(call, engine, "pg_track_table", {
            "table": {"schema": "public", "name": "accounts"}}))[0] == 200
        create = {"name": "acc_changes", "table": {"schema": "public", "name": "accounts"},
                  "webhook": "{{HOOK}}/acc", "insert": {"columns": "*"}, "enable_manual": True,
                  "retry_conf": {"num_retries": 0, "interval_sec": 1, "timeout_sec": 5}}

        created = await asyncio.to_thread(call, engine, "pg_create_event_trigger", create)
        duplicate = await asyncio.to_thread(call, engine, "pg_create_event_trigger", create)
        await asyncio.to_thread(engine.run_sql, "INSERT INTO accounts (id, owner) VALUES (1, 'a')")
        await hook.wait_for(1)
        invoked = await asyncio.to_thread(call, engine, "pg_invoke_event_trigger", {
            "name": "acc_changes", "payload": {"id": 99}})
        got = await hook.wait_for(2)
        await asyncio.sleep(0.3)  # let the manual event's outcome be recorded
        logs = await asyncio.to_thread(call, engine, "pg_get_event_logs", {"name": "acc_changes"})
        tries = await asyncio.to_thread(call, engine, "pg_get_event_invocation_logs",
                                        {"name": "acc_changes"})
        inserted = next(e for e in logs[1] if e["payload"]["op"] == "INSERT")
        redelivered = await asyncio.to_thread(call, engine, "pg_redeliver_event",
                                              {"event_id": inserted["id"]})
        again = await hook.wait_for(3)
        unknown = await asyncio.to_thread(call, engine, "redeliver_event",
                                          {"event_id": "00000000-0000-4000-8000-000000000000"})
        malformed = await asyncio.to_thread(call, engine, "redeliver_event", {"event_id": "x"})
        deleted = await asyncio.to_thread(call, engine, "pg_delete_event_trigger",
                                          {"name": "acc_changes"})
        await asyncio.to_thread(engine.run_sql, "INSERT INTO accounts (id, owner) VALUES (2, 'b')")
        await asyncio.sleep(1.0)

    assert created == (200, {"message": "success"})
    assert duplicate[0] == 400
    assert duplicate[1]["code"] == "already-exists"
    assert [r.json()["event"]["op"] for r in got] == ["INSERT", "MANUAL"]
    assert got[1].json()["event"]["data"] == {"old": None, "new": {"id": 99}}
    assert got[1].json()["id"] == invoked[1]["event_id"]
    assert [e["payload"]["op"] for e in logs[1]] == ["MANUAL", "INSERT"]
    assert all(e["delivered"] for e in logs[1])
    assert {t["status"] for t in tries[1]} == {200}
    assert redelivered == (200, {"message": "success"})
    assert again[2].json()["id"] == inserted["id"]
    assert again[2].json()["delivery_info"]["current_retry"] == 0
    assert (unknown[0], unknown[1]["code"]) == (400, "not-exists")
    assert (malformed[0], malformed[1]["code"]) == (400, "parse-failed")
    assert deleted == (200, {"message": "success"})
    assert len(hook.received) == 3


async def test_engine_cron_trigger_ops_create_list_delete(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str]
) -> None:
    """GIVEN a running engine.

    WHEN a cron trigger (every second) is created through /v1/metadata, then deleted
    THEN it fires without a restart, is listed with its runs, and stops once deleted.
    """
    async with WebhookRecorder() as hook:
        engine = await asyncio.to_thread(
            start_engine, create_database("cron_ops"),
            extra_env={"HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200"},
        )
        created = await asyncio.to_thread(call, engine, "create_cron_trigger", {
            "name": "heartbeat", "webhook": hook.url + "/beat", "schedule": "* * * * * *",
            "payload": {"k": "v"}, "include_in_metadata": True, "comment": "test beat",
        })
        await hook.wait_for(2, timeout=10)
        listed = await asyncio.to_thread(call, engine, "get_cron_triggers", {})
        runs = await asyncio.to_thread(call, engine, "get_scheduled_events", {
            "type": "cron", "trigger_name": "heartbeat", "get_rows_count": True})
        deleted = await asyncio.to_thread(call, engine, "delete_cron_trigger",
                                          {"name": "heartbeat"})
        await asyncio.sleep(0.5)
        seen = len(hook.received)
        await asyncio.sleep(1.5)

    assert created == (200, {"message": "success"})
    assert [t["name"] for t in listed[1]["cron_triggers"]] == ["heartbeat"]
    assert hook.received[0].json()["payload"] == {"k": "v"}
    assert runs[1]["count"] >= 2
    assert "delivered" in {e["status"] for e in runs[1]["events"]}
    assert deleted == (200, {"message": "success"})
    assert len(hook.received) == seen
