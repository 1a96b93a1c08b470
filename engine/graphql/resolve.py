"""Build the :class:`Model` from v3 metadata and the catalog, recording what does not fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.catalog import Catalog, Table
from engine.catalog.model import ForeignKey
from engine.graphql.inherited import apply_inherited
from engine.graphql.model import (
    ComputedField,
    DeletePerm,
    InsertPerm,
    Model,
    Relationship,
    SelectPerm,
    TableInfo,
    TrackedFunction,
    UpdatePerm,
    qualified,
)

ROOT_KINDS = ("select", "select_by_pk", "select_aggregate", "insert", "insert_one", "update",
              "update_by_pk", "update_many", "delete", "delete_by_pk")


def _root_names(base: str, custom: Mapping[str, Any]) -> dict[str, str]:
    defaults = {
        "select": base, "select_by_pk": f"{base}_by_pk", "select_aggregate": f"{base}_aggregate",
        "insert": f"insert_{base}", "insert_one": f"insert_{base}_one",
        "update": f"update_{base}", "update_by_pk": f"update_{base}_by_pk",
        "update_many": f"update_{base}_many",
        "delete": f"delete_{base}", "delete_by_pk": f"delete_{base}_by_pk",
    }
    for kind, value in custom.items():
        name = value.get("name") if isinstance(value, Mapping) else value
        if kind in defaults and name:
            defaults[kind] = str(name)
    return defaults


def _columns(table: Table, perm_cols: Any) -> frozenset[str]:
    if perm_cols == "*" or perm_cols is None:
        return frozenset(table.columns)
    return frozenset(c for c in perm_cols if c in table.columns)


def _incons(model: Model, kind: str, name: str, reason: str, definition: Any) -> None:
    model.inconsistencies.append({"type": kind, "name": f"{name} in source default",
                                  "reason": f"Inconsistent object: {reason}",
                                  "definition": definition})


def _relationship(model: Model, info: TableInfo, rel: Mapping[str, Any],
                  array: bool) -> Relationship | None:
    using = rel.get("using", {})
    table = info.table
    if "manual_configuration" in using:
        manual = using["manual_configuration"]
        remote = qualified(manual["remote_table"])
        mapping = tuple((str(k), str(v)) for k, v in manual["column_mapping"].items())
        remote_table = model.catalog.table(*remote)
        unique = False
        if remote_table is not None and not array:
            remote_cols = {v for _, v in mapping}
            unique = any(set(cols) <= remote_cols for cols in remote_table.unique.values())
        return Relationship(str(rel["name"]), array, remote, mapping, unique=unique)
    fk_on = using.get("foreign_key_constraint_on")
    if fk_on is None:
        return None
    if not array and (isinstance(fk_on, str | list)):
        cols = (fk_on,) if isinstance(fk_on, str) else tuple(fk_on)
        for fk in table.foreign_keys:
            if fk.columns == cols or set(fk.columns) == set(cols):
                return Relationship(str(rel["name"]), False, (fk.ref_schema, fk.ref_table),
                                    tuple(zip(fk.columns, fk.ref_columns, strict=True)),
                                    unique=True, local_fk=True,
                                    always_found=always_found(model, table, fk))
        return None
    if isinstance(fk_on, Mapping):
        remote = qualified(fk_on["table"])
        cols_spec = fk_on.get("columns", fk_on.get("column"))
        cols = (cols_spec,) if isinstance(cols_spec, str) else tuple(cols_spec or ())
        remote_table = model.catalog.table(*remote)
        if remote_table is None:
            return None
        for fk in remote_table.foreign_keys:
            if (fk.ref_schema, fk.ref_table) == info.key and set(fk.columns) == set(cols):
                mapping = tuple(zip(fk.ref_columns, fk.columns, strict=True))
                unique = any(set(u) <= set(fk.columns) for u in remote_table.unique.values())
                return Relationship(str(rel["name"]), array, remote, mapping,
                                    unique=unique and not array)
    return None


def always_found(model: Model, table: Table, fk: ForeignKey) -> bool:
    """Whether every row of ``table`` has the row ``fk`` points to, visible to any query.

    True for an enforced key (validated, not deferrable) on NOT NULL columns to a table
    without row-level security: the engine may then build the related object without
    checking that the join found a row.
    """
    remote = model.catalog.table(fk.ref_schema, fk.ref_table)
    if not fk.enforced or remote is None or remote.kind not in ("r", "p") \
            or remote.row_security:
        return False
    columns = [table.columns.get(name) for name in fk.columns]
    return all(column is not None and not column.nullable for column in columns)


def build_model(catalog: Catalog, metadata: Mapping[str, Any]) -> Model:
    """Resolve every tracked table, relationship and permission; never raises on bad metadata."""
    model = Model(catalog=catalog)
    tables_md: list[Mapping[str, Any]] = []
    functions_md: list[Mapping[str, Any]] = []
    for source in metadata.get("sources") or []:
        tables_md.extend(source.get("tables") or [])
        functions_md.extend(source.get("functions") or [])
    for entry in tables_md:
        _track_table(model, catalog, entry)
    for entry in tables_md:
        info = model.tables.get(qualified(entry["table"]))
        if info is None:
            continue
        _relationships(model, info, entry)
        _computed_fields(model, info, entry)
        _permissions(model, info, entry)
    for fn_entry in functions_md:
        _tracked_function(model, fn_entry)
    for inh in metadata.get("inherited_roles") or []:
        model.inherited[str(inh["role_name"])] = [str(r) for r in inh.get("role_set") or []]
        model.roles.add(str(inh["role_name"]))
    apply_inherited(model)
    return model


def _track_table(model: Model, catalog: Catalog, entry: Mapping[str, Any]) -> None:
    """The table's names (custom table, column and root field names) and descriptions."""
    key = qualified(entry["table"])
    table = catalog.table(*key)
    if table is None:
        shown = key[1] if key[0] == "public" else f"{key[0]}.{key[1]}"
        _incons(model, "table", f"table {shown}",
                f"no such table/view exists in source: \"{shown}\"", entry)
        return
    config = entry.get("configuration") or {}
    base = config.get("custom_name") or (key[1] if key[0] == "public" else f"{key[0]}_{key[1]}")
    columns = {c: c for c in table.columns}
    for col, name in (config.get("custom_column_names") or {}).items():
        if col in columns:
            columns[col] = str(name)
    for col, cfg in (config.get("column_config") or {}).items():
        if col in columns and cfg.get("custom_name"):
            columns[col] = str(cfg["custom_name"])
    info = TableInfo(table=table, name=str(base), columns=columns,
                     root=_root_names(str(base), config.get("custom_root_fields") or {}),
                     is_enum=bool(entry.get("is_enum")))
    _describe(info, config)
    model.tables[key] = info


def _relationships(model: Model, info: TableInfo, entry: Mapping[str, Any]) -> None:
    """The table's object and array relationships to tracked tables."""
    table_name = info.table.name
    for array, field_name in ((False, "object_relationships"), (True, "array_relationships")):
        for rel in entry.get(field_name) or []:
            resolved = _relationship(model, info, rel, array)
            if resolved is None or resolved.remote not in model.tables:
                kind = "array_relation" if array else "object_relation"
                _incons(model, kind, f"{kind} {rel.get('name')} in table {table_name}",
                        f"in table \"{table_name}\": in relationship \"{rel.get('name')}\": "
                        "no foreign constraint exists on the given column(s)", rel)
                continue
            info.relationships[resolved.name] = resolved


def _computed_fields(model: Model, info: TableInfo, entry: Mapping[str, Any]) -> None:
    for cf in entry.get("computed_fields") or []:
        comp = _computed(model, info, cf)
        if comp is not None:
            info.computed[comp.name] = comp


def _select_perm(info: TableInfo, p: Mapping[str, Any]) -> SelectPerm:
    return SelectPerm(
        columns=_columns(info.table, p.get("columns")), filter=p.get("filter") or {},
        limit=p.get("limit"), allow_aggregations=bool(p.get("allow_aggregations")),
        computed_fields=frozenset(p.get("computed_fields") or ()))


def _insert_perm(info: TableInfo, p: Mapping[str, Any]) -> InsertPerm:
    return InsertPerm(
        columns=_columns(info.table, p.get("columns")), check=p.get("check") or {},
        set=p.get("set") or {}, backend_only=bool(p.get("backend_only")))


def _update_perm(info: TableInfo, p: Mapping[str, Any]) -> UpdatePerm:
    return UpdatePerm(
        columns=_columns(info.table, p.get("columns")), filter=p.get("filter") or {},
        check=p.get("check"), set=p.get("set") or {})


def _delete_perm(info: TableInfo, p: Mapping[str, Any]) -> DeletePerm:
    return DeletePerm(filter=p.get("filter") or {})


_PERMISSION_KINDS: tuple[tuple[str, str, Callable[[TableInfo, Mapping[str, Any]], Any]], ...] = (
    ("select_permissions", "select", _select_perm),
    ("insert_permissions", "insert", _insert_perm),
    ("update_permissions", "update", _update_perm),
    ("delete_permissions", "delete", _delete_perm),
)
"""Each metadata permission list, the TableInfo map it fills, and how one entry is read."""


def _permissions(model: Model, info: TableInfo, entry: Mapping[str, Any]) -> None:
    """Every role's select, insert, update and delete permission on the table."""
    for field_name, attribute, build in _PERMISSION_KINDS:
        target: dict[str, Any] = getattr(info, attribute)
        for perm in entry.get(field_name) or []:
            model.roles.add(perm["role"])
            target[perm["role"]] = build(info, perm.get("permission") or {})


_ROOT_TEXT = {
    "select": 'fetch data from the table: "{t}"',
    "select_by_pk": 'fetch data from the table: "{t}" using primary key columns',
    "select_aggregate": 'fetch aggregated fields from the table: "{t}"',
    "insert": 'insert data into the table: "{t}"',
    "insert_one": 'insert a single row into the table: "{t}"',
    "update": 'update data of the table: "{t}"',
    "update_by_pk": 'update single row of the table: "{t}"',
    "update_many": 'update multiples rows of table: "{t}"',  # sic, Hasura's wording
    "delete": 'delete data from the table: "{t}"',
    "delete_by_pk": 'delete single row from the table: "{t}"',
}


def _comment(given: Mapping[str, Any], fallback: str | None) -> str | None:
    """A metadata ``comment`` wins when present (an empty one means no description)."""
    if "comment" in given and given["comment"] is not None:
        return str(given["comment"]) or None
    return fallback


def _describe(info: TableInfo, config: Mapping[str, Any]) -> None:
    """Descriptions as Hasura gives them: metadata comments, else the database's, else its own."""
    table = info.table
    info.description = _comment(config, table.comment or
                                f'columns and relationships of "{table.name}"')
    column_config = config.get("column_config") or {}
    for name, column in table.columns.items():
        info.column_descriptions[name] = _comment(column_config.get(name) or {}, column.comment)
    roots = config.get("custom_root_fields") or {}
    for kind, text in _ROOT_TEXT.items():
        given = roots.get(kind)
        info.root_descriptions[kind] = _comment(given if isinstance(given, Mapping) else {},
                                                text.format(t=table.name))


def _computed(model: Model, info: TableInfo, cf: Mapping[str, Any]) -> ComputedField | None:
    definition = cf.get("definition") or {}
    key = qualified(definition.get("function"))
    fn = model.catalog.functions.get(key)
    name = str(cf.get("name"))
    if fn is None or not fn.arguments:
        _incons(model, "computed_field", f"{name} in table {info.table.name}",
                f"no such function exists: {key[1]!r}", cf)
        return None
    table_arg = definition.get("table_argument")
    session_arg = definition.get("session_argument")
    if table_arg is None:
        table_arg = next((a.name for a in fn.arguments if a.name != session_arg),
                         fn.arguments[0].name)
    returns = None
    if fn.returns_row:
        returns = (fn.return_schema, fn.return_base)
        if returns not in model.tables:
            _incons(model, "computed_field", f"{name} in table {info.table.name}",
                    "the function returns rows of an untracked table", cf)
            return None
    comment = _comment(cf, fn.comment or f'A computed field, executes function "{fn.name}"')
    return ComputedField(name, fn, str(table_arg), session_arg, returns, comment)


def _tracked_function(model: Model, entry: Mapping[str, Any]) -> None:
    key = qualified(entry.get("function"))
    fn = model.catalog.functions.get(key)
    config = entry.get("configuration") or {}
    if fn is None or not fn.returns_row or (fn.return_schema, fn.return_base) not in model.tables:
        _incons(model, "function", key[1], "the function does not exist or does not return "
                "rows of a tracked table", entry)
        return
    name = config.get("custom_name") or (key[1] if key[0] == "public" else f"{key[0]}_{key[1]}")
    exposed = config.get("exposed_as") or ("mutation" if fn.volatile else "query")
    roles = frozenset(str(p.get("role")) for p in entry.get("permissions") or [])
    model.functions[key] = TrackedFunction(fn, str(name), (fn.return_schema, fn.return_base),
                                           config.get("session_argument"), str(exposed), roles)
