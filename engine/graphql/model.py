"""Metadata resolved against the catalog: tables, GraphQL names, relationships, permissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.catalog import Catalog, Column, Table
from engine.catalog.model import Argument, Function

JSON = Any


@dataclass
class Relationship:
    """An object or array relationship resolved to a column mapping."""

    name: str
    array: bool
    remote: tuple[str, str]
    mapping: tuple[tuple[str, str], ...]
    """(local column, remote column) pairs."""
    unique: bool = False
    """Object relationships where a foreign key or unique key guarantees at most one row."""
    local_fk: bool = False
    """Object relationships via a foreign key on this table (insert the remote row first)."""
    always_found: bool = False
    """The remote row exists for every row of this table (see :func:`always_found`)."""


@dataclass
class SelectPerm:
    """A select permission."""

    columns: frozenset[str]
    filter: JSON
    limit: int | None = None
    allow_aggregations: bool = False
    computed_fields: frozenset[str] = frozenset()
    redact: Mapping[str, JSON] = field(default_factory=dict)
    """Inherited roles: column/computed field → the filter under which its value is shown
    (``null`` in other rows); absent names are shown in every row the role sees."""


@dataclass
class InsertPerm:
    """An insert permission."""

    columns: frozenset[str]
    check: JSON
    set: Mapping[str, Any] = field(default_factory=dict)
    backend_only: bool = False


@dataclass
class UpdatePerm:
    """An update permission."""

    columns: frozenset[str]
    filter: JSON
    check: JSON | None
    set: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class DeletePerm:
    """A delete permission."""

    filter: JSON


@dataclass
class ComputedField:
    """A computed field: a SQL function taking the table row (and maybe the session)."""

    name: str
    function: Function
    table_argument: str
    session_argument: str | None
    returns: tuple[str, str] | None
    """The table a set-returning computed field yields rows of (None for a scalar)."""
    comment: str | None = None
    """Its GraphQL description (the metadata's comment, else the function's, else Hasura's)."""

    def input_arguments(self) -> list[Argument]:
        """Arguments a client passes in ``args`` (not the row, not the session)."""
        return [a for a in self.function.arguments
                if a.name not in (self.table_argument, self.session_argument)]

    @property
    def filterable(self) -> bool:
        """Whether the field can appear in ``where`` and ``order_by``.

        Hasura leaves computed fields that take input arguments out of both.
        """
        return not self.input_arguments()

    @property
    def scalar(self) -> Column:
        """A column-like description of a scalar result (for GraphQL types and casts)."""
        fn = self.function
        type_ = fn.return_base if fn.return_schema == "pg_catalog" \
            else f'"{fn.return_schema}"."{fn.return_base}"'
        return Column(self.name, type_, fn.return_base, True, False)


@dataclass
class TrackedFunction:
    """A tracked SQL function returning rows of a tracked table (a query root field)."""

    function: Function
    name: str
    returns: tuple[str, str]
    session_argument: str | None = None
    exposed_as: str = "query"
    """``query`` or ``mutation`` (Hasura's default: mutation for a VOLATILE function)."""
    permissions: frozenset[str] = frozenset()
    """Roles given the function by ``pg_create_function_permission``."""

    def input_arguments(self) -> list[Argument]:
        """The arguments a client passes (the session argument excluded)."""
        return [a for a in self.function.arguments if a.name != self.session_argument]


@dataclass
class TableInfo:
    """A tracked table as the GraphQL schema presents it."""

    table: Table
    name: str
    """The GraphQL type name."""
    columns: dict[str, str]
    """Column name → GraphQL field name."""
    root: dict[str, str]
    """Root field kind (select, select_by_pk, ...) → field name."""
    is_enum: bool = False
    description: str | None = None
    """The object type's description (metadata comment, else the table's, else Hasura's)."""
    column_descriptions: dict[str, str | None] = field(default_factory=dict)
    root_descriptions: dict[str, str | None] = field(default_factory=dict)
    """Root field kind → description (the metadata's comment, else Hasura's text)."""
    enum_values: list[tuple[str, str | None]] = field(default_factory=list)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    computed: dict[str, ComputedField] = field(default_factory=dict)
    select: dict[str, SelectPerm] = field(default_factory=dict)
    insert: dict[str, InsertPerm] = field(default_factory=dict)
    update: dict[str, UpdatePerm] = field(default_factory=dict)
    delete: dict[str, DeletePerm] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """(schema, name)."""
        return (self.table.schema, self.table.name)

    def field_to_column(self) -> dict[str, str]:
        """GraphQL field name → column name."""
        return {v: k for k, v in self.columns.items()}


@dataclass
class Model:
    """All tracked tables plus the roles that appear in permissions."""

    catalog: Catalog
    tables: dict[tuple[str, str], TableInfo] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    inherited: dict[str, list[str]] = field(default_factory=dict)
    inconsistencies: list[dict[str, Any]] = field(default_factory=list)
    functions: dict[tuple[str, str], TrackedFunction] = field(default_factory=dict)


def qualified(ref: Any) -> tuple[str, str]:
    """A table reference (``"name"`` or ``{"schema", "name"}``) as (schema, name)."""
    if isinstance(ref, str):
        return ("public", ref)
    return (str(ref.get("schema", "public")), str(ref["name"]))
