"""Delivery settings shared by event and cron triggers, read once from the environment.

The names are Hasura's where Hasura has one (``HASURA_GRAPHQL_EVENTS_*``,
``HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


def _number(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"setting {key} must be a number, got {raw!r}") from None
    if value < 0:
        raise SystemExit(f"setting {key} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class DeliverySettings:
    """How the trigger workers fetch, lock and deliver."""

    http_pool_size: int = 100
    """Deliveries in flight at most (HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE)."""
    fetch_interval: float = 1.0
    """Seconds between polls without a notification (HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL, ms)."""
    fetch_batch_size: int = 100
    """Events locked per fetch (HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE)."""
    lock_timeout: float = 60.0
    """Seconds without a heartbeat after which another engine takes over work locked by a
    vanished one (ENGINE_EVENTS_LOCK_TIMEOUT_SECONDS). A live engine renews its locks every
    third of this, so a slow webhook keeps its lock; Hasura waits 30 minutes instead."""
    shutdown_timeout: float = 60.0
    """Seconds a stopping engine waits for deliveries in flight
    (HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT)."""

    @property
    def heartbeat_interval(self) -> float:
        """Seconds between two renewals of this engine's locks (a third of the timeout)."""
        return max(self.lock_timeout / 3, 0.1)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeliverySettings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        return cls(
            http_pool_size=max(1, int(_number(env, "HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE", 100))),
            fetch_interval=_number(env, "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL", 1000) / 1000,
            fetch_batch_size=max(
                1, int(_number(env, "HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE", 100))
            ),
            lock_timeout=_number(env, "ENGINE_EVENTS_LOCK_TIMEOUT_SECONDS", 60),
            shutdown_timeout=_number(env, "HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT", 60),
        )
