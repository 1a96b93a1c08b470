"""What the routes share: filled in by the app's lifespan once the database is reachable."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.auth.resolver import SessionResolver
from engine.limits.rate import Limiter, RateLimiter
from engine.metadata.manager import MetadataManager
from engine.response_cache import RedisResponseStore
from engine.server.graphql_state import GraphQLHolder
from engine.settings import EngineSettings
from engine.subscriptions.manager import SubscriptionManager


@dataclass
class ServerState:
    """Settings and session resolver; once started, metadata, GraphQL engine, subscriptions."""

    settings: EngineSettings
    resolver: SessionResolver
    graphql: GraphQLHolder | None = field(default=None)
    metadata: MetadataManager | None = field(default=None)
    subscriptions: SubscriptionManager | None = field(default=None)
    limiter: Limiter = field(default_factory=RateLimiter)
    """Rate-limit counters; kept across schema rebuilds (the limits come from the engine).
    In this process, or in Redis when ``HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL`` is set."""
    response_cache: RedisResponseStore | None = field(default=None)
    """Where ``@cached`` answers are kept (None: no ``HASURA_GRAPHQL_REDIS_URL``)."""
