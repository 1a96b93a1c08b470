"""The engine's settings, read once from Hasura's environment variables (and ``serve`` flags).

Names and meanings follow Hasura's: ``HASURA_GRAPHQL_DATABASE_URL`` is required (start-up
fails naming it), everything else has a default. Secrets are wrapped so they never print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from common.config import Environ, Secret, SettingsError
from engine.server.client_address import parse_networks

__all__ = ["EngineSettings", "Secret", "SettingsError"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_POOL_SIZE = 10
DEFAULT_SUBSCRIPTION_POOL_SIZE = 4
DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_BACKGROUND_POOL_SIZE = 5
DEFAULT_CACHE_MAX_ENTRY_TTL = 3600
DEFAULT_SCHEMA_SYNC_POLL_INTERVAL_MS = 1000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class EngineSettings:
    """Everything the engine process needs, typed."""

    database_url: Secret
    admin_secret: Secret | None = None
    jwt_secret: Mapping[str, Any] | None = field(default=None, repr=False)
    """The parsed ``HASURA_GRAPHQL_JWT_SECRET`` JSON (see :mod:`engine.auth.jwt_config`)."""
    unauthorized_role: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    stringify_numeric_types: bool = False
    enable_console: bool = False
    dev_mode: bool = False
    """``HASURA_GRAPHQL_DEV_MODE``: developer endpoints (``/dev/subscriptions``, admin only);
    also the one mode in which a published signing key may be trusted (on loopback)."""
    pool_size: int = DEFAULT_POOL_SIZE
    subscription_pool_size: int = DEFAULT_SUBSCRIPTION_POOL_SIZE
    """``ENGINE_SUBSCRIPTION_PG_CONNECTIONS``: the live-query and stream pollers' own pool,
    so a poll of many batches never takes the connections requests and ``/healthz`` need."""
    live_queries_refetch_interval: float = 1.0
    """Seconds between polls of a live query (Hasura's setting is in milliseconds)."""
    live_queries_batch_size: int = 100
    """Cohorts answered by one statement."""
    streaming_queries_refetch_interval: float = 1.0
    streaming_queries_batch_size: int = 100
    websocket_keepalive: float = 5.0
    """Seconds between keep-alive messages (``ka`` or ``ping``)."""
    websocket_init_timeout: float = 3.0
    """Seconds a client has to send ``connection_init``."""
    websocket_max_message_size: int = DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE
    """Bytes; a larger client message closes the socket with 1009 (message too big)."""
    infer_function_permissions: bool = True
    enable_remote_schema_permissions: bool = False
    admin_internal_errors: bool = True
    """``HASURA_GRAPHQL_ADMIN_INTERNAL_ERRORS`` (Hasura's default true): errors answered to
    admin carry their ``extensions.internal`` detail (with ``dev_mode``: every role's do)."""
    """``HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS``: a role sees a remote schema only
    through its permission SDL (off: every role sees the whole remote schema, as Hasura)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """``ENGINE_MAX_BODY_BYTES``: larger request bodies are refused with 413 unread."""
    cors_domains: tuple[str, ...] = ("*",)
    """``HASURA_GRAPHQL_CORS_DOMAIN``: ``*`` or the origins allowed (``*.`` wildcards)."""
    disable_cors: bool = False
    """``HASURA_GRAPHQL_DISABLE_CORS``: no CORS headers at all (browsers block cross-site)."""
    ws_read_cookie: bool = False
    """``HASURA_GRAPHQL_WS_READ_COOKIE``: with CORS disabled, still read a websocket's Cookie."""
    gc_tuning: bool = True
    """``ENGINE_GC_TUNING``: freeze the start-up heap and collect garbage less often (see
    :mod:`engine.server.gc_pauses`); false keeps CPython's defaults."""
    trusted_proxies: tuple[str, ...] = ()
    """``ENGINE_TRUSTED_PROXIES``: peers whose ``X-Forwarded-For`` names the client."""
    background_pool_size: int = DEFAULT_BACKGROUND_POOL_SIZE
    """``ENGINE_BACKGROUND_PG_CONNECTIONS``: the pool of the background loops (event, cron
    and one-off scheduled deliveries), apart from the request pool."""
    rate_limit_redis_url: Secret | None = None
    """``HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL`` (else ``HASURA_GRAPHQL_REDIS_URL``): where
    rate-limit counters are shared by every engine process; unset, each process counts."""
    redis_url: Secret | None = None
    """``HASURA_GRAPHQL_REDIS_URL``: the response cache of ``@cached`` queries (without it
    the directive is accepted and ignored, as in Hasura Community Edition)."""
    cache_max_entry_ttl: int = DEFAULT_CACHE_MAX_ENTRY_TTL
    """``HASURA_GRAPHQL_CACHE_MAX_ENTRY_TTL``: seconds; a longer ``ttl`` is cut to it."""
    workers: int = 1
    """``ENGINE_WORKERS`` (``serve --workers``): engine processes serving the one port
    (see :mod:`engine.server.workers`); each has its own pools, pollers and limits."""
    schema_sync_poll_interval: float = DEFAULT_SCHEMA_SYNC_POLL_INTERVAL_MS / 1000
    """``HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL`` (milliseconds, Hasura's default 1000; 0
    turns the sync off): how often this instance looks for metadata changed by another
    instance on the same database, besides being told at once by ``NOTIFY``
    (:mod:`engine.metadata.sync`). Seconds here."""

    @property
    def loopback_only(self) -> bool:
        """Whether the engine listens on the loopback interface only."""
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> EngineSettings:
        """Read the settings from ``env`` (default ``os.environ``); ``overrides`` win (CLI flags).

        Raises:
            SettingsError: a required setting is missing or a value does not parse.
        """
        read = Environ(env)
        values: dict[str, Any] = {
            "database_url": Secret(read.required("HASURA_GRAPHQL_DATABASE_URL",
                                                "the PostgreSQL URL")),
            "admin_secret": read.secret("HASURA_GRAPHQL_ADMIN_SECRET"),
            "jwt_secret": _json_object(read, "HASURA_GRAPHQL_JWT_SECRET"),
            "unauthorized_role": read.optional("HASURA_GRAPHQL_UNAUTHORIZED_ROLE"),
            "host": read.text("HASURA_GRAPHQL_SERVER_HOST", DEFAULT_HOST),
            "port": read.integer("HASURA_GRAPHQL_SERVER_PORT", DEFAULT_PORT),
            "stringify_numeric_types": read.boolean("HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES"),
            "enable_console": read.boolean("HASURA_GRAPHQL_ENABLE_CONSOLE"),
            "dev_mode": read.boolean("HASURA_GRAPHQL_DEV_MODE"),
            "pool_size": read.integer("HASURA_GRAPHQL_PG_CONNECTIONS", DEFAULT_POOL_SIZE),
            "subscription_pool_size": read.integer("ENGINE_SUBSCRIPTION_PG_CONNECTIONS",
                                                   DEFAULT_SUBSCRIPTION_POOL_SIZE),
            "live_queries_refetch_interval": read.integer(
                "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL", 1000) / 1000,
            "live_queries_batch_size": read.integer(
                "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_BATCH_SIZE", 100),
            "streaming_queries_refetch_interval": read.integer(
                "HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_REFETCH_INTERVAL", 1000) / 1000,
            "streaming_queries_batch_size": read.integer(
                "HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_BATCH_SIZE", 100),
            "websocket_keepalive": float(read.integer("HASURA_GRAPHQL_WEBSOCKET_KEEPALIVE", 5)),
            "websocket_init_timeout": float(
                read.integer("HASURA_GRAPHQL_WEBSOCKET_CONNECTION_INIT_TIMEOUT", 3)),
            "websocket_max_message_size": read.integer(
                "ENGINE_WEBSOCKET_MAX_MESSAGE_SIZE", DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE),
            "infer_function_permissions": read.boolean(
                "HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS", True),
            "enable_remote_schema_permissions": read.boolean(
                "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS"),
            "admin_internal_errors": read.boolean("HASURA_GRAPHQL_ADMIN_INTERNAL_ERRORS", True),
            "max_body_bytes": read.integer("ENGINE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            "cors_domains": read.items("HASURA_GRAPHQL_CORS_DOMAIN", "*") or ("*",),
            "disable_cors": read.boolean("HASURA_GRAPHQL_DISABLE_CORS"),
            "ws_read_cookie": read.boolean("HASURA_GRAPHQL_WS_READ_COOKIE"),
            "gc_tuning": read.boolean("ENGINE_GC_TUNING", True),
            "trusted_proxies": read.items("ENGINE_TRUSTED_PROXIES"),
            "background_pool_size": read.integer("ENGINE_BACKGROUND_PG_CONNECTIONS",
                                                 DEFAULT_BACKGROUND_POOL_SIZE),
            "rate_limit_redis_url": (read.secret("HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL")
                                     or read.secret("HASURA_GRAPHQL_REDIS_URL")),
            "redis_url": read.secret("HASURA_GRAPHQL_REDIS_URL"),
            "cache_max_entry_ttl": read.integer("HASURA_GRAPHQL_CACHE_MAX_ENTRY_TTL",
                                                DEFAULT_CACHE_MAX_ENTRY_TTL),
            "workers": read.integer("ENGINE_WORKERS", 1, minimum=1),
            "schema_sync_poll_interval": read.integer(
                "HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL", DEFAULT_SCHEMA_SYNC_POLL_INTERVAL_MS,
                minimum=0) / 1000,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["workers"] < 1:
            raise SettingsError("ENGINE_WORKERS (--workers) must be at least 1")
        if values["pool_size"] < 1:
            raise SettingsError("HASURA_GRAPHQL_PG_CONNECTIONS must be at least 1")
        if values["background_pool_size"] < 1:
            raise SettingsError("ENGINE_BACKGROUND_PG_CONNECTIONS must be at least 1")
        for name, key in (("HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL",
                           "live_queries_refetch_interval"),
                          ("HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_BATCH_SIZE",
                           "live_queries_batch_size"),
                          ("HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_REFETCH_INTERVAL",
                           "streaming_queries_refetch_interval"),
                          ("HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_BATCH_SIZE",
                           "streaming_queries_batch_size"),
                          ("HASURA_GRAPHQL_WEBSOCKET_KEEPALIVE", "websocket_keepalive"),
                          ("ENGINE_WEBSOCKET_MAX_MESSAGE_SIZE", "websocket_max_message_size"),
                          ("ENGINE_SUBSCRIPTION_PG_CONNECTIONS", "subscription_pool_size"),
                          ("HASURA_GRAPHQL_CACHE_MAX_ENTRY_TTL", "cache_max_entry_ttl")):
            if values[key] <= 0:
                raise SettingsError(f"{name} must be positive")
        if values["max_body_bytes"] < 1024:
            raise SettingsError("ENGINE_MAX_BODY_BYTES must be at least 1024")
        try:
            parse_networks(",".join(values["trusted_proxies"]))
        except ValueError as exc:
            raise SettingsError(f"ENGINE_TRUSTED_PROXIES: {exc}") from None
        return cls(**values)


def _json_object(read: Environ, name: str) -> dict[str, Any] | None:
    raw = read.raw(name)
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # The value holds a key: name the setting, never echo it.
        raise SettingsError(f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{name} must be a JSON object")
    return value
