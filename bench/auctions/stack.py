"""The processes of the auction path, started with devstack's classes (benchmark and tests).

Given PostgreSQL (migrated), Redis and moto, this starts the engine (project metadata,
HS256 JWTs), the action service, the trigger service, the Lambda Invoke API and the
SQS → Lambda pollers, on free loopback ports, and creates the queues and tables in moto.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devstack.hasura_project import metadata_dir
from devstack.hasura_project.engine_client import MetadataClient
from devstack.paths import HASURA_DIR
from devstack.ports import free_port
from devstack.services.auction_aws import QueueShape, auction_mappings, create_auction_resources
from devstack.services.engine import EngineServer
from devstack.services.event_sources import EventSourcesService
from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.settings import StackSettings


@dataclass(frozen=True)
class AuctionStackConfig:
    """What the auction processes are given."""

    settings: StackSettings
    """State folder and region (ports are chosen here)."""
    database_url: str
    redis_url: str
    aws_environment: Mapping[str, str]
    """moto's endpoint and credentials."""
    jwt_secret: Mapping[str, Any]
    admin_secret: str
    shared_secret: str
    queue_shape: QueueShape = field(default_factory=QueueShape)
    extra_environment: Mapping[str, str] = field(default_factory=dict)
    """Added to the action and trigger services (e.g. ``ANTI_SNIPE_SECONDS``)."""
    engine_environment: Mapping[str, str] = field(default_factory=dict)
    """Added to the engine's (e.g. a shorter live-query refetch interval)."""


@dataclass
class AuctionProcesses:
    """The started processes, in start order."""

    engine: EngineServer
    actions: HttpService
    triggers: HttpService
    runtime: LambdaRuntimeService
    pollers: EventSourcesService
    started: list[Any] = field(default_factory=list)

    @property
    def triggers_url(self) -> str:
        """The trigger service's base URL."""
        return self.triggers.url()

    def pids(self) -> dict[str, int | None]:
        """Each process's pid (for CPU accounting)."""
        return {
            "engine": self.engine.pid,
            **{s.name: (s.process.pid if s.process else None)
               for s in (self.actions, self.triggers, self.runtime, self.pollers)},
        }

    def stop(self) -> None:
        """Stop every process started, last first, by pid."""
        for service in reversed(self.started):
            service.stop()
        self.started.clear()


def start_auction_processes(config: AuctionStackConfig) -> AuctionProcesses:
    """Create the AWS resources, start the processes, apply the project's metadata.

    Each port is taken just before its server starts (other processes on the machine take
    free ports too), and the engine starts last: the others only need its URL.
    """
    settings = config.settings
    aws = dict(config.aws_environment)
    create_auction_resources(aws["AWS_ENDPOINT_URL"], settings.aws_region, config.queue_shape)
    engine_port = free_port()
    engine_env = {"HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{engine_port}/v1/graphql",
                  "HASURA_GRAPHQL_ADMIN_SECRET": config.admin_secret}
    common = {**aws, **engine_env, "ACTION_SHARED_SECRET": config.shared_secret,
              "REDIS_URL": config.redis_url, **config.extra_environment}
    started: list[Any] = []

    def run(service: Any) -> Any:
        service.start()
        started.append(service)
        return service

    try:
        port = free_port()
        actions = run(HttpService(settings, "actions", port, uvicorn_argv("actions.app:app", port),
                                  description="action service",
                                  env={**common, "COGNITO_APP_CLIENT_ID": "unused-by-auctions"}))
        port = free_port()
        triggers = run(HttpService(settings, "triggers", port,
                                   uvicorn_argv("triggers.app:app", port),
                                   description="trigger service", env=common))
        runtime = run(LambdaRuntimeService(
            dataclasses.replace(settings, lambda_port=free_port()),
            common_environment={**aws, **engine_env}))
        pollers = run(EventSourcesService(settings, free_port(), runtime.url(),
                                          auction_mappings(), aws))
        engine = run(EngineServer(
            config.database_url, engine_port, admin_secret=config.admin_secret,
            state_dir=settings.state_dir, name="engine", jwt_secret=dict(config.jwt_secret),
            extra_env={"ACTIONS_BASE_URL": actions.url(), "TRIGGERS_BASE_URL": triggers.url(),
                       "ACTION_SHARED_SECRET": config.shared_secret,
                       "EVENT_TRIGGER_URL": triggers.url() + "/echo",
                       "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200",
                       **config.engine_environment},
        ))
        # The auction path has no credit-history service: its remote schema is left out as
        # inconsistent (reported by the engine), as Hasura does with this flag.
        MetadataClient(engine.url(), config.admin_secret).call({
            "type": "replace_metadata", "version": 2,
            "args": {"allow_inconsistent_metadata": True,
                     "metadata": metadata_dir.read(HASURA_DIR).metadata}})
    except BaseException:
        for service in reversed(started):
            service.stop()
        raise
    return AuctionProcesses(engine, actions, triggers, runtime, pollers, started)
