"""The v1 query API's ``insert`` for a role other than admin: its insert permission applies.

Columns outside the permission are refused, presets (``set``, session variables too) are
added to every object, the check must hold on every inserted row, and an upsert's update
only touches rows the role's update filter lets it change.
"""

from __future__ import annotations

from typing import Any

import orjson

from engine.catalog.model import quote
from engine.graphql.boolexp import is_session_var
from engine.graphql.model import TableInfo
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, parse_failed
from engine.metadata.ops.dml_rows import Dml, mutation_result, permission_denied


def _presets(dml: Dml, preset: dict[str, Any]) -> dict[str, Any]:
    values = {}
    session = {k.lower(): v for k, v in dml.ctx.session.variables.items()}
    for column, value in preset.items():
        if is_session_var(value):
            if value.lower() not in session:
                raise MetadataError(f'missing session variable: "{value}"', "not-found")
            value = session[value.lower()]
        values[column] = value
    return values


def _conflict(dml: Dml, info: TableInfo, spec: Any, columns: list[str], alias: str) -> str:
    if spec is None:
        return ""
    if not isinstance(spec, dict) or not isinstance(spec.get("constraint"), str):
        raise parse_failed("'on_conflict' needs a 'constraint'", "$.args.on_conflict")
    target = f" ON CONFLICT ON CONSTRAINT {quote(spec['constraint'])}"
    if spec.get("action", "ignore") == "ignore":
        return f"{target} DO NOTHING"
    update = dml.compiler.access(info.key).update
    if update is None:
        raise permission_denied(f'upsert on "{info.table.name}" for role "{dml.role}" is not '
                                "allowed, as it has no update permission", "$.args.on_conflict")
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns)
    cond = dml.compiler.permission_condition(info, alias, update.filter)
    return f"{target} DO UPDATE SET {sets} WHERE {cond}"


async def insert_as_role(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Insert ``objects`` as the request's role."""
    dml = await Dml.create(ctx)
    info = dml.table(args)
    perm = dml.require(info, "insert")
    objects = args.get("objects")
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise parse_failed("'objects' must be a list of objects", "$.args.objects")
    presets = _presets(dml, dict(perm.set or {}))
    rows = []
    for i, obj in enumerate(objects):
        for column in obj:
            if column not in info.table.columns:
                raise parse_failed(f'no such column exists: "{column}"', f"$.args.objects[{i}]")
            if column not in perm.columns and column not in presets:
                raise permission_denied(f'role "{dml.role}" does not have permission to insert '
                                        f'column "{column}"', f"$.args.objects[{i}]")
        rows.append({**obj, **presets})
    columns = sorted({c for row in rows for c in row})
    alias = dml.compiler.new_alias()
    data = dml.compiler.params.add(orjson.dumps(rows).decode(), lambda v: v)
    table = info.table.qualified
    listed = ", ".join(quote(c) for c in columns)
    picked = ", ".join(f"p.{quote(c)}" for c in columns)
    source = f"SELECT {picked} FROM json_populate_recordset(NULL::{table}, {data}::json) AS p"
    conflict = _conflict(dml, info, args.get("on_conflict"), columns, alias)
    statement = (f"INSERT INTO {table} AS {alias} ({listed}) {source}{conflict} "
                 f"RETURNING {alias}.*")
    return await mutation_result(dml, info, statement, args.get("returning"), perm.check)
