"""What answers one root field: one class per kind, each with its own ``run``.

A compiled :class:`~engine.graphql.plan.Plan` holds one :class:`RootPlan` per response key.
Running one needs a connection, the prepared operation and the session variables of the
moment (a :class:`RunContext`); it returns the field's JSON value as bytes.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from engine.catalog.db import Connection
from engine.graphql.bare_strings import BareAnswer
from engine.graphql.compiler import Compiler
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.joins import resolve_joins
from engine.graphql.model import TableInfo
from engine.graphql.mutations import CHECK_FAILED
from engine.graphql.nested import NestedInsert
from engine.graphql.params import ParameterError, Source, bind
from engine.graphql.pgerrors import map_postgres_error
from engine.graphql.plan import PreparedOperation
from engine.graphql.providers import FieldCall, JoinField, ProvidedField
from engine.graphql.selection import Selected
from engine.graphql.statement_calls import first_row

if TYPE_CHECKING:
    from engine.graphql.engine import GraphQLEngine

log = logging.getLogger(__name__)


class RunContext:
    """What a root field needs to run: a connection, its operation, the session variables.

    Made once per request: a plain class, its helpers methods rather than closures.
    """

    __slots__ = ("_engine", "_introspection", "conn", "prepared", "session_vars")

    def __init__(self, engine: GraphQLEngine, conn: Connection, prepared: PreparedOperation,
                 session_vars: Mapping[str, str]) -> None:
        self._engine = engine
        self.conn = conn
        self.prepared = prepared
        self.session_vars = session_vars
        self._introspection: dict[str, bytes] | None = None

    def new_compiler(self) -> Compiler:
        """A fresh compiler for the operation (nested inserts and providers compile late)."""
        engine, prepared = self._engine, self.prepared
        compiler = Compiler(engine.model, prepared.session.role, engine.options,
                            prepared.document.fragments, prepared.variables,
                            prepared.state.access)
        compiler.relay = prepared.state.relay
        compiler.joins = prepared.state.joins
        return compiler

    def introspection(self) -> dict[str, bytes]:
        """The operation's introspection fields as JSON, by response key (computed once)."""
        found = self._introspection
        if found is None:
            found = self._introspection = self._engine.introspect_operation(self.prepared)
        return found


class RootPlan(ABC):
    """One root field of a compiled operation."""

    alias: str
    needs_database: bool = True

    @abstractmethod
    async def run(self, ctx: RunContext) -> bytes:
        """The field's JSON value (before :meth:`complete`, when :attr:`completes`)."""

    @property
    def completes(self) -> bool:
        """Whether :meth:`complete` has remote work to do once the connection is released."""
        return False

    async def complete(self, value: bytes, prepared: PreparedOperation) -> bytes:
        """The final value from what :meth:`run` gave (remote joins; nothing by default)."""
        return value


@dataclass
class LiteralRoot(RootPlan):
    """A field whose answer is known at compile time (``__typename``, an insert of nothing)."""

    alias: str
    value: bytes
    needs_database: bool = False

    async def run(self, ctx: RunContext) -> bytes:
        """The answer itself."""
        return self.value


@dataclass
class IntrospectionRoot(RootPlan):
    """``__schema`` or ``__type``, answered by graphql-core against the role's schema."""

    alias: str

    async def run(self, ctx: RunContext) -> bytes:
        """The field's introspection JSON."""
        return ctx.introspection().get(self.alias, b"null")


@dataclass
class ProviderRoot(RootPlan):
    """A field contributed by a provider (an action).

    It needs no pooled connection: an action's handler may call back into the engine
    (e.g. to read through GraphQL), which a connection held during the call could starve.
    """

    alias: str
    provided: ProvidedField
    selected: Selected
    needs_database: bool = False

    async def run(self, ctx: RunContext) -> bytes:
        """Call the provider's resolver with the coerced arguments."""
        compiler = ctx.new_compiler()
        sel = self.selected
        prepared = ctx.prepared
        call_args = compiler.values.deep(compiler.arguments(sel.node))
        return await self.provided.resolve(FieldCall(
            name=sel.name, alias=sel.alias, node=sel.node, arguments=call_args,
            session=prepared.session, headers=prepared.headers,
            fragments=prepared.document.fragments, variables=prepared.variables))


class RemoteJoins:
    """A root whose JSON holds remote join placeholders.

    They are answered once its connection (and a mutation's transaction) is released: one
    call per join field.
    """

    joins: list[tuple[JoinField, Selected]]

    @property
    def completes(self) -> bool:
        """Whether there are remote join fields to answer."""
        return bool(self.joins)

    async def complete(self, value: bytes, prepared: PreparedOperation) -> bytes:
        """``value`` with every remote join field answered."""
        if not self.joins or value == b"null":
            return value
        return await resolve_joins(value, self.joins, prepared.session, prepared.headers,
                                   prepared.document.fragments, prepared.variables)


@dataclass
class SqlRoot(RemoteJoins, RootPlan):
    """One statement whose first column is the field's JSON text.

    With ``check_path`` set, the second column says whether a permission check passed.
    """

    alias: str
    sql: str
    sources: list[Source] = field(default_factory=list)
    check_path: str | None = None
    joins: list[tuple[JoinField, Selected]] = field(default_factory=list)
    """Remote join fields the statement leaves a place for (answered after it ran)."""
    error_path: str | None = None
    """Where a database error is reported (Hasura: an insert's ``objects``; else ``$``)."""
    bare: BareAnswer | None = None
    """The statement with every string bare, run first: :attr:`sql` runs only when its
    answer fails the check (a string needed escaping). Subscriptions run :attr:`sql`."""

    _bound: tuple[dict[str, str], list[Any]] | None = field(
        default=None, init=False, repr=False, compare=False)
    """The arguments last bound and the session variables they were bound for, when no
    argument is a GraphQL variable's (they depend on the session alone)."""

    async def run(self, ctx: RunContext) -> bytes:
        """Bind the parameters and run the statement (remote joins still in placeholders).

        The common case (the bare statement's answer passed its check, or a query's plain
        statement) runs here in one coroutine, down to asyncpg's protocol.
        """
        bare = self.bare
        if bare is not None and bare.worth_trying():
            record = await first_row(ctx.conn, bare.sql, self.arguments(ctx))
            if record is not None:
                value = bare.answer(record[0], record[1], record[2] if bare.counts_more else 0)
                if value is not None:
                    return value
        if self.error_path is not None:
            text = await self._checked_text(ctx, self.error_path)
        elif self.check_path is not None:
            text = await self._text(ctx)
        else:
            record = await first_row(ctx.conn, self.sql, self.arguments(ctx))
            text = None if record is None or record[0] is None else str(record[0])
        return b"null" if text is None else text.encode()

    def arguments(self, ctx: RunContext) -> list[Any]:
        """The statement's arguments for this run (:func:`~engine.graphql.params.bind`).

        When none comes from a GraphQL variable they depend on the session variables
        alone: bound once for the same session variables (compared by value), which a
        client sends request after request.
        """
        bound = self._bound
        session_vars = ctx.session_vars
        if bound is not None and bound[0] == session_vars:
            return bound[1]
        args = bind(self.sources, ctx.prepared.variables, session_vars)
        if all(src.kind != "var" for src in self.sources):
            self._bound = (dict(session_vars), args)
        return args

    async def _checked_text(self, ctx: RunContext, path: str) -> str | None:
        try:
            return await self._text(ctx)
        except ParameterError as exc:  # reported where PostgreSQL's refusal would be
            exc.path = path
            raise
        except asyncpg.PostgresError as exc:
            mapped = map_postgres_error(exc, path)
            if mapped.internal:
                log.warning("database error answering a GraphQL request: %s", mapped.internal)
            raise mapped from exc

    async def _text(self, ctx: RunContext) -> str | None:
        record = await first_row(ctx.conn, self.sql, self.arguments(ctx))
        if self.check_path is not None and record is not None and record[1] is False:
            raise GraphQLFieldError(CHECK_FAILED, "permission-error", self.check_path)
        text = None if record is None else record[0]
        return None if text is None else str(text)


@dataclass
class StreamRoot(SqlRoot):
    """``<table>_stream``: a statement returning a batch and the cursor after it.

    Only a subscription poller runs it (with each cohort's cursor, see
    :mod:`engine.subscriptions.cohort`).
    """

    async def run(self, ctx: RunContext) -> bytes:
        """Streaming fields only exist in subscriptions, which do not run here."""
        raise GraphQLFieldError("streaming subscriptions are only served over websockets",
                                "validation-failed")


@dataclass
class SequenceRoot(RemoteJoins, RootPlan):
    """Statements run in order (``update_<table>_many``); their answers form a JSON list."""

    alias: str
    steps: list[SqlRoot]
    joins: list[tuple[JoinField, Selected]] = field(default_factory=list)
    """Remote join fields of every step (one compiler numbered their slots)."""

    async def run(self, ctx: RunContext) -> bytes:
        """Run every step."""
        parts = [await step.run(ctx) for step in self.steps]
        return b"[" + b",".join(parts) + b"]"


@dataclass
class NestedInsertRoot(RemoteJoins, RootPlan):
    """An insert through relationships: several statements, compiled as the rows come back."""

    alias: str
    info: TableInfo
    selected: Selected
    objects: list[dict[str, Any]]
    one: bool
    arguments: Mapping[str, Any]

    joins: list[tuple[JoinField, Selected]] = field(default_factory=list)
    """Remote join fields of the response, known once it is compiled (after the inserts;
    this plan is never cached, so they are this request's)."""

    async def run(self, ctx: RunContext) -> bytes:
        """Insert parents, rows and children, then build the response."""
        runner = NestedInsert(ctx.conn, ctx.new_compiler, ctx.prepared.variables,
                              ctx.session_vars)
        text = await runner.run(self.info, self.selected, self.objects, self.one, self.arguments)
        self.joins = list(runner.join_slots)
        return b"null" if text is None else text.encode()

