"""Metadata API operations of one-off scheduled events (Hasura's ``type: one_off``).

One-off events are data, not metadata: they live in ``hdb_scheduled_events`` and are
written in the request's transaction, so an event exists once the API call answered.
"""

from __future__ import annotations

from typing import Any

import orjson

from engine.cron.catalog import ensure_one_off_catalog
from engine.cron.config import CronTriggerConfigError
from engine.cron.oneoff import OneOffEventStore
from engine.events.webhook import WebhookConfigError
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, not_exists, parse_failed
from engine.metadata.ops import register

STATUSES = ("scheduled", "locked", "delivered", "error", "dead")
_STORE = OneOffEventStore()


@register("create_scheduled_event")
async def create_scheduled_event(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Store a one-off event: ``webhook``, ``schedule_at``, ``payload``, headers, retries."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    await ensure_one_off_catalog(ctx.conn)
    try:
        event_id = await _STORE.create(ctx.conn, args)
    except (CronTriggerConfigError, WebhookConfigError) as exc:
        raise MetadataError(str(exc), "invalid-configuration") from None
    return {"message": "success", "event_id": event_id}


def _event_id(args: Any) -> str:
    if not isinstance(args, dict) or not isinstance(args.get("event_id"), str):
        raise parse_failed("key \"event_id\" not found")
    return str(args["event_id"])


async def delete_one_off(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Delete a one-off event by id, whatever its state."""
    event_id = _event_id(args)
    await ensure_one_off_catalog(ctx.conn)
    deleted = await ctx.conn.fetchval(
        "DELETE FROM hdb_catalog.hdb_scheduled_events WHERE id::text = $1 RETURNING id",
        event_id,
    )
    if deleted is None:
        raise not_exists(f"scheduled event \"{event_id}\" does not exist")
    return {"message": "success"}


async def delete_cron_event(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Delete one run of a cron trigger by id."""
    event_id = _event_id(args)
    deleted = await ctx.conn.fetchval(
        "DELETE FROM hdb_catalog.hdb_cron_events WHERE id::text = $1 RETURNING id", event_id
    )
    if deleted is None:
        raise not_exists(f"cron event \"{event_id}\" does not exist")
    return {"message": "success"}


@register("delete_scheduled_event")
async def delete_scheduled_event(ctx: OpContext, args: Any) -> dict[str, Any]:
    """``{"type": "one_off" | "cron", "event_id": ...}``."""
    kind = args.get("type") if isinstance(args, dict) else None
    if kind == "one_off":
        return await delete_one_off(ctx, args)
    if kind == "cron":
        return await delete_cron_event(ctx, args)
    raise parse_failed("key \"type\" must be \"one_off\" or \"cron\"")


def _json(raw: str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


async def get_one_off_events(ctx: OpContext, args: dict[str, Any]) -> dict[str, Any]:
    """One-off events, soonest first, optionally of one status (Hasura's row shape)."""
    status = args.get("scheduled_event_status")
    if status is not None and status not in STATUSES:
        raise parse_failed(f"scheduled_event_status must be one of {', '.join(STATUSES)}")
    limit = int(args.get("limit", 100))
    offset = int(args.get("offset", 0))
    await ensure_one_off_catalog(ctx.conn)
    rows = await ctx.conn.fetch(
        "SELECT id, webhook_conf::text AS webhook_conf, scheduled_time, "
        "retry_conf::text AS retry_conf, payload::text AS payload, "
        "header_conf::text AS header_conf, status, tries, created_at, next_retry_at, comment "
        "FROM hdb_catalog.hdb_scheduled_events WHERE ($1::text IS NULL OR status = $1) "
        "ORDER BY scheduled_time, id LIMIT $2 OFFSET $3",
        status, limit, offset,
    )
    events = [
        {
            "id": str(r["id"]),
            "webhook_conf": _json(r["webhook_conf"]),
            "scheduled_time": r["scheduled_time"].isoformat(),
            "retry_conf": _json(r["retry_conf"]),
            "payload": _json(r["payload"]),
            "header_conf": _json(r["header_conf"]),
            "status": r["status"],
            "tries": r["tries"],
            "created_at": r["created_at"].isoformat(),
            "next_retry_at": None if r["next_retry_at"] is None else r["next_retry_at"].isoformat(),
            "comment": r["comment"],
            "request_transform": None,
            "response_transform": None,
        }
        for r in rows
    ]
    result: dict[str, Any] = {"events": events}
    if args.get("get_rows_count"):
        result["count"] = await ctx.conn.fetchval(
            "SELECT count(*) FROM hdb_catalog.hdb_scheduled_events "
            "WHERE ($1::text IS NULL OR status = $1)", status,
        )
    return result
