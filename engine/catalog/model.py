"""The introspected database: tables and views with their columns and constraints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """A column of a table or view."""

    name: str
    type: str
    """The type's name as PostgreSQL spells it in a cast (``int4``, ``_text``, ``public.ltree``)."""
    base: str
    """The type name without schema (``int4``; ``_text`` for arrays): picks the GraphQL scalar."""
    nullable: bool
    has_default: bool
    is_array: bool = False
    element: str = ""
    """For arrays, the element type's name."""
    generated: bool = False
    position: int = 0
    comment: str | None = None
    """The database's ``COMMENT ON COLUMN``."""


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key from ``columns`` of a table to ``ref_columns`` of ``ref_table``."""

    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    enforced: bool = False
    """Validated and not deferrable: a row's key, once set, names an existing row at every
    statement's end (a ``NOT VALID`` or deferrable key promises less)."""


@dataclass
class Table:
    """A table or view."""

    schema: str
    name: str
    kind: str
    """``r`` table, ``v`` view, ``m`` materialized view, ``p`` partitioned table, ``f`` foreign."""
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    primary_key_name: str = ""
    unique: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Unique constraints (primary key included) by constraint name."""
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    insertable: bool = True
    updatable: bool = True
    deletable: bool = True
    comment: str | None = None
    """The database's ``COMMENT ON TABLE``/``VIEW``."""
    row_security: bool = False
    """Row-level security is on: a query may not see every row."""

    @property
    def qualified(self) -> str:
        """The quoted ``"schema"."name"`` for SQL text."""
        return f'{quote(self.schema)}.{quote(self.name)}'


@dataclass(frozen=True)
class Argument:
    """A function argument."""

    name: str
    type: str
    """The type as written in a cast."""
    base: str
    """The type name without schema."""
    schema: str
    composite: bool = False
    """A row type (a table's or a ``CREATE TYPE ... AS``)."""
    has_default: bool = False
    """The function gives the argument a ``DEFAULT`` (it may be omitted)."""
    unnamed: bool = False
    """The SQL argument has no name (it is called ``arg_<n>``, passed by position only)."""


@dataclass(frozen=True)
class Function:
    """A SQL function (what computed fields and tracked functions need)."""

    schema: str
    name: str
    returns_set: bool
    return_schema: str
    return_base: str
    returns_row: bool
    """Whether the function returns rows of a table (composite type of a relation)."""
    arguments: tuple[Argument, ...]
    volatile: bool = False
    """``VOLATILE`` (Hasura exposes such a function as a mutation by default)."""
    comment: str | None = None
    """The database's ``COMMENT ON FUNCTION``."""

    @property
    def qualified(self) -> str:
        """The quoted ``"schema"."name"``."""
        return f'{quote(self.schema)}.{quote(self.name)}'


@dataclass
class Catalog:
    """Every table and view of the database outside PostgreSQL's own schemas."""

    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    extensions: frozenset[str] = frozenset()
    functions: dict[tuple[str, str], Function] = field(default_factory=dict)

    def table(self, schema: str, name: str) -> Table | None:
        """The table ``schema.name``, if it exists."""
        return self.tables.get((schema, name))


def quote(identifier: str) -> str:
    """Quote an SQL identifier (doubling embedded quotes)."""
    return '"' + identifier.replace('"', '""') + '"'
