"""What an API operation works with: the working metadata, the transaction and the session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.graphql.options import EngineOptions
from engine.metadata import model
from engine.metadata.dbcatalog import DbCatalog, DbConnection, introspect
from engine.metadata.errors import not_exists, parse_failed
from engine.session import Session


@dataclass
class OpContext:
    """The state of one API request, shared by the operations of a ``bulk``."""

    metadata: model.Metadata
    """The working copy; operations change it in place."""
    conn: DbConnection
    """A connection inside the request's transaction."""
    session: Session
    api: str
    resource_version: int = 0
    inconsistencies: list[dict[str, Any]] = field(default_factory=list)
    """The inconsistent objects of the metadata in force when the request started."""
    changed: bool = False
    database_changed: bool = False
    reload_requested: bool = False
    invalidated_remote_schemas: set[str] = field(default_factory=set)
    """Remote schemas to introspect again (``reload_remote_schema``), in every instance."""
    allow_inconsistent: bool = False
    whole_table: bool = False
    """Set by operations that redefine a whole table's configuration: Hasura then reports new
    inconsistencies generically (``cannot continue due to new inconsistent metadata``)."""
    replaced: bool = False
    """Set by ``replace_metadata``/``clear_metadata``: the whole metadata is new."""
    """Set by ``replace_metadata``: inconsistencies do not fail the request."""
    path: str = "$"
    request_version: int = 1
    """The request's ``version`` field (``export_metadata`` answers differently for 2)."""
    pool: Any = None
    """The connection pool (``run_sql`` with ``no_transaction`` runs outside the request's
    transaction)."""
    graphql_options: EngineOptions | None = None
    """How the GraphQL engine answers (the v1 data operations answer the same way)."""
    rebuilds: int = 0
    """How many times an operation of this request changed the metadata or the database
    schema: each is a point where Hasura rebuilds its schema cache."""
    enum_problems: tuple[int, dict[tuple[str, str], str]] | None = None
    """The enum tables' problems as read at the schema rebuild numbered ``[0]`` (see
    ``engine.metadata.ops.bulk``)."""
    _catalog: DbCatalog | None = None

    def mark_changed(self) -> None:
        """Record that the metadata changed (it is stored and the schema rebuilt)."""
        self.changed = True
        self.rebuilds += 1

    def mark_database_changed(self) -> None:
        """Record that the database schema may have changed (re-introspect)."""
        self.database_changed = True
        self.rebuilds += 1
        self._catalog = None

    async def catalog(self) -> DbCatalog:
        """The database's tables, columns, foreign keys and functions, as this transaction sees."""
        if self._catalog is None:
            self._catalog = await introspect(self.conn)
        return self._catalog

    def source(self, args: Any) -> dict[str, Any]:
        """The source named by ``args["source"]`` (default ``default``)."""
        name = args.get("source", model.DEFAULT_SOURCE) if isinstance(args, dict) else (
            model.DEFAULT_SOURCE if isinstance(args, str) else None)
        if not isinstance(name, str):
            raise parse_failed("'source' must be a string")
        return model.source(self.metadata, name)

    def table_name(self, args: Any) -> model.QualifiedName:
        """The table the arguments name (``table``, or ``schema`` + ``name``)."""
        if isinstance(args, str):
            # v1 accepts a bare table name as the whole of ``args``.
            return model.qualified(args)
        if not isinstance(args, dict):
            raise parse_failed("expecting an object for args")
        if "table" in args:
            return model.qualified(args["table"])
        if "name" in args:
            return model.qualified({"schema": args.get("schema", "public"), "name": args["name"]})
        raise parse_failed("key \"table\" not found")

    def table(self, args: Any) -> dict[str, Any]:
        """The tracked table entry the arguments name.

        Raises:
            MetadataError: not-exists when the table is not tracked.
        """
        name = self.table_name(args)
        source = self.source(args)
        entry = model.find_table(source, name)
        if entry is None:
            shown = source.get("name", model.DEFAULT_SOURCE)
            raise not_exists(f"table \"{model.show(name)}\" does not exist in source: {shown}")
        return entry
