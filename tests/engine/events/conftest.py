"""Fixtures for event trigger tests: a database with a table to watch, and a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.events.settings import DeliverySettings

FAST = DeliverySettings(
    http_pool_size=20, fetch_interval=0.2, fetch_batch_size=50, lock_timeout=30,
    shutdown_timeout=2,
)
"""Short intervals so tests wait milliseconds, not seconds."""

ACCOUNTS_DDL = """
CREATE TABLE public.accounts (
    id integer PRIMARY KEY,
    owner text NOT NULL,
    balance numeric NOT NULL DEFAULT 0,
    note text
)
"""


def metadata_with(*triggers: dict[str, Any], table: str = "accounts") -> dict[str, Any]:
    """Metadata tracking ``public.<table>`` with the given event triggers."""
    return {
        "version": 3,
        "sources": [{
            "name": "default",
            "kind": "postgres",
            "tables": [{"table": {"schema": "public", "name": table},
                        "event_triggers": list(triggers)}],
        }],
    }


def trigger(name: str, webhook: str, **extra: Any) -> dict[str, Any]:
    """An event trigger on every operation, unless ``definition`` is given."""
    return {
        "name": name,
        "definition": extra.pop("definition", {
            "enable_manual": False,
            "insert": {"columns": "*"},
            "update": {"columns": ["balance"]},
            "delete": {"columns": "*"},
        }),
        "webhook": webhook,
        "retry_conf": extra.pop("retry_conf", {"num_retries": 0, "interval_sec": 1,
                                               "timeout_sec": 5}),
        **extra,
    }


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding ``public.accounts``."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    await pool.execute(ACCOUNTS_DDL)
    try:
        yield pool
    finally:
        await pool.close()
