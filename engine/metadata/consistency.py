"""Checking metadata against the database, and dropping what no longer fits.

Hasura reports what does not resolve (a table that is gone, a relationship on a missing
column, a permission naming an unknown column, ...) as *inconsistent objects* and keeps
serving the rest; this module finds them and can remove them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.metadata import model
from engine.metadata.dbcatalog import DbCatalog

_PERMISSION_TYPES = {f"{kind}_permissions": kind for kind in model.PERMISSION_KINDS}


@dataclass
class Inconsistency:
    """One inconsistent object and how to remove it from the metadata."""

    type: str
    name: str
    reason: str
    definition: Any
    remove: Callable[[model.Metadata], None]

    def to_json(self) -> dict[str, Any]:
        """Hasura's inconsistent-object shape."""
        return {"definition": self.definition, "name": self.name,
                "reason": f"Inconsistent object: {self.reason}", "type": self.type}


def check(metadata: model.Metadata, catalog: DbCatalog,
          enum_problems: dict[tuple[str, str], str] | None = None) -> list[Inconsistency]:
    """Every inconsistent object of the ``default`` source (other sources are not served).

    ``enum_problems``: why a table marked ``is_enum`` cannot be one (see :mod:`enum_tables`);
    such a table is inconsistent, and relationships to it point at an untracked table.
    """
    enum_problems = enum_problems or {}
    found: list[Inconsistency] = []
    for source in model.sources(metadata):
        source_name = source.get("name", model.DEFAULT_SOURCE)
        if source_name != model.DEFAULT_SOURCE:
            found.append(Inconsistency(
                "source", f"source {source_name}",
                f"only the default source is served by this engine, not \"{source_name}\"",
                source, _remove_source(source_name)))
            continue
        tracked = {model.key(model.qualified(t["table"])) for t in model.tables(source)}
        tracked -= set(enum_problems)
        for table in model.tables(source):
            found.extend(_check_table(source_name, table, tracked, catalog, enum_problems))
        for function in source.get("functions", []):
            qn = model.qualified(function.get("function"), "function")
            if model.key(qn) not in catalog.functions:
                found.append(Inconsistency(
                    "function", f"function {model.show(qn)} in source {source_name}",
                    f"no such function exists: \"{model.show(qn)}\"", qn,
                    _remove_function(source_name, qn)))
            else:
                problem = _function_problem(function, model.key(qn), catalog)
                if problem is not None:
                    shown = model.show(qn)
                    found.append(Inconsistency(
                        "function", f"function {shown} in source {source_name}",
                        f"in function \"{shown}\": {problem}", qn,
                        _remove_function(source_name, qn)))
    return found


def _function_problem(function: dict[str, Any], key: tuple[str, str],
                      catalog: DbCatalog) -> str | None:
    """Why Hasura cannot track the function as configured (None when it can)."""
    shown = model.show({"schema": key[0], "name": key[1]})
    if key in catalog.overloaded:
        return f"function \"{shown}\" is overloaded. Overloaded functions are not supported"
    config = function.get("configuration") or {}
    cannot = f"the function \"{shown}\" cannot be tracked because "
    if config.get("exposed_as") == "mutation" and key not in catalog.volatile:
        return (cannot + "the function was requested to be exposed as a mutation, but is not "
                "marked VOLATILE. Maybe the function was given the wrong volatility when it "
                "was defined?")
    session = config.get("session_argument")
    if isinstance(session, str):
        types = dict(catalog.inputs.get(key, []))
        if session not in types:
            return cannot + f"given session argument \"{session}\" not the input argument of " \
                "the function"
        if types[session] not in ("json", "jsonb"):
            return cannot + f"given session argument \"{session}\" is not of type json"
    return None


def _column_field_names(table: dict[str, Any], columns: set[str]) -> dict[str, str]:
    """GraphQL field name of each column renamed by the table's configuration → its column."""
    config = table.get("configuration") or {}
    out = {str(name): col for col, name in (config.get("custom_column_names") or {}).items()
           if col in columns}
    for col, cfg in (config.get("column_config") or {}).items():
        if col in columns and isinstance(cfg, dict) and cfg.get("custom_name"):
            out[str(cfg["custom_name"])] = col
    return out


def _check_table(source: str, table: dict[str, Any], tracked: set[tuple[str, str]],
                 catalog: DbCatalog,
                 enum_problems: dict[tuple[str, str], str]) -> list[Inconsistency]:
    qn = model.qualified(table["table"])
    where = f"in table {model.show(qn)} in source {source}"
    if not catalog.has_table(model.key(qn)):
        return [Inconsistency("table", f"table {model.show(qn)} in source {source}",
                              f"no such table/view exists in source: \"{model.show(qn)}\"",
                              qn, _remove_table(source, qn))]
    if model.key(qn) in enum_problems:
        return [Inconsistency("table", f"table {model.show(qn)} in source {source}",
                              enum_problems[model.key(qn)], qn, _remove_table(source, qn))]
    columns = set(catalog.columns(model.key(qn)))
    found: list[Inconsistency] = []
    field_names = _column_field_names(table, columns)
    for kind in model.RELATIONSHIP_KINDS:
        for rel in table.get(kind, []):
            reason = _relationship_problem(qn, kind, rel, columns, tracked, catalog)
            if not reason and rel.get("name") in field_names:
                reason = ("field definition conflicts with custom field name for postgres "
                          f"column \"{field_names[rel.get('name')]}\"")
            if reason:
                rel_type = "object_relation" if kind.startswith("object") else "array_relation"
                found.append(Inconsistency(
                    rel_type, f"{rel_type} {rel.get('name')} {where}", reason,
                    {**rel, "comment": rel.get("comment"), "source": source, "table": qn},
                    _remove_entry(source, qn, kind, rel.get("name"), "name")))
    computed = {cf.get("name") for cf in table.get("computed_fields", [])}
    for cf in table.get("computed_fields", []):
        function = cf.get("definition", {}).get("function")
        fqn = model.qualified(function, "function") if function else None
        if fqn is None or model.key(fqn) not in catalog.functions:
            found.append(Inconsistency(
                "computed_field", f"computed_field {cf.get('name')} {where}",
                f"no such function exists: \"{model.show(fqn) if fqn else function}\"",
                {**cf, "source": source, "table": qn},
                _remove_entry(source, qn, "computed_fields", cf.get("name"), "name")))
    for field_name, kind in _PERMISSION_TYPES.items():
        for perm in table.get(field_name, []):
            spec = perm.get("permission") or {}
            wanted = spec.get("columns", [])
            unknown = [] if wanted == "*" else [c for c in wanted or [] if c not in columns]
            unknown += [c for c in spec.get("computed_fields", []) if c not in computed]
            unknown += [c for c in (spec.get("set") or {}) if c not in columns]
            if unknown:
                found.append(Inconsistency(
                    f"{kind}_permission",
                    f"permission {model.show(qn)}.{perm.get('role')}.{kind} in source {source}",
                    f"no such column exists: \"{unknown[0]}\"",
                    {**perm, "source": source, "table": qn},
                    _remove_entry(source, qn, field_name, perm.get("role"), "role")))
    return found


def _relationship_problem(qn: model.QualifiedName, kind: str, rel: dict[str, Any],
                          columns: set[str], tracked: set[tuple[str, str]],
                          catalog: DbCatalog) -> str | None:
    using = rel.get("using") or {}
    if "manual_configuration" in using:
        manual = using["manual_configuration"] or {}
        remote = model.qualified(manual.get("remote_table"))
        if model.key(remote) not in tracked:
            return f"table \"{model.show(remote)}\" is not tracked"
        remote_columns = set(catalog.columns(model.key(remote)))
        for local, theirs in (manual.get("column_mapping") or {}).items():
            if local not in columns:
                return f"no such column exists: \"{local}\""
            if theirs not in remote_columns:
                return f"no such column exists: \"{theirs}\""
        return None
    fk = using.get("foreign_key_constraint_on")
    if fk is None:
        return "relationship has neither foreign_key_constraint_on nor manual_configuration"
    if isinstance(fk, dict) and "table" in fk:
        remote = model.qualified(fk["table"])
        if model.key(remote) not in tracked:
            return f"table \"{model.show(remote)}\" is not tracked"
        given = fk.get("columns") or fk.get("column")
        remote_cols: list[str] = [given] if isinstance(given, str) else list(given or [])
        if catalog.foreign_key(model.key(remote), tuple(remote_cols), model.key(qn)) is None:
            return (f"in table \"{model.show(qn)}\": in relationship \"{rel.get('name')}\": "
                    "no foreign constraint exists on the given column(s)")
        return None
    local_cols = tuple(fk if isinstance(fk, list) else [fk])
    for column in local_cols:
        if column not in columns:
            return f"no such column exists: \"{column}\""
    found = catalog.foreign_key(model.key(qn), local_cols)
    if found is None:
        return (f"in table \"{model.show(qn)}\": in relationship \"{rel.get('name')}\": "
                "no foreign constraint exists on the given column(s)")
    if found.ref_table not in tracked:
        ref = {"schema": found.ref_table[0], "name": found.ref_table[1]}
        return f"table \"{model.show(ref)}\" is not tracked"
    return None


def _remove_source(name: str) -> Callable[[model.Metadata], None]:
    def remove(metadata: model.Metadata) -> None:
        metadata["sources"] = [s for s in model.sources(metadata) if s.get("name") != name]
    return remove


def _remove_function(source: str, qn: model.QualifiedName) -> Callable[[model.Metadata], None]:
    def remove(metadata: model.Metadata) -> None:
        entry = model.source(metadata, source)
        entry["functions"] = [f for f in entry.get("functions", [])
                              if model.qualified(f.get("function"), "function") != qn]
        model.drop_empty(entry, "functions")
    return remove


def _remove_table(source: str, qn: model.QualifiedName) -> Callable[[model.Metadata], None]:
    def remove(metadata: model.Metadata) -> None:
        entry = model.source(metadata, source)
        entry["tables"] = [t for t in model.tables(entry) if model.qualified(t["table"]) != qn]
    return remove


def _remove_entry(source: str, qn: model.QualifiedName, field: str, value: Any,
                  by: str) -> Callable[[model.Metadata], None]:
    def remove(metadata: model.Metadata) -> None:
        table = model.find_table(model.source(metadata, source), qn)
        if table is not None:
            table[field] = [e for e in table.get(field, []) if e.get(by) != value]
            model.drop_empty(table, field)
    return remove


def drop_all(metadata: model.Metadata, found: list[Inconsistency]) -> None:
    """Remove every object of ``found`` from ``metadata`` (tables last)."""
    for item in sorted(found, key=lambda i: i.type in ("table", "source")):
        item.remove(metadata)


def relationship_target(table: model.QualifiedName, rel: dict[str, Any],
                        catalog: DbCatalog | None = None) -> tuple[str, str] | None:
    """The table a relationship points at (through the catalog for a local foreign key)."""
    using = rel.get("using") or {}
    target = (using.get("manual_configuration") or {}).get("remote_table")
    fk = using.get("foreign_key_constraint_on")
    if target is None and isinstance(fk, dict):
        target = fk.get("table")
    if target is not None:
        return model.key(model.qualified(target))
    if isinstance(fk, str | list) and catalog is not None:
        found = catalog.foreign_key(model.key(table), tuple([fk] if isinstance(fk, str) else fk))
        return None if found is None else found.ref_table
    return None


def dependents_of_tables(metadata: model.Metadata, gone: set[tuple[str, str]],
                         catalog: DbCatalog | None = None) -> list[str]:
    """Relationships of remaining tables that point at one of the ``gone`` tables."""
    found = []
    for source in model.sources(metadata):
        for table in model.tables(source):
            qn = model.qualified(table["table"])
            if model.key(qn) in gone:
                continue
            for kind in model.RELATIONSHIP_KINDS:
                for rel in table.get(kind, []):
                    if relationship_target(qn, rel, catalog) in gone:
                        found.append(f"relationship {model.show(qn)}.{rel.get('name')}")
    return found
