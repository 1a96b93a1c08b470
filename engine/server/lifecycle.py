"""Background services that follow the engine's metadata (event triggers, cron triggers, ...).

A metadata listener is started once the database pool and the stored metadata are available,
is told about every metadata change after it is committed, and is stopped when the server
shuts down. Listeners register themselves at import time::

    from engine.server.lifecycle import register_listener

    class EventDelivery:
        async def start(self, pool, metadata): ...
        async def apply(self, metadata): ...
        async def stop(self): ...

    register_listener(EventDelivery())

A listener whose loops hold connections for as long as they run (event, cron and one-off
deliveries) sets ``background_pool = True``: it is started with the engine's background
pool instead of the request pool, so its loops can never take the connections requests
and ``/healthz`` need, however small ``HASURA_GRAPHQL_PG_CONNECTIONS`` is.

Packages that add root fields to the GraphQL schema (actions) register a provider with
:func:`register_provider`.

The server imports the packages named in :data:`PLUGIN_PACKAGES` before it starts, so a
package registers its listeners (and its metadata API operations, see
:mod:`engine.metadata.ops`) from its ``__init__``. A package that does not exist yet is
skipped. A listener that raises is logged and does not stop the server or the others.

("Subscriber" is kept for GraphQL subscriptions: :mod:`engine.subscriptions`.)
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import asyncpg

logger = logging.getLogger("engine.lifecycle")

PLUGIN_PACKAGES: tuple[str, ...] = ("engine.events", "engine.cron", "engine.actions",
                                     "engine.remote")
"""Packages imported at start-up so they can register listeners and metadata operations."""


@runtime_checkable
class MetadataListener(Protocol):
    """A background service driven by the metadata (the v3 export JSON)."""

    async def start(self, pool: asyncpg.Pool, metadata: Mapping[str, Any]) -> None:
        """Start with the database pool and the metadata in force at start-up."""

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Take a committed metadata change into account (called after every change)."""

    async def stop(self) -> None:
        """Stop every task the listener started."""


_LISTENERS: list[MetadataListener] = []
_PROVIDERS: list[Any] = []


def register_provider(provider: Any) -> Any:
    """Add a root-field provider (see :mod:`engine.graphql.providers`) to every schema built.

    Providers are passed to ``GraphQLEngine.build`` on every rebuild; returns ``provider``.
    """
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def providers() -> list[Any]:
    """The registered root-field providers, in registration order."""
    return list(_PROVIDERS)


def register_listener(listener: MetadataListener) -> MetadataListener:
    """Add ``listener`` to those every server of this process starts; returns it."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def listeners() -> list[MetadataListener]:
    """The registered metadata listeners, in registration order."""
    return list(_LISTENERS)


def load_plugins(packages: tuple[str, ...] = PLUGIN_PACKAGES) -> list[str]:
    """Import the plugin packages that exist; returns the names imported."""
    loaded = []
    for name in packages:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only a missing package itself is expected; a missing dependency inside it is a bug.
            if exc.name != name:
                raise
            continue
        loaded.append(name)
    return loaded


class ListenerGroup:
    """Starts, notifies and stops a list of metadata listeners, isolating their failures."""

    def __init__(self, members: list[MetadataListener]) -> None:
        self.members = members
        self.started: list[MetadataListener] = []

    async def start(self, pool: asyncpg.Pool, metadata: Mapping[str, Any],
                    background: asyncpg.Pool | None = None) -> None:
        """Start every member (on ``background`` those that ask for the background pool)."""
        for member in self.members:
            chosen = pool
            if background is not None and getattr(member, "background_pool", False):
                chosen = background
            try:
                await member.start(chosen, metadata)
            except Exception:
                logger.exception("metadata listener %r failed to start", member)
                continue
            self.started.append(member)

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Tell every started member about new metadata."""
        for member in self.started:
            try:
                await member.apply(metadata)
            except Exception:
                logger.exception("metadata listener %r failed to apply metadata", member)

    async def stop(self) -> None:
        """Stop every started member, last started first."""
        for member in reversed(self.started):
            try:
                await member.stop()
            except Exception:
                logger.exception("metadata listener %r failed to stop", member)
        self.started.clear()
