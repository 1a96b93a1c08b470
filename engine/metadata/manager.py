"""The metadata in force: loaded at start-up, changed only through API requests.

Requests are serialised. Each runs its operations in one transaction on a working copy;
if they succeed and the result is consistent enough (no *new* inconsistent object unless
``allow_inconsistent_metadata``), the copy is stored, committed and handed to
``on_change`` (which rebuilds the GraphQL schema and notifies the metadata listeners).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from engine.graphql.options import EngineOptions
from engine.metadata import (
    consistency,
    enum_tables,
    inherited_conflicts,
    model,
    role_cycles,
    store,
)
from engine.metadata.api import dispatch
from engine.metadata.checks import run_checks
from engine.metadata.context import OpContext
from engine.metadata.convert import to_v3
from engine.metadata.dbcatalog import DbConnection, introspect
from engine.metadata.errors import MetadataError
from engine.metadata.inherited_conflicts import InheritedPermissionConflict
from engine.metadata.ops import load_builtin_ops
from engine.session import Session

logger = logging.getLogger("engine.metadata")

OnChange = Callable[[model.Metadata], Awaitable[list[dict[str, Any]]]]
"""Called with committed metadata; returns the inconsistencies the schema builder found."""


class MetadataManager:
    """Owns the metadata of one engine process."""

    def __init__(self, pool: asyncpg.Pool, on_change: OnChange,
                 graphql_options: EngineOptions | None = None) -> None:
        load_builtin_ops()
        self.pool = pool
        self.graphql_options = graphql_options
        self.on_change = on_change
        self.metadata: model.Metadata = model.empty_metadata()
        self.resource_version = 0
        self.inconsistencies: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()

    async def load(self) -> model.Metadata:
        """Create the catalog if needed and read the stored metadata (empty when none)."""
        async with self.pool.acquire() as conn:
            await store.ensure_catalog(conn)
            stored, version = await store.load(conn)
            self.metadata = to_v3(stored) if stored is not None else model.empty_metadata()
            self.resource_version = version
            found = consistency.check(self.metadata, await introspect(conn))
        self.inconsistencies = [item.to_json() for item in found]
        for item in found:
            logger.warning("inconsistent metadata: %s", item.to_json()["reason"])
        return self.metadata

    def merge_engine_inconsistencies(self, reported: list[dict[str, Any]]) -> None:
        """Add what the schema builder reported to what the consistency check found."""
        names = [str(item.get("name")) for item in self.inconsistencies]
        for item in reported:
            # The builder names objects more briefly ("table ghost" for "table ghost in
            # source default"): an object already reported is not listed twice.
            short = f"{item.get('type')} {item.get('name')}"
            if item.get("name") in names or any(n.startswith(short) for n in names):
                continue
            self.inconsistencies.append(item)

    async def execute(self, api: str, body: Any, session: Session) -> tuple[int, Any]:
        """Run one API request; returns the HTTP status and the JSON answer."""
        async with self._lock:
            try:
                ctx, result, found = await self._transaction(api, body, session)
            except MetadataError as exc:
                return exc.status, exc.to_api_json()
            if ctx.changed or ctx.database_changed or ctx.reload_requested:
                self.metadata = ctx.metadata
                if found is not None:
                    self.inconsistencies = [item.to_json() for item in found]
                reported = await self.on_change(self.metadata)
                self.merge_engine_inconsistencies(reported)
            return 200, result

    async def _transaction(
        self, api: str, body: Any, session: Session,
    ) -> tuple[OpContext, Any, list[consistency.Inconsistency] | None]:
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    ctx = OpContext(
                        metadata=model.clone(self.metadata), conn=conn, session=session,
                        api=api, resource_version=self.resource_version,
                        inconsistencies=list(self.inconsistencies),
                        graphql_options=self.graphql_options, pool=self.pool,
                    )
                    expected = body.get("resource_version") if isinstance(body, dict) else None
                    if isinstance(expected, int) and expected != self.resource_version:
                        raise MetadataError(
                            f"metadata resource version referenced ({expected}) did not match "
                            f"current version ({self.resource_version})", "conflict", status=409)
                    try:
                        result = await dispatch(ctx, body)
                    except asyncpg.PostgresError as exc:
                        raise MetadataError(str(exc), "postgres-error") from None
                    found = None
                    if ctx.changed or ctx.database_changed:
                        found = await self._check(ctx)
                    if ctx.changed:
                        saved = await store.save(conn, ctx.metadata)
                        if isinstance(result, dict) and "resource_version" in result:
                            result["resource_version"] = saved
                # Committed: only now does the new version count.
                if ctx.changed:
                    self.resource_version = saved
            finally:
                if api != "metadata":
                    # SQL from run_sql may have changed session settings: this connection
                    # goes back to the pool clean (the pool itself skips the reset).
                    await _reset(conn)
        return ctx, result, found

    async def _check(self, ctx: OpContext) -> list[consistency.Inconsistency]:
        role_cycles.check(ctx.metadata)
        catalog = await ctx.catalog()
        if ctx.enum_problems is not None and ctx.enum_problems[0] == ctx.rebuilds:
            enum_problems = ctx.enum_problems[1]  # read at the last rebuild (ops/bulk.py)
        else:
            enum_problems = await enum_tables.problems(ctx.conn, ctx.metadata)
        try:
            found = consistency.check(ctx.metadata, catalog, enum_problems)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            raise MetadataError(f"the metadata is malformed ({type(exc).__name__}: {exc})",
                                "parse-failed") from None
        found.extend(inherited_conflicts.check(ctx.metadata))
        found.extend(await run_checks(ctx))
        known = {item.get("name") for item in ctx.inconsistencies}
        new = [item for item in found if item.name not in known]
        if new and not ctx.allow_inconsistent:
            if ctx.replaced:
                raise MetadataError("cannot continue due to inconsistent metadata", "unexpected",
                                    path="$.args", internal=[item.to_json() for item in new])
            if ctx.whole_table or any(isinstance(item, InheritedPermissionConflict)
                                      for item in new):
                raise MetadataError("cannot continue due to new inconsistent metadata",
                                    "unexpected", path="$.args",
                                    internal=[item.to_json() for item in new])
            raise MetadataError(f"Inconsistent object: {new[0].reason}", "invalid-configuration",
                                path="$.args", internal=[item.to_json() for item in new])
        return found


async def _reset(conn: DbConnection) -> None:
    query = conn.get_reset_query()
    if query and not conn.is_closed():
        try:
            await conn.execute(query)
        except (asyncpg.PostgresError, asyncpg.InterfaceError):
            logger.warning("could not reset a connection after an admin request")
