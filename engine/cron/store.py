"""``hdb_catalog.hdb_cron_events`` as a delivery store, plus recording scheduled times."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from engine.cron.config import CronTrigger
from engine.events.catalog import Connection
from engine.events.delivery_store import Delivery, Outcome, record_outcomes
from engine.events.webhook import iso_utc

logger = logging.getLogger("engine.cron")

_FETCH = """
UPDATE hdb_catalog.hdb_cron_events AS c SET status = 'locked', locked = clock_timestamp()
FROM (
    SELECT id FROM hdb_catalog.hdb_cron_events
    WHERE trigger_name = ANY($1::text[])
      AND (status = 'scheduled'
           OR (status = 'locked'
               AND locked < clock_timestamp() - make_interval(secs => $2)))
      AND scheduled_time <= clock_timestamp()
      AND (next_retry_at IS NULL OR next_retry_at <= clock_timestamp())
    ORDER BY scheduled_time
    LIMIT $3
    FOR UPDATE SKIP LOCKED
) AS due
WHERE c.id = due.id
RETURNING c.id, c.trigger_name, c.scheduled_time, c.tries, clock_timestamp() AS now
"""

_RECORD = """
UPDATE hdb_catalog.hdb_cron_events AS c
SET tries = c.tries + 1, locked = NULL, status = r.status,
    next_retry_at = CASE WHEN r.retry_in IS NULL THEN NULL
                         ELSE clock_timestamp() + make_interval(secs => r.retry_in) END
FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS r(id, status, retry_in)
WHERE c.id = r.id
"""

_SCHEDULE = """
INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time)
SELECT $1, t FROM unnest($2::timestamptz[]) AS t
ON CONFLICT (trigger_name, scheduled_time) DO NOTHING
"""


def cron_body(event_id: Any, trigger: CronTrigger, scheduled_time: datetime) -> bytes:
    """Hasura's cron webhook body."""
    return orjson.dumps(
        {
            "id": str(event_id),
            "name": trigger.name,
            "scheduled_time": iso_utc(scheduled_time),
            "payload": trigger.payload,
            "comment": trigger.comment,
        }
    )


class CronEventStore:
    """Due runs of the configured cron triggers."""

    channel: str | None = None  # the scheduler wakes the loop itself when it records runs
    work_table = "hdb_catalog.hdb_cron_events"

    def __init__(self) -> None:
        self.triggers: dict[str, CronTrigger] = {}

    async def schedule(
        self, conn: Connection, trigger: str, times: Sequence[datetime]
    ) -> None:
        """Record scheduled times (a time already recorded, by any engine, is kept as is)."""
        if times:
            await conn.execute(_SCHEDULE, trigger, list(times))

    async def last_scheduled(self, conn: Connection, trigger: str) -> datetime | None:
        """The latest time recorded for ``trigger``."""
        found: datetime | None = await conn.fetchval(
            "SELECT max(scheduled_time) FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1",
            trigger,
        )
        return found

    async def forget(self, conn: Connection, trigger: str) -> None:
        """Drop the runs of a removed trigger that were not delivered yet."""
        await conn.execute(
            "DELETE FROM hdb_catalog.hdb_cron_events "
            "WHERE trigger_name = $1 AND status IN ('scheduled', 'locked')",
            trigger,
        )

    async def fetch(self, conn: Connection, limit: int, lock_timeout: float) -> list[Delivery]:
        """Lock due runs; a first attempt later than the tolerance is marked dead instead."""
        triggers = self.triggers
        if not triggers:
            return []
        rows = await conn.fetch(_FETCH, list(triggers), lock_timeout, limit)
        due, dead = [], []
        for row in rows:
            trigger = triggers.get(row["trigger_name"])
            if trigger is None:
                continue
            retry = trigger.retry_conf
            late = row["now"] - row["scheduled_time"]
            if row["tries"] == 0 and late > timedelta(seconds=retry.tolerance_seconds):
                dead.append(row["id"])
                continue
            due.append(
                Delivery(
                    id=row["id"],
                    trigger=trigger.name,
                    webhook=trigger.webhook,
                    body=cron_body(row["id"], trigger, row["scheduled_time"]),
                    tries=row["tries"],
                    max_retries=retry.num_retries,
                    retry_interval=retry.retry_interval_seconds,
                    timeout=retry.timeout_seconds,
                )
            )
        if dead:
            logger.warning("%d cron run(s) were past their tolerance: marked dead", len(dead))
            await conn.execute(
                "UPDATE hdb_catalog.hdb_cron_events SET status = 'dead', locked = NULL "
                "WHERE id = ANY($1::uuid[])",
                dead,
            )
        return due

    async def record(self, conn: Connection, outcomes: list[Outcome]) -> None:
        """Mark each run delivered, failed or due again, and log every attempt."""
        states = [
            "delivered" if o.delivered else "error" if o.failed else "scheduled" for o in outcomes
        ]
        await record_outcomes(conn, _RECORD, "hdb_cron_event_invocation_logs", outcomes,
                              [o.delivery.id for o in outcomes], states,
                              [o.retry_in for o in outcomes])

    async def heartbeat(self, conn: Connection, ids: list[Any]) -> None:
        """Renew this engine's locks on ``ids`` (those not recorded meanwhile)."""
        await conn.execute(
            "UPDATE hdb_catalog.hdb_cron_events SET locked = clock_timestamp() "
            "WHERE id = ANY($1::uuid[]) AND status = 'locked'",
            ids,
        )

    async def unlock(self, conn: Connection, ids: list[Any]) -> None:
        """Release runs this engine will not deliver (it is stopping)."""
        await conn.execute(
            "UPDATE hdb_catalog.hdb_cron_events SET status = 'scheduled', locked = NULL "
            "WHERE id = ANY($1::uuid[]) AND status = 'locked'",
            ids,
        )


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
