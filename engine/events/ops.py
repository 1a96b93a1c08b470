"""Metadata API operations of event triggers: create, delete, invoke by hand, redeliver.

They change the request's working copy of the metadata; the capture triggers follow when
the change is committed (the event trigger service's ``apply``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from engine.events.catalog import NOTIFY_CHANNEL
from engine.events.config import EventTriggerConfigError, iter_table_entries, parse_event_trigger
from engine.events.manual import ManualInvocationError, invoke_manually
from engine.events.webhook import WebhookConfigError
from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, already_exists, not_exists, parse_failed
from engine.metadata.ops import register

_BOTH = ("metadata", "query")
_DEFINITION_KEYS = ("insert", "update", "delete")
_ENTRY_KEYS = ("webhook", "webhook_from_env", "headers", "retry_conf", "comment",
               "request_transform", "response_transform", "cleanup_config")


def _find(metadata: model.Metadata, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(table entry, trigger entry) of the event trigger ``name``."""
    for _source, entry in iter_table_entries(metadata):
        for trigger in entry.get("event_triggers") or ():
            if trigger.get("name") == name:
                return entry, trigger  # type: ignore[return-value]
    return None


def _name(args: Any) -> str:
    if not isinstance(args, dict) or not isinstance(args.get("name"), str):
        raise parse_failed("key \"name\" not found")
    return str(args["name"])


@register("pg_create_event_trigger", "create_event_trigger", apis=_BOTH)
async def create_event_trigger(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Add (or with ``replace: true`` redefine) an event trigger on a tracked table."""
    name = _name(args)
    entry = ctx.table(args)
    definition: dict[str, Any] = {"enable_manual": bool(args.get("enable_manual", False))}
    for op in _DEFINITION_KEYS:
        if args.get(op) is not None:
            definition[op] = args[op]
    trigger: dict[str, Any] = {"name": name, "definition": definition}
    trigger.update({k: args[k] for k in _ENTRY_KEYS if args.get(k) is not None})
    table = model.qualified(entry["table"])
    try:
        parse_event_trigger(trigger, table["schema"], table["name"])
    except (EventTriggerConfigError, WebhookConfigError) as exc:
        raise MetadataError(str(exc), "invalid-configuration") from None
    found = _find(ctx.metadata, name)
    if found is not None:
        if not args.get("replace"):
            raise already_exists(f"event trigger with name \"{name}\" already exists")
        found[0]["event_triggers"].remove(found[1])
        model.drop_empty(found[0], "event_triggers")
    entry.setdefault("event_triggers", []).append(trigger)
    ctx.mark_changed()
    return {"message": "success"}


@register("pg_delete_event_trigger", "delete_event_trigger", apis=_BOTH)
async def delete_event_trigger(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Remove an event trigger (its capture is dropped; logged events stay)."""
    name = _name(args)
    found = _find(ctx.metadata, name)
    if found is None:
        raise not_exists(f"event trigger \"{name}\" does not exist")
    found[0]["event_triggers"].remove(found[1])
    model.drop_empty(found[0], "event_triggers")
    ctx.mark_changed()
    return {"message": "success"}


@register("pg_invoke_event_trigger", "invoke_event_trigger", apis=_BOTH)
async def invoke_event_trigger(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Log a MANUAL event with ``payload`` as the new row; delivered like any other."""
    name = _name(args)
    found = _find(ctx.metadata, name)
    if found is None:
        raise not_exists(f"event trigger \"{name}\" does not exist")
    payload = args.get("payload")
    if not isinstance(payload, dict):
        raise parse_failed("'payload' must be an object (the row)")
    table = model.qualified(found[0]["table"])
    trigger = parse_event_trigger(found[1], table["schema"], table["name"])
    try:
        event_id = await invoke_manually(ctx.conn, trigger, payload, ctx.session.variables)
    except ManualInvocationError as exc:
        raise MetadataError(str(exc), exc.code) from None
    return {"event_id": event_id}


@register("pg_redeliver_event", "redeliver_event", apis=_BOTH)
async def redeliver_event(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Queue a logged event for delivery again, with its tries reset (as Hasura does).

    An event being delivered right now is refused (``busy``); a delivered or failed one is
    marked undelivered and due at once.
    """
    if not isinstance(args, dict) or not isinstance(args.get("event_id"), str):
        raise parse_failed("key \"event_id\" not found")
    try:
        event_id = UUID(args["event_id"])
    except ValueError:
        raise parse_failed("'event_id' must be a UUID") from None
    locked = await ctx.conn.fetchval(
        "SELECT locked IS NOT NULL FROM hdb_catalog.event_log WHERE id = $1", event_id)
    if locked is None:
        raise not_exists("event not found")
    if locked:
        raise MetadataError("event is already being processed", "busy")
    await ctx.conn.execute(
        "UPDATE hdb_catalog.event_log SET delivered = false, error = false, tries = 0,"
        " next_retry_at = NULL, archived = false WHERE id = $1", event_id)
    await ctx.conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    return {"message": "success"}


def _page(args: dict[str, Any]) -> tuple[int, int]:
    try:
        return max(0, int(args.get("limit", 100))), max(0, int(args.get("offset", 0)))
    except (TypeError, ValueError):
        raise parse_failed("'limit' and 'offset' must be integers") from None


@register("pg_get_event_logs")
async def get_event_logs(ctx: OpContext, args: Any) -> list[dict[str, Any]]:
    """Events of one trigger, newest first, with their delivery state."""
    name = _name(args)
    limit, offset = _page(args)
    rows = await ctx.conn.fetch(
        "SELECT id, schema_name, table_name, trigger_name, payload::text AS payload, delivered,"
        " error, tries, created_at, locked, next_retry_at, archived "
        "FROM hdb_catalog.event_log WHERE trigger_name = $1 "
        "ORDER BY created_at DESC LIMIT $2 OFFSET $3",
        name, limit, offset,
    )
    return [_jsonable(dict(r)) for r in rows]


@register("pg_get_event_invocation_logs")
async def get_event_invocation_logs(ctx: OpContext, args: Any) -> list[dict[str, Any]]:
    """Delivery attempts of one trigger's events, newest first."""
    name = _name(args)
    limit, offset = _page(args)
    rows = await ctx.conn.fetch(
        "SELECT i.id, i.event_id, i.status, i.request::text AS request,"
        " i.response::text AS response, i.created_at "
        "FROM hdb_catalog.event_invocation_logs i "
        "JOIN hdb_catalog.event_log e ON e.id = i.event_id "
        "WHERE e.trigger_name = $1 ORDER BY i.created_at DESC LIMIT $2 OFFSET $3",
        name, limit, offset,
    )
    return [_jsonable(dict(r)) for r in rows]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A catalog row as JSON values (ids and times as strings, JSON columns parsed)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("payload", "request", "response") and isinstance(value, str):
            out[key] = orjson.loads(value)
        elif isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, UUID):
            out[key] = str(value)
        else:
            out[key] = value
    return out
