"""The whole auth path for end-to-end tests.

An engine on a migrated database with the project's metadata, JWT settings from
cognito-local's pool, actions on the action service, and the Lambdas writing back to this
engine through the Invoke API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devstack.hasura_project import metadata_dir
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.cognito import UserPool
from devstack.services.engine import EngineHandle, EngineServer
from devstack.services.http import HttpService
from devstack.settings import StackSettings


@pytest.fixture(scope="session")
def auth_engine(
    auth_settings: StackSettings, user_pool: UserPool, action_service: HttpService,
    create_database: Callable[[str], str],
) -> Iterator[EngineHandle]:
    """The engine the Lambdas call back (on ``auth_settings.engine_port``)."""
    database_url = create_database("auth")
    Migrator(database_url, HASURA_DIR / "migrations").apply()
    server = EngineServer(
        database_url, auth_settings.engine_port, admin_secret=auth_settings.admin_secret,
        jwt_secret=user_pool.engine_jwt_secret(), state_dir=auth_settings.state_dir,
        name="auth-engine",
        extra_env={
            "ACTIONS_BASE_URL": action_service.url(),
            "ACTION_SHARED_SECRET": auth_settings.action_shared_secret,
            "TRIGGERS_BASE_URL": "http://127.0.0.1:9",
            "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo",
            # The tests stand for a trusted proxy in front of the engine: each Client's
            # X-Forwarded-For names its own address (see Client).
            "ENGINE_TRUSTED_PROXIES": "127.0.0.1",
        },
    )
    server.start()
    try:
        MetadataClient(server.url(), auth_settings.admin_secret).replace_metadata(
            metadata_dir.read(HASURA_DIR).metadata)
        handle = EngineHandle(server)
        yield handle
        handle.close()
    finally:
        server.stop()


class Client:
    """A GraphQL client as an app would be: one address, optionally a bearer token."""

    def __init__(self, engine: EngineHandle) -> None:
        self.url = engine.server.graphql_url()
        self.address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    def run(self, query: str, variables: dict[str, Any] | None = None,
            token: str | None = None) -> Any:
        headers = {"X-Forwarded-For": self.address}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = httpx.post(self.url, json={"query": query, "variables": variables or {}},
                              headers=headers, timeout=30)
        return response.json()


@pytest.fixture
def client(auth_engine: EngineHandle) -> Client:
    """A fresh client (its own address, so rate limits of other tests do not apply)."""
    return Client(auth_engine)
