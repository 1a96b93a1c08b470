"""The trigger service's HTTP surface: health, the shared secret, payload validation, echo."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from timeline.settings import get_timeline_settings
from triggers.settings import get_settings

SECRET = "app-test-secret"
EVENT_ID = "8d1a6f2e-2f6a-4a39-9a57-0b2b7d3f4f10"
EVENT: dict[str, Any] = {
    "id": EVENT_ID,
    "created_at": "2026-11-21T23:59:58.123456Z",
    "table": {"schema": "public", "name": "users"},
    "trigger": {"name": "user_created"},
    "event": {
        "op": "INSERT",
        "data": {"old": None, "new": {"id": "u1", "email": "ada@example.com", "name": "Ada"}},
        "session_variables": {"x-hasura-role": "admin"},
        "trace_context": None,
    },
    "delivery_info": {"current_retry": 0, "max_retries": 3},
}


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("ACTION_SHARED_SECRET", SECRET)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # the timeline cache; unused here
    get_settings.cache_clear()
    get_timeline_settings.cache_clear()
    from triggers.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://triggers") as http:
        yield http
    get_settings.cache_clear()
    get_timeline_settings.cache_clear()


async def test_app_healthz_answers(client: httpx.AsyncClient) -> None:
    """GIVEN the service WHEN /healthz is called THEN it answers 200 ok."""
    assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/echo", "/cron/fetch-crypto-prices"])
async def test_app_refuses_calls_without_the_shared_secret(
    client: httpx.AsyncClient, path: str
) -> None:
    """GIVEN a call with a wrong X-Action-Secret WHEN posted THEN 401 access-denied."""
    answer = await client.post(path, json=EVENT, headers={"X-Action-Secret": "wrong"})

    assert answer.status_code == 401
    assert answer.json()["extensions"]["code"] == "access-denied"


async def test_app_echo_logs_the_event_and_returns_it(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN an event trigger body with the secret.

    WHEN it is posted to /echo
    THEN it is answered back and one log line names trigger, table, op and id, not the row.
    """
    with caplog.at_level(logging.INFO, logger="triggers.echo"):
        answer = await client.post("/echo", json=EVENT, headers={"X-Action-Secret": SECRET})

    assert answer.status_code == 200
    assert answer.json()["echo"]["event"]["data"] == EVENT["event"]["data"]
    assert answer.json()["echo"]["table"] == {"schema": "public", "name": "users"}
    lines = [r.getMessage() for r in caplog.records if r.name == "triggers.echo"]
    assert len(lines) == 1
    assert "user_created" in lines[0]
    assert "public.users" in lines[0]
    assert "INSERT" in lines[0]
    assert EVENT_ID in lines[0]
    assert "ada@example.com" not in lines[0]


@pytest.mark.parametrize("path", ["/echo", "/cron/fetch-crypto-prices"])
async def test_app_rejects_a_body_of_the_wrong_shape(client: httpx.AsyncClient, path: str) -> None:
    """GIVEN the secret and a body that is not a trigger payload WHEN posted THEN 400."""
    answer = await client.post(path, json={"hello": "world"}, headers={"X-Action-Secret": SECRET})

    assert answer.status_code == 400
    assert answer.json()["extensions"]["code"] == "invalid-payload"


def test_app_settings_require_the_shared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN no ACTION_SHARED_SECRET WHEN the settings are read THEN start-up fails naming it."""
    monkeypatch.delenv("ACTION_SHARED_SECRET", raising=False)
    monkeypatch.chdir("/")  # no .env to fall back on
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="ACTION_SHARED_SECRET"):
            get_settings()
    finally:
        get_settings.cache_clear()
