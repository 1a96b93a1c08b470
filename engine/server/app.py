"""The engine's Starlette app: routes plus a lifespan that owns the pool and background services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from engine.auth.jwt import JwtAuthenticator
from engine.auth.jwt_config import JwtConfigError, parse_jwt_config
from engine.auth.resolver import SessionResolver
from engine.metadata.manager import MetadataManager
from engine.metadata.model import Metadata
from engine.server.admin_routes import AdminEndpoint
from engine.server.console import console
from engine.server.cors import preflight, request_origin, with_cors
from engine.server.database import create_pool
from engine.server.graphql_route import GraphQLEndpoint
from engine.server.graphql_state import GraphQLHolder, engine_options
from engine.server.lifecycle import ListenerGroup, listeners, load_plugins, providers
from engine.server.state import ServerState
from engine.settings import EngineSettings, SettingsError

logger = logging.getLogger("engine.server")

VERSION = "v2.44.0-local"
"""The Hasura version whose behaviour this engine follows, marked as the local engine."""


def build_resolver(settings: EngineSettings) -> SessionResolver:
    """The session resolver for ``settings``.

    Raises:
        SettingsError: ``HASURA_GRAPHQL_JWT_SECRET`` is not a usable configuration.
    """
    jwt = None
    if settings.jwt_secret is not None:
        try:
            jwt = JwtAuthenticator(parse_jwt_config(settings.jwt_secret))
        except JwtConfigError as exc:
            raise SettingsError(f"HASURA_GRAPHQL_JWT_SECRET: {exc}") from None
    secret = settings.admin_secret.reveal() if settings.admin_secret else None
    return SessionResolver(admin_secret=secret, jwt=jwt,
                           unauthorized_role=settings.unauthorized_role)


class EngineApp(Starlette):
    """Starlette, with CORS and ``POST /v1/graphql`` answered before routing and middleware.

    The GraphQL endpoint handles its own errors, so on the hot path the router's matching
    and the middleware stack are pure overhead (a few µs per request).
    """

    graphql_endpoint: GraphQLEndpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one ASGI event (CORS for browsers first, then the GraphQL fast path)."""
        if scope["type"] == "http":
            origin = request_origin(scope)
            if origin is not None:
                if scope["method"] == "OPTIONS":
                    await preflight(scope, receive, send, origin)
                    return
                send = with_cors(send, origin)
            if scope["path"] == "/v1/graphql" and scope["method"] == "POST":
                await self.graphql_endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: EngineSettings) -> Starlette:
    """The ASGI app serving Hasura's endpoints for ``settings``.

    Raises:
        SettingsError: a setting is unusable (checked before any connection is made).
    """
    state = ServerState(settings=settings, resolver=build_resolver(settings))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        load_plugins()
        pool = await create_pool(settings.database_url.reveal(), settings.pool_size)
        holder = GraphQLHolder(pool, engine_options(settings.stringify_numeric_types),
                               providers())
        group = ListenerGroup(listeners())

        async def on_change(metadata: Metadata) -> list[dict[str, Any]]:
            reported = await holder.rebuild(metadata)
            await group.apply(metadata)
            return reported

        manager = MetadataManager(pool, on_change)
        try:
            metadata = await manager.load()
            manager.merge_engine_inconsistencies(await holder.rebuild(metadata))
            state.graphql = holder
            state.metadata = manager
            await group.start(pool, metadata)
            yield
        finally:
            await group.stop()
            await pool.close()

    async def healthz(request: Request) -> Response:
        manager = state.metadata
        if manager is None:
            return PlainTextResponse("starting", status_code=503)
        if manager.inconsistencies:
            return PlainTextResponse("WARN: inconsistent objects in schema")
        return PlainTextResponse("OK")

    async def version(request: Request) -> Response:
        return JSONResponse({"version": VERSION, "server_type": "ce"})

    graphql = GraphQLEndpoint(state)
    routes = [
        Route("/v1/graphql", graphql, methods=["POST"]),
        Route("/v1alpha1/graphql", GraphQLEndpoint(state, legacy_statuses=True),
              methods=["POST"]),
        Route("/v1/metadata", AdminEndpoint(state, "metadata"), methods=["POST"]),
        Route("/v1/query", AdminEndpoint(state, "query"), methods=["POST"]),
        Route("/v2/query", AdminEndpoint(state, "v2query"), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/version", version, methods=["GET"]),
    ]
    if settings.enable_console:
        routes.append(Route("/console", console, methods=["GET"]))
    app = EngineApp(routes=routes, lifespan=lifespan)
    app.graphql_endpoint = graphql
    app.state.engine = state
    return app
