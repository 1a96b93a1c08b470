"""The local Hasura-compatible engine (``python -m engine serve``) as a managed process.

:class:`EngineServer` starts one engine on a database and port of the caller's choosing
(the stack, test fixtures, the conformance runner); :class:`EngineService` is the stack's
``engine`` service built on it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from common.config import Environ
from common.engine_client import EngineClient
from devstack.paths import REPO_ROOT
from devstack.services.credit_history import credit_history_url
from devstack.services.http import HttpService, python_module_argv
from devstack.services.postgres import PostgresService
from devstack.settings import StackSettings

ENGINE_SERVICE = "engine"
ANONYMOUS_ROLE = "anonymous"


class EngineServer:
    """One engine process serving ``database_url`` on ``port`` (loopback)."""

    def __init__(
        self,
        database_url: str,
        port: int,
        *,
        admin_secret: str | None = None,
        jwt_secret: str | Mapping[str, Any] | None = None,
        unauthorized_role: str | None = ANONYMOUS_ROLE,
        stringify_numeric_types: bool = False,
        enable_console: bool = False,
        extra_env: Mapping[str, str] | None = None,
        state_dir: Path | None = None,
        name: str = ENGINE_SERVICE,
        start_timeout: float = 60.0,
    ) -> None:
        self.database_url = database_url
        self.port = port
        self.admin_secret = admin_secret
        self.jwt_secret = jwt_secret
        self.unauthorized_role = unauthorized_role
        self.stringify_numeric_types = stringify_numeric_types
        self.enable_console = enable_console
        self.extra_env = dict(extra_env or {})
        settings = StackSettings.load()
        if state_dir is not None:
            settings = dataclasses.replace(settings, state_dir=state_dir)
        self.service = HttpService(
            settings, name, port, python_module_argv("engine", "serve"),
            description="Hasura GraphQL Engine (local)", env=self.env(),
            start_timeout=start_timeout,
        )

    def env(self) -> dict[str, str]:
        """The engine's environment (every Hasura variable set, so none leaks in from ours)."""
        jwt = self.jwt_secret
        if jwt is not None and not isinstance(jwt, str):
            jwt = json.dumps(jwt)
        python_path = os.pathsep.join(p for p in (str(REPO_ROOT),
                                                  os.environ.get("PYTHONPATH", "")) if p)
        env = {
            "HASURA_GRAPHQL_DATABASE_URL": self.database_url,
            "HASURA_GRAPHQL_SERVER_PORT": str(self.port),
            "HASURA_GRAPHQL_SERVER_HOST": "127.0.0.1",
            "HASURA_GRAPHQL_ADMIN_SECRET": self.admin_secret or "",
            "HASURA_GRAPHQL_JWT_SECRET": jwt or "",
            "HASURA_GRAPHQL_UNAUTHORIZED_ROLE": self.unauthorized_role or "",
            "HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES": str(self.stringify_numeric_types).lower(),
            "HASURA_GRAPHQL_ENABLE_CONSOLE": str(self.enable_console).lower(),
            # The local stack trusts cognito-local's published key: development mode on
            # loopback is the one place the engine allows that (engine.auth.published_keys).
            "HASURA_GRAPHQL_DEV_MODE": "true",
            "ENGINE_WORKERS": "1",  # several only when asked (extra_env)
            "PYTHONPATH": python_path,
        }
        env.update(self.extra_env)
        return env

    def url(self) -> str:
        """The engine's base URL."""
        return self.service.url()

    def graphql_url(self) -> str:
        """The GraphQL endpoint."""
        return self.url() + "/v1/graphql"

    @property
    def pid(self) -> int | None:
        """The engine's pid while it runs."""
        process = self.service.process
        return None if process is None else process.pid

    @property
    def log_path(self) -> Path:
        """The engine's log file."""
        return self.service.settings.logs_dir / f"{self.service.name}.log"

    def start(self) -> None:
        """Start the engine and wait until ``/healthz`` answers."""
        self.service.start()

    def healthy(self) -> bool:
        """Whether ``/healthz`` answers 2xx."""
        return self.service.healthy()

    def stop(self) -> None:
        """Stop the engine (by pid) if this object started it."""
        self.service.stop()

    def __enter__(self) -> EngineServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class EngineService:
    """The stack's ``engine`` service: the app database, the stack's port and admin secret."""

    name = ENGINE_SERVICE

    def __init__(self, settings: StackSettings, postgres: PostgresService) -> None:
        self.settings = settings
        self.postgres = postgres
        self.server: EngineServer | None = None

    def _server(self) -> EngineServer:
        if self.server is None:
            # The caller's environment, read once, in the engine's own idiom.
            read = Environ()
            extra = {"ACTION_SHARED_SECRET": self.settings.action_shared_secret,
                     "ACTIONS_BASE_URL": f"http://127.0.0.1:{self.settings.actions_port}",
                     "TRIGGERS_BASE_URL": f"http://127.0.0.1:{self.settings.triggers_port}",
                     "CREDIT_HISTORY_URL": credit_history_url(self.settings),
                     "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS": "true"}
            # ENGINE_WORKERS: one process by default (see the README's "Several engine
            # processes": on a 2-core development machine a second one only competes with
            # PostgreSQL and the other services for the same cores).
            for name in ("ACTIONS_BASE_URL", "TRIGGERS_BASE_URL", "HASURA_GRAPHQL_PG_CONNECTIONS",
                         "CREDIT_HISTORY_URL", "ENGINE_WORKERS"):
                value = read.optional(name)
                if value is not None:
                    extra[name] = value
            self.server = EngineServer(
                self.postgres.database_url(), self.settings.engine_port,
                admin_secret=self.settings.admin_secret,
                jwt_secret=read.optional("HASURA_GRAPHQL_JWT_SECRET"),
                unauthorized_role=read.text("HASURA_GRAPHQL_UNAUTHORIZED_ROLE", ANONYMOUS_ROLE),
                stringify_numeric_types=read.boolean("HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES"),
                enable_console=True, extra_env=extra, state_dir=self.settings.state_dir,
            )
        return self.server

    def url(self) -> str:
        """The engine's base URL."""
        return f"http://127.0.0.1:{self.settings.engine_port}"

    def describe(self) -> str:
        """What this stands in for."""
        return "Hasura GraphQL Engine (local engine/)"

    def start(self) -> None:
        """Start the engine on the app database (settings read now, after earlier steps)."""
        self.server = None
        self._server().start()

    def healthy(self) -> bool:
        """Whether the engine answers ``/healthz`` (works from another process too)."""
        return self._server().healthy()


class EngineHandle(EngineClient):
    """A started engine (``.server``) with a client for it."""

    def __init__(self, server: EngineServer) -> None:
        super().__init__(server.url(), server.admin_secret)
        self.server = server
