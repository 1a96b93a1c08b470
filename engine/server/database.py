"""The engine's connection pool."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from engine.database_errors import DATABASE_ERRORS

logger = logging.getLogger("engine.server")

HEALTH_TIMEOUT = 2.0
"""Seconds ``/healthz`` waits for the database before calling it unreachable."""


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's default reset query.

    The default runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    on every release: one extra round trip per GraphQL request. The engine never changes
    session state on the hot path (session variables are transaction-local), asyncpg
    still rolls back a transaction left open, and the admin APIs reset their connection
    themselves after running arbitrary SQL.
    """
    return


async def create_pool(url: str, size: int, min_size: int = 2) -> asyncpg.Pool:
    """A pool of up to ``size`` connections to ``url`` (``min_size`` opened at once)."""
    pool = await asyncpg.create_pool(
        url, min_size=min(min_size, size), max_size=size, reset=_keep_session,
        max_inactive_connection_lifetime=300.0,
    )
    assert pool is not None
    return pool


async def database_reachable(pool: asyncpg.Pool) -> bool:
    """Whether ``SELECT 1`` answers within ``HEALTH_TIMEOUT`` seconds (Hasura's storage check)."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            async with pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT 1") == 1)
    except DATABASE_ERRORS as exc:  # a timeout is an OSError
        logger.debug("health check: the database is unreachable: %s", exc)
        return False
