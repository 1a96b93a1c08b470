"""The GraphQL engine in force, rebuilt and swapped atomically when the metadata changes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from engine.graphql import EngineOptions, GraphQLEngine, RootFieldProvider

logger = logging.getLogger("engine.server")


class GraphQLHolder:
    """Holds the current :class:`GraphQLEngine`; each request reads :attr:`current` once."""

    def __init__(self, pool: asyncpg.Pool, options: EngineOptions,
                 providers: Sequence[RootFieldProvider]) -> None:
        self.pool = pool
        self.options = options
        self.providers = tuple(providers)
        self.current: GraphQLEngine | None = None
        self.build_error: str | None = None

    async def rebuild(self, metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Build an engine for ``metadata`` and swap it in; returns its inconsistencies.

        A failing build keeps the previous engine serving and is reported as an
        inconsistency, so a bad metadata change never takes the endpoint down.
        """
        prepared: list[dict[str, Any]] = []
        for provider in self.providers:
            prepare = getattr(provider, "prepare", None)
            if prepare is not None:
                # Providers that read other servers (remote schemas) do it before the build.
                prepared.extend(await prepare(metadata, self.options))
        try:
            engine = await GraphQLEngine.build(self.pool, metadata, self.options,
                                               providers=self.providers)
        except Exception as exc:
            logger.exception("building the GraphQL schema failed")
            self.build_error = f"{type(exc).__name__}: {exc}"
            return [{"definition": None, "name": "graphql schema",
                     "reason": f"Inconsistent object: cannot build the schema: {exc}",
                     "type": "schema"}]
        previous, self.current = self.current, engine
        self.build_error = None
        if previous is not None:
            # Its requests in flight give their connections back to the pool directly.
            await previous.connections.close()
        return list(engine.inconsistencies) + prepared


def engine_options(stringify_numeric_types: bool,
                   infer_function_permissions: bool = True,
                   remote_schema_permissions: bool = False,
                   admin_internal_errors: bool = True,
                   dev_mode: bool = False) -> EngineOptions:
    """The compiler's options for the server settings."""
    return EngineOptions(stringify_numeric_types=stringify_numeric_types,
                         infer_function_permissions=infer_function_permissions,
                         remote_schema_permissions=remote_schema_permissions,
                         admin_internal_errors=admin_internal_errors, dev_mode=dev_mode)
