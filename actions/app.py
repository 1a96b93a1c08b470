"""The action service (``actions.app:app``): Hasura posts every action here.

``POST /<action name>`` with Hasura's body ``{action: {name}, input, session_variables,
request_query}`` and the ``X-Action-Secret`` header. Answers the action's output with 200,
or ``{message, extensions: {code}}`` with a 4xx that Hasura passes on to the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from pydantic import ValidationError
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actions.client_ip import client_ip, gateway_source_ip
from actions.cognito import Cognito
from actions.context import ActionContext
from actions.dispatcher import dispatch
from actions.errors import InvalidInputError
from actions.models import ActionPayload, SessionVariables
from actions.rate_limit import RateLimiter
from actions.redis_iam import RedisIamSettings, redis_from_url
from actions.settings import ActionSettings, get_settings
from auctions.service import AuctionService
from auctions.settings import AuctionSettings, get_auction_settings
from common.errors import ServiceError
from common.shared_secret import require_secret
from timeline.service import build_home_timeline
from timeline.settings import get_timeline_settings

logger = logging.getLogger("actions")


class JSONBody(Response):
    """A JSON response rendered with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialise ``content``."""
        return orjson.dumps(content)


def redis_client(settings: ActionSettings, iam: RedisIamSettings | None = None) -> Redis:
    """The service's Redis (rate limits, timeline, bids): IAM on AWS, plain on loopback.

    A blocking pool: past ``redis_max_connections`` a burst of calls waits for a free
    connection (up to ``redis_pool_timeout_seconds``) instead of failing with redis-py's
    "Too many connections".
    """
    return redis_from_url(settings.redis_url, iam,
                          max_connections=settings.redis_max_connections,
                          pool_timeout=settings.redis_pool_timeout_seconds)


class ActionService:
    """The service's long-lived parts, built once at start-up."""

    def __init__(self, settings: ActionSettings, cognito: Cognito | None = None,
                 auction_settings: AuctionSettings | None = None) -> None:
        self.settings = settings
        self.secret = settings.shared_secret(settings.cognito_region)
        self.cognito = cognito or Cognito(settings)
        self.redis = redis_client(settings)
        self.limiter = RateLimiter(
            self.redis, settings.rate_limit_attempts, settings.rate_limit_window_seconds)
        timeline = get_timeline_settings()
        # One Redis pool for the rate limiter and the timeline when they share a server.
        self.timeline = build_home_timeline(
            timeline, self.redis if timeline.redis_url == settings.redis_url else None)
        auction_settings = auction_settings or get_auction_settings()
        self.auctions = (AuctionService(auction_settings, self.redis)
                         if auction_settings.configured else None)

    async def handle(self, request: Request) -> Response:
        """Run one action call; every failure becomes ``{message, extensions}``."""
        started = time.perf_counter()
        name = request.path_params["name"]
        try:
            require_secret(request.headers, self.secret)
            payload = _parse_payload(await request.body())
            if payload.action.name != name:
                raise InvalidInputError(
                    f"Action {payload.action.name!r} was posted to the handler of {name!r}.")
            try:
                session = SessionVariables.model_validate(payload.session_variables)
            except ValidationError:
                raise InvalidInputError("Session variables need x-hasura-role.") from None
            address = client_ip(request.headers, self.settings.rate_limit_trusted_hops,
                                gateway_source_ip(request.scope))
            ctx = ActionContext(session, address, self.cognito, self.limiter, self.settings,
                                self.timeline, self.auctions)
            result = await dispatch(name, payload.input, ctx)
        except ServiceError as exc:
            _log(name, exc.status, exc.code, started)
            return JSONBody(exc.to_json(), status_code=exc.status)
        _log(name, 200, "ok", started)
        return JSONBody(result)

    def start(self) -> None:
        """Start background work (the auction outbox forwarder)."""
        if self.auctions is not None:
            self.auctions.start()

    async def close(self) -> None:
        """Release the Redis, Cognito, timeline and auction connections."""
        if self.auctions is not None:
            await self.auctions.close()  # stops the forwarder; the Redis pool is ours
        await self.redis.aclose()
        await self.timeline.close()
        self.cognito.idp.close()


def _parse_payload(body: bytes) -> ActionPayload:
    try:
        return ActionPayload.model_validate(orjson.loads(body))
    except (orjson.JSONDecodeError, ValidationError):
        raise InvalidInputError("The body is not an action call.") from None


def _log(name: str, status: int, code: str, started: float) -> None:
    # Only the action, the outcome and the time: never input, tokens or session values.
    logger.info("action=%s status=%d code=%s ms=%.1f", name, status, code,
                (time.perf_counter() - started) * 1000)


def create_app(service: ActionService | None = None) -> Starlette:
    """The Starlette app; ``service`` defaults to one built from the environment."""
    holder: dict[str, ActionService] = {}

    def current() -> ActionService:
        if "service" not in holder:
            holder["service"] = service or ActionService(get_settings())
        return holder["service"]

    async def run_action(request: Request) -> Response:
        return await current().handle(request)

    async def health(request: Request) -> Response:
        return JSONBody({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        current().start()  # read settings now: a missing one stops the start-up, not a request
        yield
        await current().close()

    return Starlette(
        routes=[
            Route("/healthz", health, methods=["GET"]),
            Route("/{name}", run_action, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


app = create_app()
