"""An action service on a cognito-local without triggers, to test the service on its own."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devstack.ports import free_port
from devstack.services.actions import action_environment
from devstack.services.cognito import CognitoLocal, UserPool
from devstack.services.http import HttpService, uvicorn_argv
from devstack.settings import StackSettings
from tests.auth.fixtures import TEST_CONFIRMATION_CODE


@pytest.fixture(scope="session")
def bare_pool(auth_settings: StackSettings) -> Iterator[tuple[CognitoLocal, UserPool]]:
    """A cognito-local with no triggers (confirming writes nothing) and its pool."""
    root = auth_settings.state_dir / "bare-cognito"
    server = CognitoLocal(root, free_port(), "http://127.0.0.1:9", root / "cognito.log",
                          root / "cognito.pid", fixed_code=TEST_CONFIRMATION_CODE, triggers={})
    server.start()
    try:
        yield server, server.ensure_pool()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def bare_actions(
    auth_settings: StackSettings, bare_pool: tuple[CognitoLocal, UserPool],
    redis_database: Callable[[], str],
) -> Iterator[HttpService]:
    """The action service on the trigger-less pool."""
    settings = dataclasses.replace(auth_settings, state_dir=auth_settings.state_dir / "bare")
    port = free_port()
    service = HttpService(
        settings, "actions", port, uvicorn_argv("actions.app:app", port),
        description="action service", env=action_environment(settings, bare_pool[1],
                                                              redis_database()),
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


ActionCall = Callable[..., httpx.Response]


@pytest.fixture
def call_action(bare_actions: HttpService, auth_settings: StackSettings) -> ActionCall:
    """POST an action as the engine would; a fresh client address per test by default."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    def call(name: str, input: dict[str, Any], *, role: str = "anonymous",
             user_id: str | None = None, secret: str | None = None,
             ip: str | None = None) -> httpx.Response:
        session = {"x-hasura-role": role}
        if user_id:
            session["x-hasura-user-id"] = user_id
        headers = {"X-Forwarded-For": ip or address}
        chosen = auth_settings.action_shared_secret if secret is None else secret
        if chosen:
            headers["X-Action-Secret"] = chosen
        body = {"action": {"name": name}, "input": input, "session_variables": session,
                "request_query": "mutation { ... }"}
        return httpx.post(f"{bare_actions.url()}/{name}", json=body, headers=headers,
                          timeout=15)

    return call


@pytest.fixture
def new_email() -> str:
    """An email no other test uses."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"
