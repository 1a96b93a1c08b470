"""Delivery settings shared by event and cron triggers, read once from the environment.

The names are Hasura's where Hasura has one (``HASURA_GRAPHQL_EVENTS_*``,
``HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.config import Environ, SettingsError


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
        read = Environ(env)
        try:
            return cls(
                http_pool_size=max(1, int(read.number(
                    "HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE", 100, minimum=0))),
                fetch_interval=read.number(
                    "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL", 1000, minimum=0) / 1000,
                fetch_batch_size=max(1, int(read.number(
                    "HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE", 100, minimum=0))),
                lock_timeout=read.number("ENGINE_EVENTS_LOCK_TIMEOUT_SECONDS", 60, minimum=0),
                shutdown_timeout=read.number(
                    "HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT", 60, minimum=0),
            )
        except SettingsError as exc:
            raise SystemExit(str(exc)) from None
