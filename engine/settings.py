"""The engine's settings, read once from Hasura's environment variables (and ``serve`` flags).

Names and meanings follow Hasura's: ``HASURA_GRAPHQL_DATABASE_URL`` is required (start-up
fails naming it), everything else has a default. Secrets are wrapped so they never print.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from engine.server.client_address import parse_networks

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_POOL_SIZE = 10
DEFAULT_SUBSCRIPTION_POOL_SIZE = 4
DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_TRUE = {"true", "1", "yes", "on", "t"}
_FALSE = {"false", "0", "no", "off", "f", ""}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


class Secret:
    """A secret value that shows as ``**********`` in reprs and logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself (only for comparing or passing on, never for printing)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


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
    """``HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS``: a role sees a remote schema only
    through its permission SDL (off: every role sees the whole remote schema, as Hasura)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """``ENGINE_MAX_BODY_BYTES``: larger request bodies are refused with 413 unread."""
    cors_domains: tuple[str, ...] = ("*",)
    """``HASURA_GRAPHQL_CORS_DOMAIN``: ``*`` or the origins allowed (``*.`` wildcards)."""
    disable_cors: bool = False
    """``HASURA_GRAPHQL_DISABLE_CORS``: no CORS headers at all (browsers block cross-site)."""
    ws_read_cookie: bool = False
    gc_tuning: bool = True
    """``ENGINE_GC_TUNING``: freeze the start-up heap and collect garbage less often (see
    :mod:`engine.server.gc_pauses`); false keeps CPython's defaults."""
    """``HASURA_GRAPHQL_WS_READ_COOKIE``: with CORS disabled, still read a websocket's Cookie."""
    trusted_proxies: tuple[str, ...] = ()
    """``ENGINE_TRUSTED_PROXIES``: peers whose ``X-Forwarded-For`` names the client."""

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
        env = os.environ if env is None else env
        url = env.get("HASURA_GRAPHQL_DATABASE_URL", "").strip()
        if not url:
            raise SettingsError("HASURA_GRAPHQL_DATABASE_URL is required (the PostgreSQL URL)")
        values: dict[str, Any] = {
            "database_url": Secret(url),
            "admin_secret": _secret(env.get("HASURA_GRAPHQL_ADMIN_SECRET")),
            "jwt_secret": _json_object(env, "HASURA_GRAPHQL_JWT_SECRET"),
            "unauthorized_role": env.get("HASURA_GRAPHQL_UNAUTHORIZED_ROLE") or None,
            "host": env.get("HASURA_GRAPHQL_SERVER_HOST") or DEFAULT_HOST,
            "port": _int(env, "HASURA_GRAPHQL_SERVER_PORT", DEFAULT_PORT),
            "stringify_numeric_types": _bool(env, "HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES"),
            "enable_console": _bool(env, "HASURA_GRAPHQL_ENABLE_CONSOLE"),
            "dev_mode": _bool(env, "HASURA_GRAPHQL_DEV_MODE"),
            "pool_size": _int(env, "HASURA_GRAPHQL_PG_CONNECTIONS", DEFAULT_POOL_SIZE),
            "subscription_pool_size": _int(env, "ENGINE_SUBSCRIPTION_PG_CONNECTIONS",
                                           DEFAULT_SUBSCRIPTION_POOL_SIZE),
            "live_queries_refetch_interval": _int(
                env, "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL", 1000) / 1000,
            "live_queries_batch_size": _int(
                env, "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_BATCH_SIZE", 100),
            "streaming_queries_refetch_interval": _int(
                env, "HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_REFETCH_INTERVAL", 1000) / 1000,
            "streaming_queries_batch_size": _int(
                env, "HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_BATCH_SIZE", 100),
            "websocket_keepalive": float(_int(env, "HASURA_GRAPHQL_WEBSOCKET_KEEPALIVE", 5)),
            "websocket_init_timeout": float(
                _int(env, "HASURA_GRAPHQL_WEBSOCKET_CONNECTION_INIT_TIMEOUT", 3)),
            "websocket_max_message_size": _int(
                env, "ENGINE_WEBSOCKET_MAX_MESSAGE_SIZE", DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE),
            "infer_function_permissions": _bool(env, "HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS",
                                                True),
            "enable_remote_schema_permissions": _bool(
                env, "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS"),
            "max_body_bytes": _int(env, "ENGINE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            "cors_domains": _list(env.get("HASURA_GRAPHQL_CORS_DOMAIN", "*")) or ("*",),
            "disable_cors": _bool(env, "HASURA_GRAPHQL_DISABLE_CORS"),
            "ws_read_cookie": _bool(env, "HASURA_GRAPHQL_WS_READ_COOKIE"),
            "gc_tuning": _bool(env, "ENGINE_GC_TUNING", True),
            "trusted_proxies": _list(env.get("ENGINE_TRUSTED_PROXIES", "")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["pool_size"] < 1:
            raise SettingsError("HASURA_GRAPHQL_PG_CONNECTIONS must be at least 1")
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
                          ("ENGINE_SUBSCRIPTION_PG_CONNECTIONS", "subscription_pool_size")):
            if values[key] <= 0:
                raise SettingsError(f"{name} must be positive")
        if values["max_body_bytes"] < 1024:
            raise SettingsError("ENGINE_MAX_BODY_BYTES must be at least 1024")
        try:
            parse_networks(",".join(values["trusted_proxies"]))
        except ValueError as exc:
            raise SettingsError(f"ENGINE_TRUSTED_PROXIES: {exc}") from None
        return cls(**values)


def _list(raw: str) -> tuple[str, ...]:
    """A comma-separated setting as its non-empty entries."""
    return tuple(e.strip() for e in raw.split(",") if e.strip())


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None


def _json_object(env: Mapping[str, str], name: str) -> dict[str, Any] | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # The value holds a key: name the setting, never echo it.
        raise SettingsError(f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{name} must be a JSON object")
    return value
