"""The engine's Starlette app: routes plus a lifespan that owns the pool and background services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from engine.auth.jwt import JwtAuthenticator
from engine.auth.jwt_config import JwtConfigError, parse_jwt_config
from engine.auth.published_keys import refusal
from engine.auth.resolver import SessionResolver
from engine.console.routes import console_routes
from engine.limits.shared_rate import SharedRateLimiter
from engine.metadata.manager import MetadataManager
from engine.metadata.model import Metadata
from engine.metadata.sync import SchemaSync
from engine.response_cache import RedisResponseStore
from engine.response_cache.routes import clear_endpoint
from engine.server import gc_pauses
from engine.server.admin_only import admin_only_response, admin_refusal
from engine.server.admin_routes import AdminEndpoint
from engine.server.cors import CorsPolicy, preflight, with_cors
from engine.server.database import create_pool, database_reachable
from engine.server.graphql_route import GraphQLEndpoint
from engine.server.graphql_state import GraphQLHolder, engine_options
from engine.server.lifecycle import ListenerGroup, listeners, load_plugins, providers
from engine.server.state import ServerState
from engine.server.websocket import GraphQLWebSocket
from engine.settings import EngineSettings, SettingsError
from engine.subscriptions.manager import SubscriptionManager, SubscriptionOptions

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
            jwt = JwtAuthenticator(parse_jwt_config(settings.jwt_secret),
                                   allow_published=allows_published_keys(settings))
        except JwtConfigError as exc:
            raise SettingsError(f"HASURA_GRAPHQL_JWT_SECRET: {exc}") from None
    secret = settings.admin_secret.reveal() if settings.admin_secret else None
    return SessionResolver(admin_secret=secret, jwt=jwt,
                           unauthorized_role=settings.unauthorized_role)


def subscription_options(settings: EngineSettings) -> SubscriptionOptions:
    """The pollers' intervals and batch sizes from the settings."""
    return SubscriptionOptions(
        live_interval=settings.live_queries_refetch_interval,
        live_batch_size=settings.live_queries_batch_size,
        stream_interval=settings.streaming_queries_refetch_interval,
        stream_batch_size=settings.streaming_queries_batch_size)


def allows_published_keys(settings: EngineSettings) -> bool:
    """Whether a published signing key may be trusted: development mode on loopback only."""
    return settings.dev_mode and settings.loopback_only


async def refuse_published_jwks(resolver: SessionResolver) -> None:
    """Fetch the JWKS once at start-up and refuse to start if it holds a published key.

    A key set that cannot be fetched yet is not an error here (the key server may start
    later); the key is kept out of every later fetch all the same.

    Raises:
        SettingsError: the key set holds a published key and it is not allowed.
    """
    jwt = resolver.jwt
    if jwt is None or jwt.jwks is None or jwt.allow_published:
        return
    await jwt.jwks.key_for(None)
    if jwt.jwks.published_seen is not None:
        raise SettingsError("HASURA_GRAPHQL_JWT_SECRET: " + refusal(
            jwt.jwks.published_seen, f"the key set at {jwt.jwks.url}"))


class EngineApp(Starlette):
    """Starlette, with CORS, ``POST /v1/graphql`` and the websockets before the router.

    ``POST /v1/graphql`` and the GraphQL websockets are answered before routing and
    middleware. The GraphQL endpoint and the websockets handle their own errors, so on the hot path
    the router's matching and the middleware stack are pure overhead (a few µs per
    request or message).
    """

    graphql_endpoint: GraphQLEndpoint
    direct_routes: dict[bytes, GraphQLEndpoint]
    """The POST routes the engine's HTTP protocol answers without the ASGI cycle
    (:mod:`engine.server.direct_cycle`), by raw path; each renders the CORS headers of its
    answers itself (``GraphQLEndpoint.cors``)."""
    graphql_websocket: GraphQLWebSocket
    relay_websocket: GraphQLWebSocket
    cors: CorsPolicy

    async def close_websockets(self) -> None:
        """Close every GraphQL websocket with 1001 (going away): the server is stopping."""
        await self.graphql_websocket.close_all(1001, "server shutting down")
        await self.relay_websocket.close_all(1001, "server shutting down")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one ASGI event (CORS for browsers first, then the GraphQL fast path)."""
        if scope["type"] == "http":
            cors = self.cors.for_request(scope["headers"])
            if cors is not None:
                if scope["method"] == "OPTIONS":
                    await preflight(scope, receive, send, cors)
                    return
                send = with_cors(send, cors)
            if scope["path"] == "/v1/graphql" and scope["method"] == "POST":
                await self.graphql_endpoint(scope, receive, send)
                return
        elif scope["type"] == "websocket":
            # Straight to the socket's handler: every message it sends would otherwise
            # pass through the middleware's send wrappers, and every socket would keep
            # their frames alive for its whole life.
            if scope["path"] == "/v1/graphql":
                await self.graphql_websocket(scope, receive, send)
                return
            if scope["path"] == "/v1beta1/relay":
                await self.relay_websocket(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: EngineSettings) -> EngineApp:
    """The ASGI app serving Hasura's endpoints for ``settings``.

    Raises:
        SettingsError: a setting is unusable (checked before any connection is made).
    """
    state = ServerState(settings=settings, resolver=build_resolver(settings))
    if settings.redis_url is not None:
        state.response_cache = RedisResponseStore.from_url(settings.redis_url.reveal(),
                                                           settings.cache_max_entry_ttl)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await refuse_published_jwks(state.resolver)
        load_plugins()
        if settings.rate_limit_redis_url is not None:
            state.limiter = SharedRateLimiter(settings.rate_limit_redis_url.reveal())
        url = settings.database_url.reveal()
        # The subscription pollers have their own pool: a poll of many batches never
        # leaves a request (or /healthz) waiting for a connection.
        pool = await create_pool(url, settings.pool_size)
        poll_pool = await create_pool(url, settings.subscription_pool_size, min_size=0)
        # The delivery loops hold connections while they run: they get a pool of their own.
        background = await create_pool(url, settings.background_pool_size)
        options = engine_options(settings.stringify_numeric_types,
                                 settings.infer_function_permissions,
                                 settings.enable_remote_schema_permissions,
                                 settings.admin_internal_errors, settings.dev_mode)
        holder = GraphQLHolder(pool, options, providers())
        group = ListenerGroup(listeners())
        subscriptions = SubscriptionManager(poll_pool, subscription_options(settings))

        async def on_change(metadata: Metadata) -> list[dict[str, Any]]:
            before = holder.current
            reported = await holder.rebuild(metadata)
            if holder.current is not None and holder.current is not before:
                subscriptions.rebuild(holder.current)
            await group.apply(metadata)
            return reported

        manager = MetadataManager(pool, on_change, options)
        sync = SchemaSync(manager, url, settings.schema_sync_poll_interval)
        try:
            metadata = await manager.load()
            manager.merge_engine_inconsistencies(await holder.rebuild(metadata))
            state.graphql = holder
            state.metadata = manager
            state.subscriptions = subscriptions
            await group.start(pool, metadata, background)
            sync.start()
            if settings.gc_tuning:
                gc_pauses.tune()
            gc_pauses.measure()  # the pauses while serving (not the start-up collection)
            yield
        finally:
            await sync.stop()
            await websocket.close_all(1001, "server shutting down")
            await relay_websocket.close_all(1001, "server shutting down")
            await subscriptions.close()
            await group.stop()
            if holder.current is not None:  # the pool's close waits for what it holds
                await holder.current.connections.close()
            await asyncio.gather(pool.close(), poll_pool.close(), background.close())
            await state.limiter.close()
            if state.response_cache is not None:
                await state.response_cache.close()

    async def healthz(request: Request) -> Response:
        manager = state.metadata
        holder = state.graphql
        if manager is None or holder is None:
            return PlainTextResponse("starting", status_code=503)
        if not await database_reachable(holder.pool):
            # As Hasura: 500 "ERROR", so a load balancer takes the instance out.
            return PlainTextResponse("ERROR", status_code=500)
        if manager.inconsistencies:
            return PlainTextResponse("WARN: inconsistent objects in schema")
        return PlainTextResponse("OK")

    async def dev_subscriptions(request: Request) -> Response:
        # Hasura's developer API: the live pollers, for the admin only.
        refused = await admin_refusal(state, request)
        if refused is not None:
            return refused
        if state.subscriptions is None:
            return admin_only_response()
        return JSONResponse({**state.subscriptions.stats(), "gc": gc_pauses.PAUSES.stats()})

    async def version(request: Request) -> Response:
        return JSONResponse({"version": VERSION, "server_type": "ce"})

    cors = CorsPolicy.from_settings(settings.cors_domains, settings.disable_cors)
    graphql = GraphQLEndpoint(state, cors=cors)
    websocket = GraphQLWebSocket(state, cors)
    relay_websocket = GraphQLWebSocket(state, cors, relay=True)
    legacy = GraphQLEndpoint(state, legacy_statuses=True, cors=cors)
    relay = GraphQLEndpoint(state, relay=True, cors=cors)
    routes = [
        Route("/v1/graphql", graphql, methods=["POST"]),
        WebSocketRoute("/v1/graphql", websocket),
        Route("/v1alpha1/graphql", legacy, methods=["POST"]),
        Route("/v1beta1/relay", relay, methods=["POST"]),
        WebSocketRoute("/v1beta1/relay", relay_websocket),
        Route("/v1/metadata", AdminEndpoint(state, "metadata"), methods=["POST"]),
        Route("/v1/query", AdminEndpoint(state, "query"), methods=["POST"]),
        Route("/v2/query", AdminEndpoint(state, "v2query"), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/hasura/healthz", healthz, methods=["GET"]),
        Route("/v1/version", version, methods=["GET"]),
    ]
    if state.response_cache is not None:
        routes.append(Route("/pro/cache/clear", clear_endpoint(state, state.response_cache),
                            methods=["POST"]))
    if settings.dev_mode:
        routes.append(Route("/dev/subscriptions", dev_subscriptions, methods=["GET"]))
    if settings.enable_console:
        routes.extend(console_routes())
    app = EngineApp(routes=routes, lifespan=lifespan)
    app.graphql_endpoint = graphql
    app.direct_routes = {b"/v1/graphql": graphql, b"/v1alpha1/graphql": legacy,
                         b"/v1beta1/relay": relay}
    app.graphql_websocket = websocket
    app.relay_websocket = relay_websocket
    app.cors = cors
    app.state.engine = state
    return app
