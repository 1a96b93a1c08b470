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

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_POOL_SIZE = 10
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
    pool_size: int = DEFAULT_POOL_SIZE

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
            "pool_size": _int(env, "HASURA_GRAPHQL_PG_CONNECTIONS", DEFAULT_POOL_SIZE),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["pool_size"] < 1:
            raise SettingsError("HASURA_GRAPHQL_PG_CONNECTIONS must be at least 1")
        return cls(**values)


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
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
