"""Capture: one PL/pgSQL trigger per event trigger and operation, kept in step with metadata.

Each captured operation gets a function ``hdb_catalog."notify_hasura_<name>_<OP>"`` and a
row trigger of the same name on the table, so a change and its event commit together.
An UPDATE is captured only when a watched column changed. :func:`sync_capture` makes the
database match the metadata: it (re)creates what changed and drops what is gone; running it
twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from engine.events.catalog import CATALOG_LOCK, Connection
from engine.events.config import EventTrigger, EventTriggerConfigError, Operation, OperationSpec

logger = logging.getLogger("engine.events.capture")

FUNCTION_PREFIX = "notify_hasura_"


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A PostgreSQL string literal (trigger names are validated; this is belt and braces)."""
    return "'" + text.replace("'", "''") + "'"


def function_name(trigger: str, op: Operation) -> str:
    """Hasura's name for the capture function (and the table trigger) of ``op``."""
    return f"{FUNCTION_PREFIX}{trigger}_{op}"


def _row_expr(var: str, payload: tuple[str, ...] | None) -> str:
    if payload is None:
        return var
    pairs = ", ".join(f"{quote_literal(c)}, {var} -> {quote_literal(c)}" for c in payload)
    return f"jsonb_build_object({pairs})"


def function_body(trigger: EventTrigger, op: Operation, spec: OperationSpec) -> str:
    """The PL/pgSQL body capturing ``op`` for ``trigger``."""
    lines = ["DECLARE", "    _old jsonb;", "    _new jsonb;", "BEGIN"]
    if op in ("UPDATE", "DELETE"):
        lines.append("    _old := to_jsonb(OLD);")
    if op in ("INSERT", "UPDATE"):
        lines.append("    _new := to_jsonb(NEW);")
    if op == "UPDATE":
        if spec.columns is None:
            changed = "_old IS DISTINCT FROM _new"
        else:
            changed = " OR ".join(
                f"_old -> {quote_literal(c)} IS DISTINCT FROM _new -> {quote_literal(c)}"
                for c in spec.columns
            )
        lines.append(f"    IF NOT ({changed}) THEN RETURN NULL; END IF;")
    old = _row_expr("_old", spec.payload) if op != "INSERT" else "NULL"
    new = _row_expr("_new", spec.payload) if op != "DELETE" else "NULL"
    lines += [
        "    PERFORM hdb_catalog.insert_event_log(TG_TABLE_SCHEMA::text, TG_TABLE_NAME::text, "
        f"{quote_literal(trigger.name)}, TG_OP::text, jsonb_build_object('old', {old}, "
        f"'new', {new}));",
        "    RETURN NULL;",
        "END",
    ]
    return "\n" + "\n".join(lines) + "\n"


def _table(trigger: EventTrigger) -> str:
    return f"{quote_ident(trigger.schema)}.{quote_ident(trigger.table)}"


async def _existing_functions(conn: Connection) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'hdb_catalog' AND p.proname LIKE $1",
        FUNCTION_PREFIX + "%",
    )
    return {r["proname"]: r["prosrc"] for r in rows}


async def _has_trigger(conn: Connection, trigger: EventTrigger, name: str) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE t.tgname = $1 AND c.relname = $2 AND n.nspname = $3",
        name, trigger.table, trigger.schema,
    )
    return found is not None


async def _check_columns(conn: Connection, trigger: EventTrigger) -> None:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = $1 AND table_name = $2",
        trigger.schema, trigger.table,
    )
    if not rows:
        raise EventTriggerConfigError(
            f"event trigger {trigger.name!r}: table {trigger.schema}.{trigger.table} not found"
        )
    present = {r["column_name"] for r in rows}
    for op, spec in trigger.operations.items():
        for column in (spec.columns or ()) + (spec.payload or ()):
            if column not in present:
                raise EventTriggerConfigError(
                    f"event trigger {trigger.name!r}: {op.lower()} names column {column!r} "
                    f"that {trigger.schema}.{trigger.table} does not have"
                )


async def _install(
    conn: Connection, trigger: EventTrigger, existing: Mapping[str, str]
) -> set[str]:
    """Create or replace the functions/triggers of ``trigger``; returns the function names."""
    wanted: set[str] = set()
    for op, spec in trigger.operations.items():
        name = function_name(trigger.name, op)
        wanted.add(name)
        body = function_body(trigger, op, spec)
        if existing.get(name) == body and await _has_trigger(conn, trigger, name):
            continue
        qualified = f"hdb_catalog.{quote_ident(name)}"
        # Dropping with CASCADE also removes the trigger wherever it was (the event trigger
        # may have moved to another table), so the state afterwards is exactly the wanted one.
        await conn.execute(f"DROP FUNCTION IF EXISTS {qualified}() CASCADE")
        await conn.execute(
            f"CREATE FUNCTION {qualified}() RETURNS trigger LANGUAGE plpgsql AS $fn${body}$fn$"
        )
        await conn.execute(
            f"CREATE TRIGGER {quote_ident(name)} AFTER {op} ON {_table(trigger)} "
            f"FOR EACH ROW EXECUTE FUNCTION {qualified}()"
        )
        logger.info("installed capture %s on %s.%s", name, trigger.schema, trigger.table)
    return wanted


async def sync_capture(
    conn: Connection, triggers: Iterable[EventTrigger], strict: bool = True
) -> dict[str, str]:
    """Make the capture triggers in the database match ``triggers`` (idempotent).

    A trigger on a missing table or column raises, or when not ``strict`` is left out (its
    capture dropped) and returned by name with the reason, so the others still work.
    """
    triggers = list(triggers)
    skipped: dict[str, str] = {}
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", CATALOG_LOCK)
        existing = await _existing_functions(conn)
        wanted: set[str] = set()
        for trigger in triggers:
            try:
                await _check_columns(conn, trigger)
            except EventTriggerConfigError as exc:
                if strict:
                    raise
                skipped[trigger.name] = str(exc)
                continue
            wanted |= await _install(conn, trigger, existing)
        for name in sorted(set(existing) - wanted):
            # CASCADE drops the table trigger that uses the function.
            await conn.execute(f"DROP FUNCTION IF EXISTS hdb_catalog.{quote_ident(name)}() CASCADE")
            logger.info("dropped capture %s", name)
    return skipped
