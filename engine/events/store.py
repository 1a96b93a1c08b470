"""``hdb_catalog.event_log`` as a delivery store: due events in, outcomes and logs out."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from engine.events.catalog import NOTIFY_CHANNEL, Connection
from engine.events.config import EventTrigger
from engine.events.delivery_store import Delivery, Outcome, record_outcomes
from engine.events.webhook import iso_utc

_FETCH = """
UPDATE hdb_catalog.event_log AS l SET locked = clock_timestamp()
FROM (
    SELECT id FROM hdb_catalog.event_log
    WHERE NOT delivered AND NOT error AND NOT archived
      AND trigger_name = ANY($1::text[])
      AND (locked IS NULL OR locked < clock_timestamp() - make_interval(secs => $2))
      AND (next_retry_at IS NULL OR next_retry_at <= clock_timestamp())
    ORDER BY created_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED
) AS due
WHERE l.id = due.id
RETURNING l.id, l.schema_name, l.table_name, l.trigger_name, l.payload::text AS payload,
          l.tries, l.created_at
"""

_RECORD = """
UPDATE hdb_catalog.event_log AS l
SET tries = l.tries + 1, locked = NULL, delivered = r.delivered, error = r.error,
    next_retry_at = CASE WHEN r.retry_in IS NULL THEN NULL
                         ELSE clock_timestamp() + make_interval(secs => r.retry_in) END
FROM unnest($1::uuid[], $2::boolean[], $3::boolean[], $4::float8[])
     AS r(id, delivered, error, retry_in)
WHERE l.id = r.id
"""

def event_body(row: asyncpg.Record, trigger: EventTrigger) -> bytes:
    """Hasura's event webhook body; the captured payload is passed through as stored."""
    head = orjson.dumps(
        {
            "id": str(row["id"]),
            "created_at": iso_utc(row["created_at"]),
            "table": {"schema": row["schema_name"], "name": row["table_name"]},
            "trigger": {"name": row["trigger_name"]},
        }
    )
    info = orjson.dumps(
        {"current_retry": row["tries"], "max_retries": trigger.retry_conf.num_retries}
    )
    payload: str = row["payload"]
    return head[:-1] + b',"event":' + payload.encode() + b',"delivery_info":' + info + b"}"


class EventLogStore:
    """Due events of the configured triggers (events of unknown triggers wait untouched)."""

    channel: str | None = NOTIFY_CHANNEL
    work_table = "hdb_catalog.event_log"

    def __init__(self) -> None:
        self.triggers: dict[str, EventTrigger] = {}

    async def fetch(
        self, conn: Connection, limit: int, lock_timeout: float
    ) -> list[Delivery]:
        """Lock and return up to ``limit`` due events, oldest first."""
        triggers = self.triggers
        if not triggers:
            return []
        rows = await conn.fetch(_FETCH, list(triggers), lock_timeout, limit)
        due = []
        for row in rows:
            trigger = triggers.get(row["trigger_name"])
            if trigger is None:  # removed while we fetched: leave it for the lock to expire
                continue
            retry = trigger.retry_conf
            due.append(
                Delivery(
                    id=row["id"],
                    trigger=trigger.name,
                    webhook=trigger.webhook,
                    body=event_body(row, trigger),
                    tries=row["tries"],
                    max_retries=retry.num_retries,
                    retry_interval=retry.interval_sec,
                    timeout=retry.timeout_sec,
                )
            )
        return due

    async def record(self, conn: Connection, outcomes: list[Outcome]) -> None:
        """Mark each event delivered, failed or due again, and log every attempt."""
        await record_outcomes(
            conn, _RECORD, "event_invocation_logs", outcomes,
            [o.delivery.id for o in outcomes],
            [o.delivered for o in outcomes],
            [o.failed for o in outcomes],
            [o.retry_in for o in outcomes],
        )

    async def heartbeat(self, conn: Connection, ids: list[Any]) -> None:
        """Renew this engine's locks on ``ids`` (those not recorded meanwhile)."""
        await conn.execute(
            "UPDATE hdb_catalog.event_log SET locked = clock_timestamp() "
            "WHERE id = ANY($1::uuid[]) AND locked IS NOT NULL AND NOT delivered",
            ids,
        )

    async def unlock(self, conn: Connection, ids: list[Any]) -> None:
        """Release events this engine will not deliver (it is stopping)."""
        await conn.execute(
            "UPDATE hdb_catalog.event_log SET locked = NULL "
            "WHERE id = ANY($1::uuid[]) AND NOT delivered",
            ids,
        )
