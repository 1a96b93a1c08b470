"""The registry of metadata and query API operations (``{"type": ..., "args": ...}``).

Each operation is an async function ``(ctx, args) -> result`` registered under its name
for one or more APIs::

    from engine.metadata.ops import OpContext, register

    @register("pg_create_event_trigger", "create_event_trigger", apis=("metadata", "query"))
    async def create_event_trigger(ctx: OpContext, args: dict) -> dict:
        table = ctx.table(args)            # the tracked table entry (raises not-exists)
        ...                                # change ctx.metadata (the working copy)
        ctx.mark_changed()
        return {"message": "success"}

Operations of one request run in one database transaction (``ctx.conn``) on a working
copy of the metadata; the copy replaces the metadata (stored, the GraphQL schema rebuilt,
listeners notified) only when the whole request succeeded. Raise
:class:`engine.metadata.errors.MetadataError` to fail it. Plugin packages register their
operations from their ``__init__`` (see :mod:`engine.server.lifecycle`).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from engine.metadata.context import OpContext

Api = str
"""``metadata`` (/v1/metadata), ``query`` (/v1/query) or ``v2query`` (/v2/query)."""
OpHandler = Callable[[OpContext, Any], Awaitable[Any]]

_REGISTRY: dict[Api, dict[str, OpHandler]] = {"metadata": {}, "query": {}, "v2query": {}}
_BUILTIN_MODULES = (
    "engine.metadata.ops.bulk",
    "engine.metadata.ops.metadata_object",
    "engine.metadata.ops.catalog_state",
    "engine.metadata.ops.tables",
    "engine.metadata.ops.relationships",
    "engine.metadata.ops.permissions",
    "engine.metadata.ops.computed_fields",
    "engine.metadata.ops.functions",
    "engine.metadata.ops.roles",
    "engine.metadata.ops.api_limits",
    "engine.metadata.ops.run_sql",
    "engine.metadata.ops.dml",
    "engine.metadata.ops.dml_rows",
)


@dataclass(frozen=True)
class Registered:
    """An operation found for a request."""

    name: str
    handler: OpHandler


def register(*names: str, apis: Iterable[Api] = ("metadata",)) -> Callable[[OpHandler], OpHandler]:
    """Register the decorated function as operation ``names`` on ``apis``.

    Registering a name twice for one API replaces the earlier handler (so a plugin can
    refine a built-in operation).
    """
    targets = tuple(apis)
    for api in targets:
        if api not in _REGISTRY:
            raise ValueError(f"unknown API {api!r}; use one of {sorted(_REGISTRY)}")

    def decorate(handler: OpHandler) -> OpHandler:
        for api in targets:
            for name in names:
                _REGISTRY[api][name] = handler
        return handler

    return decorate


def lookup(api: Api, name: str) -> OpHandler | None:
    """The handler of operation ``name`` on ``api``."""
    return _REGISTRY.get(api, {}).get(name)


def names(api: Api) -> list[str]:
    """The operations ``api`` knows, sorted."""
    return sorted(_REGISTRY.get(api, {}))


def load_builtin_ops() -> None:
    """Import the modules of the built-in operations (each registers itself)."""
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


__all__ = ["Api", "OpContext", "OpHandler", "Registered", "load_builtin_ops", "lookup",
           "names", "register"]
