"""A connection pool on a fresh database for the scheduler tests (no engine process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    try:
        yield pool
    finally:
        await pool.close()
