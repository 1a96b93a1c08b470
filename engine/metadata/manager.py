"""The metadata in force: loaded at start-up, changed only through API requests.

Requests are serialised. Each runs its operations in one transaction on a working copy;
if they succeed and the result is consistent enough (no *new* inconsistent object unless
``allow_inconsistent_metadata``), the copy is stored, committed and handed to
``on_change`` (which rebuilds the GraphQL schema and notifies the metadata listeners).

Several engine instances may share one database (workers of one server, or several
servers). Each request first locks the database's change record (:func:`store.lock`); if
another instance committed a change this one has not taken in yet, it is taken in first
(the request then runs on it), and a ``resource_version`` the request names is compared
with the database's version. Every change that needs a rebuild (metadata, database schema,
reload) stores a new resource version and tells the other instances (:mod:`sync`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
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
from engine.metadata.sync import apply_invalidations
from engine.session import Session

logger = logging.getLogger("engine.metadata")

OnChange = Callable[[model.Metadata], Awaitable[list[dict[str, Any]]]]
"""Called with committed metadata; returns the inconsistencies the schema builder found."""

STALE_RETRIES = 3
"""Times a request is retried after taking in another instance's change before it started."""


class _StaleError(Exception):
    """Another instance committed a change this instance has not taken in yet."""


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
        self.instance_id = uuid.uuid4()
        """Names this instance in the change record (Hasura's ``instance_id``)."""
        self._lock = asyncio.Lock()

    async def load(self) -> model.Metadata:
        """Create the catalog if needed and read the stored metadata (empty when none)."""
        async with self.pool.acquire() as conn:
            await store.ensure_catalog(conn)
            stored, version = await store.load(conn)
            await self._adopt(conn, stored, version)
        return self.metadata

    async def _adopt(self, conn: DbConnection, stored: Any, version: int) -> None:
        self.metadata = to_v3(stored) if stored is not None else model.empty_metadata()
        self.resource_version = version
        found = consistency.check(self.metadata, await introspect(conn))
        self.inconsistencies = [item.to_json() for item in found]
        for item in found:
            logger.warning("inconsistent metadata: %s", item.to_json()["reason"])

    async def sync(self) -> bool:
        """Take in a change another instance committed; returns whether there was one."""
        async with self._lock:
            return await self._take_in()

    async def _take_in(self) -> bool:
        async with self.pool.acquire() as conn:
            stored, version, invalidations = await store.load_change(conn)
            if version == self.resource_version:
                return False
            await self._adopt(conn, stored, version)
        apply_invalidations(invalidations)
        self.merge_engine_inconsistencies(await self.on_change(self.metadata))
        logger.info("metadata: resource version %d taken in from another instance", version)
        return True

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
            for _ in range(STALE_RETRIES):
                try:
                    ctx, result, found = await self._transaction(api, body, session)
                except MetadataError as exc:
                    return exc.status, exc.to_api_json()
                except _StaleError:
                    await self._take_in()
                    continue
                break
            else:
                error = MetadataError("the metadata kept changing through other instances; "
                                      "try again", "conflict", status=409)
                return error.status, error.to_api_json()
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
                    stored = await store.lock(conn)
                    if stored != self.resource_version:
                        raise _StaleError
                    ctx = OpContext(
                        metadata=model.clone(self.metadata), conn=conn, session=session,
                        api=api, resource_version=self.resource_version,
                        inconsistencies=list(self.inconsistencies),
                        graphql_options=self.graphql_options, pool=self.pool,
                    )
                    expected = body.get("resource_version") if isinstance(body, dict) else None
                    if isinstance(expected, int) and expected != stored:
                        raise MetadataError(
                            f"metadata resource version referenced ({expected}) did not match "
                            f"current version ({stored})", "conflict", status=409)
                    try:
                        result = await dispatch(ctx, body)
                    except asyncpg.PostgresError as exc:
                        raise MetadataError(str(exc), "postgres-error") from None
                    found = None
                    if ctx.changed or ctx.database_changed:
                        found = await self._check(ctx)
                    rebuild = ctx.changed or ctx.database_changed or ctx.reload_requested
                    if rebuild:
                        # As Hasura: a schema change or a reload is a new resource version
                        # too, so the other instances rebuild as this one does.
                        saved = await store.save(conn, ctx.metadata)
                        await store.notify(conn, saved, self.instance_id, _invalidations(ctx))
                        if isinstance(result, dict) and "resource_version" in result:
                            result["resource_version"] = saved
                # Committed: only now does the new version count.
                if rebuild:
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


def _invalidations(ctx: OpContext) -> dict[str, Any]:
    """What the other instances must refresh, in Hasura's ``CacheInvalidations`` form."""
    return {**store.NO_INVALIDATIONS, "metadata": ctx.changed,
            "remote_schemas": sorted(ctx.invalidated_remote_schemas),
            "sources": [model.DEFAULT_SOURCE] if ctx.database_changed else []}


async def _reset(conn: DbConnection) -> None:
    query = conn.get_reset_query()
    if query and not conn.is_closed():
        try:
            await conn.execute(query)
        except (asyncpg.PostgresError, asyncpg.InterfaceError):
            logger.warning("could not reset a connection after an admin request")
