"""One-off scheduled events: ``hdb_catalog.hdb_scheduled_events`` as a delivery store.

Each row carries its own webhook, headers, payload and retry configuration (Hasura's
``create_scheduled_event``). The rows are delivered by the same :class:`DeliveryLoop` as
cron runs, with the same guarantees: locked with a timestamp (``FOR UPDATE SKIP LOCKED``)
so several engines share them, retried as their ``retry_conf`` says, released when an
engine stops, taken over when an engine dies holding them. A row is delivered at least
once; a handler that must act once makes its own work idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import orjson

from engine.cron.config import CronRetryConf, CronTriggerConfigError, parse_retry_conf
from engine.events.catalog import Connection
from engine.events.delivery_store import Delivery, Outcome, record_outcomes
from engine.events.webhook import Header, WebhookSpec, iso_utc

logger = logging.getLogger("engine.cron.oneoff")

CHANNEL = "engine_scheduled_events"
"""Notified when an event is created, so a due one is delivered without waiting a poll."""

_FETCH = """
UPDATE hdb_catalog.hdb_scheduled_events AS s SET status = 'locked', locked = clock_timestamp()
FROM (
    SELECT id FROM hdb_catalog.hdb_scheduled_events
    WHERE (status = 'scheduled'
           OR (status = 'locked' AND locked < clock_timestamp() - make_interval(secs => $1)))
      AND scheduled_time <= clock_timestamp()
      AND (next_retry_at IS NULL OR next_retry_at <= clock_timestamp())
    ORDER BY scheduled_time
    LIMIT $2
    FOR UPDATE SKIP LOCKED
) AS due
WHERE s.id = due.id
RETURNING s.id, s.webhook_conf::text AS webhook_conf, s.header_conf::text AS header_conf,
          s.retry_conf::text AS retry_conf, s.payload::text AS payload, s.comment,
          s.scheduled_time, s.created_at, s.tries, clock_timestamp() AS now
"""

_RECORD = """
UPDATE hdb_catalog.hdb_scheduled_events AS s
SET tries = s.tries + 1, locked = NULL, status = r.status,
    next_retry_at = CASE WHEN r.retry_in IS NULL THEN NULL
                         ELSE clock_timestamp() + make_interval(secs => r.retry_in) END
FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS r(id, status, retry_in)
WHERE s.id = r.id
"""

_INSERT = """
INSERT INTO hdb_catalog.hdb_scheduled_events
    (webhook_conf, scheduled_time, retry_conf, payload, header_conf, comment)
VALUES ($1::json, $2, $3::json, $4::json, $5::json, $6)
RETURNING id
"""


def parse_one_off(args: Mapping[str, Any]) -> tuple[WebhookSpec, datetime, CronRetryConf]:
    """Validate ``create_scheduled_event`` arguments: webhook, headers, time, retries."""
    webhook = args.get("webhook")
    if not isinstance(webhook, str) or not webhook:
        raise CronTriggerConfigError("a scheduled event needs a webhook")
    raw_time = args.get("schedule_at")
    if not isinstance(raw_time, str):
        raise CronTriggerConfigError("a scheduled event needs schedule_at (an ISO timestamp)")
    try:
        moment = datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
    except ValueError:
        raise CronTriggerConfigError(f"schedule_at {raw_time!r} is not an ISO timestamp") from None
    if moment.tzinfo is None:
        raise CronTriggerConfigError(f"schedule_at {raw_time!r} needs a time zone (e.g. Z)")
    spec = WebhookSpec(url=webhook,
                       headers=tuple(Header.parse(h) for h in args.get("headers") or ()))
    return spec, moment, parse_retry_conf(args.get("retry_conf"))


def one_off_body(row: Mapping[str, Any] | asyncpg.Record) -> bytes:
    """Hasura's one-off webhook body (no ``name``: the event belongs to no trigger)."""
    return orjson.dumps({
        "id": str(row["id"]),
        "scheduled_time": iso_utc(row["scheduled_time"]),
        "payload": orjson.loads(row["payload"]) if row["payload"] is not None else None,
        "comment": row["comment"],
        "created_at": iso_utc(row["created_at"]),
    })


class OneOffEventStore:
    """Due one-off scheduled events."""

    channel: str | None = CHANNEL
    work_table = "hdb_catalog.hdb_scheduled_events"

    async def create(self, conn: Connection, args: Mapping[str, Any]) -> str:
        """Store a validated event; returns its id. Wakes the engines' loops on commit."""
        _, moment, retry = parse_one_off(args)
        event_id = await conn.fetchval(
            _INSERT,
            orjson.dumps(args["webhook"]).decode(),
            moment,
            orjson.dumps({
                "num_retries": retry.num_retries,
                "retry_interval_seconds": retry.retry_interval_seconds,
                "timeout_seconds": retry.timeout_seconds,
                "tolerance_seconds": retry.tolerance_seconds,
            }).decode(),
            orjson.dumps(args.get("payload")).decode(),
            orjson.dumps(list(args.get("headers") or [])).decode(),
            args.get("comment"),
        )
        await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
        return str(event_id)

    async def fetch(self, conn: Connection, limit: int, lock_timeout: float) -> list[Delivery]:
        """Lock due events; a first attempt later than its tolerance is marked dead instead."""
        rows = await conn.fetch(_FETCH, lock_timeout, limit)
        due, dead = [], []
        for row in rows:
            try:
                spec, _, retry = parse_one_off({
                    "webhook": orjson.loads(row["webhook_conf"]),
                    "headers": orjson.loads(row["header_conf"] or "[]"),
                    "schedule_at": iso_utc(row["scheduled_time"]),
                    "retry_conf": orjson.loads(row["retry_conf"] or "null"),
                })
            except (ValueError, orjson.JSONDecodeError) as exc:
                logger.error("scheduled event %s cannot be delivered: %s", row["id"], exc)
                dead.append(row["id"])
                continue
            late = row["now"] - row["scheduled_time"]
            if row["tries"] == 0 and late > timedelta(seconds=retry.tolerance_seconds):
                dead.append(row["id"])
                continue
            due.append(Delivery(
                id=row["id"], trigger="one-off", webhook=spec, body=one_off_body(row),
                tries=row["tries"], max_retries=retry.num_retries,
                retry_interval=retry.retry_interval_seconds, timeout=retry.timeout_seconds,
            ))
        if dead:
            logger.warning("%d scheduled event(s) past their tolerance or unusable: marked dead",
                           len(dead))
            await conn.execute(
                "UPDATE hdb_catalog.hdb_scheduled_events SET status = 'dead', locked = NULL "
                "WHERE id = ANY($1::uuid[])",
                dead,
            )
        return due

    async def record(self, conn: Connection, outcomes: list[Outcome]) -> None:
        """Mark each event delivered, failed or due again, and log every attempt."""
        states = [
            "delivered" if o.delivered else "error" if o.failed else "scheduled" for o in outcomes
        ]
        await record_outcomes(conn, _RECORD, "hdb_scheduled_event_invocation_logs", outcomes,
                              [o.delivery.id for o in outcomes], states,
                              [o.retry_in for o in outcomes])

    async def heartbeat(self, conn: Connection, ids: list[Any]) -> None:
        """Renew this engine's locks on ``ids`` (those not recorded meanwhile)."""
        await conn.execute(
            "UPDATE hdb_catalog.hdb_scheduled_events SET locked = clock_timestamp() "
            "WHERE id = ANY($1::uuid[]) AND status = 'locked'",
            ids,
        )

    async def unlock(self, conn: Connection, ids: list[Any]) -> None:
        """Release events this engine will not deliver (it is stopping)."""
        await conn.execute(
            "UPDATE hdb_catalog.hdb_scheduled_events SET status = 'scheduled', locked = NULL "
            "WHERE id = ANY($1::uuid[]) AND status = 'locked'",
            ids,
        )
