"""The log of asynchronous actions: ``hdb_catalog.hdb_action_log``, as Hasura keeps it.

A call is stored ``created``; the worker claims it (``processing``), calls the handler and
stores the output (``completed``) or the errors (``error``). The result query reads it back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

CREATE_LOG = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_action_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  action_name text,
  input_payload jsonb NOT NULL,
  request_headers jsonb NOT NULL,
  session_variables jsonb NOT NULL,
  response_payload jsonb NULL,
  errors jsonb NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  response_received_at timestamptz NULL,
  status text NOT NULL,
  CHECK (status IN ('created', 'processing', 'completed', 'error'))
);
CREATE INDEX IF NOT EXISTS hdb_action_log_pending
  ON hdb_catalog.hdb_action_log (created_at) WHERE status = 'created';
"""


@dataclass(frozen=True)
class LoggedCall:
    """One asynchronous call and, once done, its result."""

    id: str
    action_name: str
    input: dict[str, Any]
    headers: dict[str, str]
    session_variables: dict[str, str]
    created_at: datetime
    status: str
    output: Any = None
    errors: Any = None


def _row(record: Any) -> LoggedCall:
    def load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return LoggedCall(
        id=str(record["id"]), action_name=record["action_name"],
        input=load(record["input_payload"]), headers=load(record["request_headers"]),
        session_variables=load(record["session_variables"]),
        created_at=record["created_at"], status=record["status"],
        output=load(record["response_payload"]), errors=load(record["errors"]),
    )


_CLAIM = """
UPDATE hdb_catalog.hdb_action_log SET status = 'processing'
WHERE id IN (SELECT id FROM hdb_catalog.hdb_action_log WHERE status = 'created'
             ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $1)
RETURNING id, action_name, input_payload, request_headers, session_variables,
          response_payload, errors, created_at, status
"""
_GET = """
SELECT id, action_name, input_payload, request_headers, session_variables,
       response_payload, errors, created_at, status
FROM hdb_catalog.hdb_action_log WHERE id = $1
"""


class ActionLog:
    """Reads and writes the log through the engine's pool (values always bound)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def ensure(self) -> None:
        """Create the table if it does not exist; calls left mid-way are retried."""
        async with self.pool.acquire() as conn:
            await conn.execute(CREATE_LOG)
            await conn.execute("UPDATE hdb_catalog.hdb_action_log SET status = 'created' "
                               "WHERE status = 'processing'")

    async def create(self, action_name: str, input_payload: Mapping[str, Any],
                     headers: Mapping[str, str], session_variables: Mapping[str, str]) -> str:
        """Store a new call; returns its id."""
        value = await self.pool.fetchval(
            "INSERT INTO hdb_catalog.hdb_action_log (action_name, input_payload, "
            "request_headers, session_variables, status) "
            "VALUES ($1, $2::jsonb, $3::jsonb, $4::jsonb, 'created') RETURNING id",
            action_name, json.dumps(dict(input_payload)), json.dumps(dict(headers)),
            json.dumps(dict(session_variables)))
        return str(value)

    async def claim(self, limit: int = 10) -> list[LoggedCall]:
        """Take up to ``limit`` waiting calls (``processing``), oldest first."""
        records = await self.pool.fetch(_CLAIM, limit)
        return [_row(r) for r in records]

    async def finish(self, call_id: str, output: Any = None, errors: Any = None) -> None:
        """Store the output (completed) or the errors (error)."""
        await self.pool.execute(
            "UPDATE hdb_catalog.hdb_action_log SET response_payload = $2::jsonb, "
            "errors = $3::jsonb, status = $4, response_received_at = now() WHERE id = $1",
            call_id, None if errors is not None else json.dumps(output),
            None if errors is None else json.dumps(errors),
            "error" if errors is not None else "completed")

    async def get(self, call_id: str) -> LoggedCall | None:
        """A call by id (None when unknown or not a uuid)."""
        try:
            key = uuid.UUID(call_id)
        except ValueError:
            return None
        record = await self.pool.fetchrow(_GET, key)
        return None if record is None else _row(record)
