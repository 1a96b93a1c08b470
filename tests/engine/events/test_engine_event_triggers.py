"""Event triggers through the engine: the project's users trigger, GraphQL to webhook."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx

from devstack.services.engine import EngineServer
from tests.engine.events.recorder import Answer, Received, WebhookRecorder
from tests.triggers.project import (
    ADMIN_SECRET,
    SHARED_SECRET,
    apply_metadata,
    engine_server,
    migrated_database,
    project_metadata,
)

INSERT_USER = """
mutation AddUser($user: users_insert_input!) {
  insert_users_one(object: $user) { id }
}
"""


async def add_user(server: EngineServer, user_id: str) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            server.url() + "/v1/graphql",
            json={"query": INSERT_USER,
                  "variables": {"user": {"id": user_id, "email": f"{user_id}@example.com",
                                         "name": "Ada"}}},
            headers={"X-Hasura-Admin-Secret": ADMIN_SECRET, "X-Hasura-Request-Tag": "t1"},
        )
    assert answer.json() == {"data": {"insert_users_one": {"id": user_id}}}


async def start(server: EngineServer, metadata: bool = True) -> None:
    """Start the engine (with the project's metadata); stopped again if that fails."""
    await asyncio.to_thread(server.start)
    if metadata:
        try:
            await asyncio.to_thread(apply_metadata, server, project_metadata())
        except BaseException:
            await asyncio.to_thread(server.stop)
            raise


async def test_engine_new_user_reaches_event_trigger_url(
    create_database: Callable[[str], str], state_root: Path
) -> None:
    """GIVEN the project's metadata on an engine, EVENT_TRIGGER_URL at a local webhook.

    WHEN a user is inserted through GraphQL with the admin secret
    THEN the webhook gets one INSERT event with the row, the admin session and the secret.
    """
    async with WebhookRecorder() as hook:
        url = await asyncio.to_thread(migrated_database, create_database)
        server = engine_server(url, state_root, "engine-events-users",
                               {"EVENT_TRIGGER_URL": hook.url + "/echo"})
        await start(server)
        try:
            await add_user(server, "user-1")
            got = await hook.wait_for(1)
        finally:
            await asyncio.to_thread(server.stop)

    body = got[0].json()
    assert got[0].path == "/echo"
    assert got[0].headers["x-action-secret"] == SHARED_SECRET
    assert body["trigger"] == {"name": "user_created"}
    assert body["table"] == {"schema": "public", "name": "users"}
    assert body["event"]["op"] == "INSERT"
    assert body["event"]["data"]["old"] is None
    assert body["event"]["data"]["new"]["email"] == "user-1@example.com"
    assert body["event"]["session_variables"]["x-hasura-role"] == "admin"
    assert body["delivery_info"] == {"current_retry": 0, "max_retries": 3}


async def test_engine_killed_mid_delivery_redelivers_after_restart(
    create_database: Callable[[str], str], state_root: Path
) -> None:
    """GIVEN an engine delivering a user event to a webhook that does not answer yet.

    WHEN the engine is killed (SIGKILL) and started again
    THEN the same event is delivered again and recorded as delivered: nothing is lost.
    """
    held = asyncio.Event()

    async def hang_first(n: int, _r: Received) -> Answer:
        if n == 0:
            await held.wait()
        return Answer(200)

    async with WebhookRecorder(hang_first) as hook:
        url = await asyncio.to_thread(migrated_database, create_database)
        env = {"EVENT_TRIGGER_URL": hook.url + "/echo", "ENGINE_EVENTS_LOCK_TIMEOUT_SECONDS": "1"}
        first = engine_server(url, state_root, "engine-events-kill-1", env)
        await start(first)
        try:
            await add_user(first, "user-2")
            await hook.wait_for(1)
            assert first.pid is not None
            os.kill(first.pid, signal.SIGKILL)
        finally:
            await asyncio.to_thread(first.stop)
        second = engine_server(url, state_root, "engine-events-kill-2", env)
        await start(second, metadata=False)  # the metadata is stored in the database
        try:
            got = await hook.wait_for(2, timeout=15)
        finally:
            held.set()
            await asyncio.to_thread(second.stop)

    assert got[0].json()["id"] == got[1].json()["id"]
    assert got[1].json()["event"]["data"]["new"]["id"] == "user-2"
