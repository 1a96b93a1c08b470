"""The timeline's services on one database, wired as the local stack wires them.

Engine, action service (homeTimeline) and trigger service (invalidation, sweep) over a
Redis the caller gives; used by the end-to-end tests and ``bench.timeline``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.load.metadata import without_rate_limit
from devstack.hasura_project import metadata_dir
from devstack.hasura_project.engine_client import MetadataClient
from devstack.paths import HASURA_DIR
from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.triggers import TriggersService
from devstack.settings import StackSettings

ADMIN_SECRET = "timeline-test-admin-secret"  # noqa: S105 - a throw-away local engine's
SHARED_SECRET = "timeline-test-shared-secret"  # noqa: S105 - throw-away, local only


def timeline_metadata(*, rate_limit: bool = True) -> dict[str, Any]:
    """The project's metadata without its cron triggers (tests call the sweep themselves).

    ``rate_limit=False`` drops the API limits' request rate (anonymous callers get 600 a
    minute per address): a load generator on one address is not the caller it is meant for.
    """
    metadata = metadata_dir.read(HASURA_DIR).metadata
    metadata["cron_triggers"] = []
    return metadata if rate_limit else without_rate_limit(metadata)


@dataclass
class TimelineStack:
    """Started services; :meth:`stop` stops them in reverse order, by pid."""

    database_url: str
    engine: EngineServer
    actions: HttpService
    triggers: TriggersService | None
    rate_limit: bool = True
    started: list[Any] = field(default_factory=list)

    def start(self) -> None:
        """Start the services, then apply the metadata."""
        services = [s for s in (self.triggers, self.actions, self.engine) if s is not None]
        for service in services:
            service.start()
            self.started.append(service)
        MetadataClient(self.engine.url(), ADMIN_SECRET).replace_metadata(
            timeline_metadata(rate_limit=self.rate_limit))

    def stop(self) -> None:
        """Stop every service started."""
        for service in reversed(self.started):
            service.stop()
        self.started.clear()

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A GraphQL request to the engine (anonymous unless ``headers`` say otherwise)."""
        answer = httpx.post(self.engine.graphql_url(),
                            json={"query": query, "variables": dict(variables or {})},
                            headers=dict(headers or {}), timeout=30)
        body: dict[str, Any] = answer.json()
        return body

    def as_user(self, user_id: str) -> dict[str, str]:
        """Headers that make a request the ``user`` role for ``user_id``."""
        return {"x-hasura-admin-secret": ADMIN_SECRET, "x-hasura-role": "user",
                "x-hasura-user-id": user_id}


def timeline_stack(database_url: str, state_dir: Path, redis_url: str, name: str, *,
                   cache: str = "redis", with_triggers: bool = True,
                   extra_action_env: Mapping[str, str] | None = None,
                   extra_engine_env: Mapping[str, str] | None = None,
                   rate_limit: bool = True) -> TimelineStack:
    """Services (not started) for ``database_url``, caching in ``redis_url`` as ``cache``.

    ``rate_limit=False`` serves the metadata without its request-rate limit (benchmarks).
    """
    settings = dataclasses.replace(
        StackSettings.load(), state_dir=state_dir, triggers_port=free_port(),
        engine_port=free_port(), actions_port=free_port(), admin_secret=ADMIN_SECRET,
        action_shared_secret=SHARED_SECRET,
    )
    engine_url = f"http://127.0.0.1:{settings.engine_port}/v1/graphql"
    actions = HttpService(
        settings, f"{name}-actions", settings.actions_port,
        uvicorn_argv("actions.app:app", settings.actions_port),
        description="action service (homeTimeline)",
        env={
            "ACTION_SHARED_SECRET": SHARED_SECRET,
            # homeTimeline never calls Cognito; the service still needs its settings.
            "COGNITO_APP_CLIENT_ID": "timeline-tests",
            "REDIS_URL": redis_url,
            "HASURA_GRAPHQL_ENDPOINT": engine_url,
            "TIMELINE_CACHE": cache,
            **(extra_action_env or {}),
        },
    )
    triggers = None
    if with_triggers:
        triggers = TriggersService(settings)
        triggers.name = f"{name}-triggers"
        triggers.env["REDIS_URL"] = redis_url
    engine = EngineServer(
        database_url, settings.engine_port, admin_secret=ADMIN_SECRET, state_dir=state_dir,
        name=f"{name}-engine",
        extra_env={
            "ACTION_SHARED_SECRET": SHARED_SECRET,
            "ACTIONS_BASE_URL": actions.url(),
            "TRIGGERS_BASE_URL": triggers.url() if triggers else "http://127.0.0.1:9",
            "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo",
            "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "100",
            **(extra_engine_env or {}),
        },
    )
    return TimelineStack(database_url, engine, actions, triggers, rate_limit)
