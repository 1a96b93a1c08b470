"""Metadata API operations of cron triggers: create, delete, list, scheduled runs.

``get_scheduled_events`` answers both kinds; one-off events have their own module.
"""

from __future__ import annotations

from typing import Any

from engine.cron.config import CronTriggerConfigError, parse_cron_trigger
from engine.cron.oneoff_ops import get_one_off_events
from engine.events.webhook import WebhookConfigError
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, already_exists, not_exists, parse_failed
from engine.metadata.ops import register

_KEYS = ("name", "webhook", "schedule", "payload", "headers", "retry_conf",
         "include_in_metadata", "comment", "request_transform", "response_transform")


def _name(args: Any) -> str:
    if not isinstance(args, dict) or not isinstance(args.get("name"), str):
        raise parse_failed("key \"name\" not found")
    return str(args["name"])


def _triggers(ctx: OpContext) -> list[dict[str, Any]]:
    found = ctx.metadata.setdefault("cron_triggers", [])
    assert isinstance(found, list)
    return found


@register("create_cron_trigger")
async def create_cron_trigger(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add (or with ``replace: true`` redefine) a cron trigger; it runs without a restart."""
    name = _name(args)
    trigger = {k: args[k] for k in _KEYS if args.get(k) is not None}
    trigger.setdefault("include_in_metadata", False)
    try:
        parse_cron_trigger(trigger)
    except (CronTriggerConfigError, WebhookConfigError) as exc:
        raise MetadataError(str(exc), "invalid-configuration") from None
    triggers = _triggers(ctx)
    existing = [t for t in triggers if t.get("name") == name]
    if existing and not args.get("replace"):
        raise already_exists(f"cron trigger with name \"{name}\" already exists")
    for old in existing:
        triggers.remove(old)
    triggers.append(trigger)
    ctx.mark_changed()
    return {"message": "success"}


@register("delete_cron_trigger")
async def delete_cron_trigger(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove a cron trigger; its runs not yet delivered are dropped."""
    name = _name(args)
    triggers = _triggers(ctx)
    existing = [t for t in triggers if t.get("name") == name]
    if not existing:
        raise not_exists(f"cron trigger \"{name}\" does not exist")
    for old in existing:
        triggers.remove(old)
    if not triggers:
        del ctx.metadata["cron_triggers"]
    ctx.mark_changed()
    return {"message": "success"}


@register("get_cron_triggers")
async def get_cron_triggers(ctx: OpContext, _args: Any) -> dict[str, Any]:
    """Every cron trigger of the metadata."""
    return {"cron_triggers": list(ctx.metadata.get("cron_triggers") or [])}


@register("get_scheduled_events")
async def get_scheduled_events(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Runs of one cron trigger, newest first (``type: cron``), or one-off events."""
    if isinstance(args, dict) and args.get("type") == "one_off":
        return await get_one_off_events(ctx, args)
    if not isinstance(args, dict) or args.get("type") != "cron":
        raise parse_failed("key \"type\" must be \"cron\" or \"one_off\"")
    name = args.get("trigger_name")
    if not isinstance(name, str):
        raise parse_failed("key \"trigger_name\" not found")
    limit = int(args.get("limit", 100))
    offset = int(args.get("offset", 0))
    rows = await ctx.conn.fetch(
        "SELECT id, trigger_name, scheduled_time, status, tries, created_at, next_retry_at "
        "FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1 "
        "ORDER BY scheduled_time DESC LIMIT $2 OFFSET $3",
        name, limit, offset,
    )
    events = [
        {
            "id": str(r["id"]),
            "name": r["trigger_name"],
            "scheduled_time": r["scheduled_time"].isoformat(),
            "status": r["status"],
            "tries": r["tries"],
            "created_at": r["created_at"].isoformat(),
            "next_retry_at": None if r["next_retry_at"] is None else r["next_retry_at"].isoformat(),
        }
        for r in rows
    ]
    result: dict[str, Any] = {"events": events}
    if args.get("get_rows_count"):
        result["count"] = await ctx.conn.fetchval(
            "SELECT count(*) FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1", name
        )
    return result
